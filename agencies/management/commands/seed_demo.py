from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.demo import DEMO_PASSWORD, USERS, DemoDataError


class Command(BaseCommand):
    help = "Load the demo province (Tây Ninh) with agencies, one user per role and sample case files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG=False (never on a real deployment)."
        )
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the demo accounts.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a published password and is meant for the embedded default "
                "(DEBUG=True). Refusing to run with DEBUG=False; pass --force if this really is a demo."
            )
        created = {}
        try:
            with transaction.atomic():
                # Each app may bring a `demo` module with a seed(); in INSTALLED_APPS order, so that
                # agencies (units, users) comes before the apps that build on it.
                for config in apps.get_app_configs():
                    try:
                        module = import_module(f"{config.name}.demo")
                    except ModuleNotFoundError as error:
                        if error.name != f"{config.name}.demo":
                            raise
                        continue
                    created.update(module.seed())
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{count} {what}" for what, count in created.items())
        self.stdout.write(f"Demo data created: {summary} (0 everywhere means it was already loaded).")
        if not options["quiet_accounts"]:
            self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
            for demo in USERS:
                self.stdout.write(f"  {demo.username:<20} {demo.role:<16} {demo.full_name}")

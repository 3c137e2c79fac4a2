from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_PASSWORD, USERS, DemoDataError, seed_demo


class Command(BaseCommand):
    help = "Load the demo province (Tây Ninh) with agencies and one user per role. Embedded default only."

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
        try:
            created = seed_demo()
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            "Demo data: created {units} units, {agencies} agencies, {users} users, {memberships} memberships "
            "(0 everywhere means it was already loaded).".format(**created)
        )
        if not options["quiet_accounts"]:
            self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
            for demo in USERS:
                self.stdout.write(f"  {demo.username:<20} {demo.role:<16} {demo.full_name}")

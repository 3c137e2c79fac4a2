from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import models

from config import files
from config.encrypted import EncryptedTextField


def encrypted_file_fields():
    """Every file field of every installed model: uploads are encrypted at rest, whichever app holds them."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field.name


class Command(BaseCommand):
    help = "Re-encrypt every stored upload with the newest key of BAOVE_FILE_KEYS (after adding a new key first)."

    def handle(self, *args, **options):
        done = 0
        for model, name in encrypted_file_fields():
            for row in model.objects.exclude(**{name: ""}).iterator():
                stored_file = getattr(row, name)
                if not stored_file.name.endswith(files.ENCRYPTED_SUFFIX):
                    continue
                with stored_file.open("rb") as handle:
                    stored = handle.read()
                rotated = files.rotate(stored)
                stored_file.storage.replace(stored_file.name, ContentFile(rotated))  # atomic: never deleted first
                done += 1
        secrets = 0
        for model in apps.get_models():
            names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
            for row in model.objects.only("pk", *names).iterator() if names else ():
                # Read decrypted with any key, written back with the newest.
                model.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in names})
                secrets += 1
        self.stdout.write(f"Re-encrypted {done} files and the secrets of {secrets} rows with the newest key.")

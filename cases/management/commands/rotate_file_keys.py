from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand

from cases.models import Attachment
from config import files
from plans.models import Evidence


class Command(BaseCommand):
    help = "Re-encrypt every stored upload with the newest key of BAOVE_FILE_KEYS (after adding a new key first)."

    def handle(self, *args, **options):
        done = 0
        for model in (Attachment, Evidence):
            for row in model.objects.exclude(file="").iterator():
                if not row.file.name.endswith(files.ENCRYPTED_SUFFIX):
                    continue
                with row.file.open("rb") as handle:
                    stored = handle.read()
                rotated = files.rotate(stored)
                row.file.storage.replace(row.file.name, ContentFile(rotated))  # atomic: never deleted first
                done += 1
        self.stdout.write(f"Re-encrypted {done} files with the newest key.")

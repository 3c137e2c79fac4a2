from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files, with a manifest of row counts and checksums."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="var/backups", help="folder that receives the backup (var/backups)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output, database, **options):
        try:
            folder = backup.create(Path(output), alias=database)
        except (backup.BackupError, OSError) as error:
            raise CommandError(f"Backup failed: {error}") from error
        except Exception as error:  # pg_dump's own message is the useful part
            stderr = getattr(error, "stderr", b"") or b""
            raise CommandError(f"Backup failed: {error} {stderr.decode(errors='replace')[:2000]}") from error
        manifest = backup.read_manifest(folder)
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Backup written to {folder}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{manifest['media_files']} files."
        )

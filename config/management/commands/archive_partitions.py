import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config import backup, partitions


class Command(BaseCommand):
    help = (
        "Move the monthly partitions of the audit trail and the case timeline older than a month to archive "
        "storage: each is detached, dumped (encrypted to the backup recipients, with a manifest) and dropped. "
        "--restore FILE brings one back. PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", help="archive the months before this one, as YYYY-MM")
        parser.add_argument("--to", dest="folder", help="the archive folder")
        parser.add_argument(
            "--table",
            action="append",
            choices=sorted(partitions.PARTITIONED_TABLES),
            help="one table only (repeatable); both by default",
        )
        parser.add_argument("--restore", metavar="FILE", help="an archived .dump.age file to attach again")

    def handle(self, *args, before, folder, table, restore, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Partitions exist on PostgreSQL only; this database keeps plain tables.")
        if restore:
            try:
                name = partitions.restore_archive(Path(restore))
            except (OSError, ValueError, KeyError, backup.BackupError) as error:
                raise CommandError(f"{restore} cannot be restored: {error}") from error
            self.stdout.write(f"restored and attached: {name}")
            return
        if not before or not folder:
            raise CommandError("Give --before YYYY-MM and --to FOLDER (or --restore FILE).")
        try:
            month = datetime.datetime.strptime(before, "%Y-%m").date()
        except ValueError as error:
            raise CommandError(f"--before must be a month as YYYY-MM, not {before!r}") from error
        current = datetime.datetime.now(datetime.UTC).date().replace(day=1)
        if month > current:
            raise CommandError("--before cannot be a future month: its rows are still being written.")
        for name in table or sorted(partitions.PARTITIONED_TABLES):
            for path in partitions.archive(table=name, before=month, folder=Path(folder)):
                self.stdout.write(f"archived: {path}")

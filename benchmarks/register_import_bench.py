"""The register import's measure, in a fresh process (its peak memory is the measure's): a generated register
of N rows (0.5 % bad) checked (the preview) and imported as the officer of COMMUNE, then rolled back, so the
benchmark's data stays as seeded and the next run imports the same rows again.

    python benchmarks/register_import_bench.py --rows 10000 --commune 123   (DATABASE_URL: the bench database)
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class RolledBack(Exception):
    pass


def peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec (see run.py's PDF measure).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--commune", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.utils import timezone

    from agencies.models import AdministrativeUnit, StaffMembership
    from benchmarks.register_sample import register_rows, write_xlsx
    from cases.models import RegisterImport
    from cases.services import register_import as service

    commune = AdministrativeUnit.objects.get(pk=args.commune)
    officer = StaffMembership.objects.filter(unit=commune, role="commune_officer").first().user
    rows = register_rows(args.rows, commune=commune.name, bad=args.rows // 200, today=timezone.localdate())
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "register.xlsx")
        write_xlsx(path, rows)
        del rows
        with open(path, "rb") as source:
            upload_file = SimpleUploadedFile("so-theo-doi.xlsx", source.read())
    result = {"rows": args.rows}
    stored = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            upload = service.register_upload(actor=officer, commune=commune, upload=upload_file)
            stored.append(upload.stored_name)
            service.register_mapping_save(actor=officer, register_import=upload, mapping=upload.mapping)
            service.register_check(upload.pk)
            result["preview_seconds"] = round(time.perf_counter() - started, 2)
            upload.refresh_from_db()
            stored.append(upload.error_file)
            started = time.perf_counter()
            service.register_import_start(actor=officer, register_import=upload)
            service.register_import_run(upload.pk)
            result["import_seconds"] = round(time.perf_counter() - started, 2)
            upload = RegisterImport.objects.get(pk=upload.pk)
            result.update(
                good=upload.good_rows,
                bad=upload.bad_rows,
                duplicates=upload.duplicate_rows,
                imported=upload.imported_rows,
                status=upload.status,
            )
            raise RolledBack
    except RolledBack:
        pass
    finally:
        for name in filter(None, stored):
            Path(service.stored_path(name)).unlink(missing_ok=True)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

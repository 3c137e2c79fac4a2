"""Issue 20's offline figures, taken by a browser test (tests/e2e/test_offline_bench.py, Chromium at
390×844) on a test database: the shell's load with no network (< 1 s), 50 queued items sent on an
emulated slow mobile connection (1.6 Mbps / 150 ms, < 10 s), and the shell and its forms (≤ 300 KB
gzip-compressed). Part of `make bench` (group "offline"); on its own: `make bench-offline`, which
writes benchmarks/results-offline.json."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.machine import LoadWatch, limit_entry  # noqa: E402

TARGETS = (
    ("offline_shell_load", "shell_offline_seconds", "s", 1, "The offline forms' load with no network, to the load event (from the service worker's cache)"),
    ("offline_sync_50_items", "sync_50_seconds", "s", 10, "50 items queued offline, all sent and acknowledged at 1.6 Mbps / 150 ms"),
    ("offline_shell_and_forms_weight", "shell_and_forms_kb", "KB", 300, "The offline shell pages, the service worker and every asset it keeps, gzip-compressed"),
)  # fmt: skip


def offline_entries(load_of) -> list[dict]:
    """Run the browser test and turn its figures into result entries; LOAD_OF() gives the machine load."""
    out = ROOT / "var" / "bench-offline" / "figures.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    prefix = os.environ.get("BENCH_DATABASE_PREFIX", "baove_bench")
    env = {
        **os.environ,
        "BAOVE_OFFLINE_OUT": str(out),
        "TEST_DATABASE_NAME": f"test_{prefix}_offline",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/e2e/test_offline_bench.py"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    figures = json.loads(out.read_text())
    load = load_of()
    entries = [
        limit_entry(name, figures[key], unit, limit, description, load)
        for name, key, unit, limit, description in TARGETS
    ]
    return entries


def main() -> None:
    watch = LoadWatch(set())
    watch.mark()
    entries = offline_entries(watch.take)
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "results": entries,
        "all_targets_met": all(entry["meets_target"] for entry in entries),
    }
    target = ROOT / "benchmarks" / "results-offline.json"
    target.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}: {'every target met' if report['all_targets_met'] else 'some targets NOT met'}")


if __name__ == "__main__":
    main()

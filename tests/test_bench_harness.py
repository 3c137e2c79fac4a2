"""The benchmark records what it claims (issue 23): each page's queries per request, and how busy the
machine was while each measure ran."""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
import zoneinfo

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks import run as bench
from benchmarks.machine import BUSY_SHARE, LoadWatch, busy_warning, taken_by_others
from benchmarks.seed import seed

AS_OF = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
# A process using one core for SECONDS, started by a shell that exits at once: its parent is no
# longer this process, so it is another process to the load watch.
BURN = "import time\nstarted = time.monotonic()\nwhile time.monotonic() - started < {seconds}: pass"


def _queries_of_one_request(client, url: str) -> int:
    """Counted by Django's own capture, read at once; after a first request, as the measures warm up."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db(transaction=True)  # the seed writes with COPY, which commits as it goes
def test_every_page_measure_records_the_queries_of_each_request(agency_types, default_ladders, settings):
    settings.TWO_FACTOR_ROLES = ["commune_officer", "chairman", "focal_point", "coordinator", "system_admin"]
    seed(children=600, cases=150, deadlines=2000, seed_value=7, as_of=AS_OF, log=lambda _message: None)
    who = bench.cast()
    results = bench.Results({connection.settings_dict["NAME"]})

    bench.measure_lists(results, who, repeat=4)
    bench.measure_search(results, who, repeat=4, children=600)
    bench.measure_case_page(results, who, repeat=4)
    bench.measure_history(results, who, repeat=4)
    bench.measure_duplicates(results, who, repeat=4)
    bench.measure_intake(results, who, count=3)
    bench.measure_reports(results, who, repeat=1, pdf=False)
    bench.measure_exports(results, who, repeat=1, rows=100)

    entries = {entry["name"]: entry for entry in results.entries}
    assert set(entries) == {
        "officer_case_list", "officer_case_list_kept", "officer_case_list_query", "province_case_list",
        "child_search", "case_page", "history_snapshot", "intake_rate", "province_indicators_json",
        "duplicate_suggestion", "duplicate_suggestion_child", "export_case_rows_xlsx", "export_case_rows_csv",
    }  # fmt: skip
    for entry in entries.values():
        assert entry["queries_per_request"]["min"] > 0, entry["name"]
        assert entry["floor_queries_per_request"]["min"] > 0, entry["name"]
        assert set(entry["machine_load"]["cpu_share"]) == {
            "this_benchmark", "other_processes", "ended_database_backends", "stolen_by_hypervisor", "unattributed",
            "idle",
        }  # fmt: skip
        assert entry["machine_load"]["seconds"] > 0
        assert len(entry["machine_load"]["load_average_before"]) == 3
        assert isinstance(entry["machine_load"]["busy"], bool)

    # The list opened again unchanged is kept (its stamps read, no count and no rows); the measure of the list reads
    # them each time (its unfiltered pages: count and rows).
    kept, read = entries["officer_case_list_kept"], entries["officer_case_list"]
    assert kept["queries_per_request"]["max"] < read["queries_per_request"]["max"]

    # The recorded counts are those of a request, as Django's own capture counts one taken alone.
    case_url = f"/cases/{who['case'].pk}/"
    case_page = entries["case_page"]
    alone = _queries_of_one_request(bench._client(who["officer"]), case_url)
    assert case_page["queries_per_request"] == {"min": alone, "median": alone, "max": alone}
    assert case_page["queries"] == {"short_timeline": alone, "timeline_plus_300": alone}
    assert case_page["queries_per_request_with_300_more_events"]["median"] == alone
    assert case_page["queries_independent_of_timeline"] is True
    # BEGIN, the report, the child, the case file, its event, the form of abuse, the no-contact rule, the four
    # deadlines in one INSERT, the two audit rows in one, COMMIT
    assert entries["intake_rate"]["floor_queries_per_request"]["median"] == 10
    assert entries["intake_rate"]["floor_core_rows"] > 0
    # Memberships, a waiting transfer, the count, the page, its deadlines, the read's audit row.
    assert entries["officer_case_list_query"]["floor_queries_per_request"]["median"] == 6
    assert entries["officer_case_list_query"]["target"] == {"p95": 0.100, "max_ratio": 2.0}
    # The search's floor: the names close to the query, then the children of the best of them.
    assert entries["child_search"]["floor_queries_per_request"]["median"] == 2
    assert entries["child_search"]["target"] == {"p95": 0.100}
    assert entries["child_search"]["ranking_every_candidate"]["value"] > 0
    # The export read the rows asked for (the seed has more files than that) and records its memory.
    assert entries["export_case_rows_xlsx"]["rows"] == entries["export_case_rows_csv"]["rows"] == 100
    assert entries["export_case_rows_csv"]["peak_rss_mb"] > 0


def test_a_page_measure_that_records_zero_queries_is_refused():
    results = bench.Results(set())
    broken = bench.Samples([0.010, 0.011, 0.012])
    broken.queries = [30, 0, 30]  # one count read after the query log was emptied
    with pytest.raises(bench.HarnessError, match="recorded 0 queries"):
        results.add("case_page", broken, "s", target={"p95": 0.1})
    with pytest.raises(bench.HarnessError, match="recorded no query count"):
        results.add("case_page", [0.010, 0.011], "s", target={"p95": 0.1})
    assert results.entries == []

    rendering = bench.Samples([0.4, 0.5])
    rendering.queries = [0, 0]
    results.add("province_report_pdf", rendering, "s", target={"value": 3.0}, reads_database=False)
    assert results.entries[0]["queries_per_request"] == {"min": 0, "median": 0, "max": 0}


def _start_elsewhere(script: str) -> int:
    """Run SCRIPT under a shell that returns at once: the process is not a descendant of this one."""
    started = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -c "$0" >/dev/null 2>&1 & echo $!', script],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(started.stdout)


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have burnt its time and ended
        os.kill(pid, signal.SIGTERM)


@pytest.mark.django_db
def test_the_load_watch_tells_this_benchmark_from_other_processes(settings):
    watch = LoadWatch({connection.settings_dict["NAME"]})

    # This benchmark's PostgreSQL backend working while this process waits for it.
    watch.mark()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(i) FROM generate_series(1, 6000000) AS i")
    database_work = watch.take()
    assert database_work["cpu_share"]["this_benchmark"] >= 0.2, database_work

    # A child of this process, waited for.
    watch.mark()
    subprocess.run([sys.executable, "-c", BURN.format(seconds=1.0)], check=True)
    child_work = watch.take()
    assert child_work["cpu_share"]["this_benchmark"] >= 0.2, child_work

    # Another process: the machine was busy.
    other = _start_elsewhere(BURN.format(seconds=1.5))
    try:
        time.sleep(0.2)
        watch.mark()
        time.sleep(1.0)
        busy = watch.take()
    finally:
        _stop(other)
    assert busy["cpu_share"]["other_processes"] > BUSY_SHARE, busy
    assert busy["busy"] is True

    # Another process's child that starts and ends between the readings: its parent waits for it.
    parent = _start_elsewhere(
        "import subprocess, sys, time\n"
        "time.sleep(0.2)\n"
        f"subprocess.run([sys.executable, '-c', {BURN.format(seconds=0.6)!r}])\n"
        "time.sleep(2)"
    )
    try:
        watch.mark()
        time.sleep(1.2)
        short_lived = watch.take()
    finally:
        _stop(parent)
    assert short_lived["cpu_share"]["other_processes"] >= 0.15, short_lived

    # A backend of another database that ends between the readings: busy, unless the measure says
    # that it opened and closed connections of its own.
    database = settings.DATABASES["default"]
    watch.mark()
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], password=database["PASSWORD"] or None,
        dbname="postgres",
    ) as elsewhere:  # fmt: skip
        elsewhere.execute("SELECT sum(i) FROM generate_series(1, 6000000) AS i").fetchall()
    time.sleep(0.1)  # the server waits for its ended backend
    ended = watch.take(own_connections_churn=True)
    assert ended["cpu_share"]["ended_database_backends"] >= 0.1, ended
    assert taken_by_others(ended) < taken_by_others({**ended, "own_connections_churn": False})

    quiet = {**child_work, "busy": False}
    warning = busy_warning(
        [{"name": "intake_rate", "machine_load": busy}, {"name": "case_page", "machine_load": quiet}]
    )
    assert warning.startswith("WARNING: the machine was busy during 1 of 2 measures")
    assert "intake_rate" in warning
    assert "case_page" not in warning
    assert busy_warning([{"name": "case_page", "machine_load": quiet}]) is None


def test_merge_replaces_only_the_measures_of_the_run():
    earlier = {
        "date": "2026-11-30T06:00:00+00:00",
        "scale": {"children": 1_000_000},
        "results": [
            {"name": "officer_case_list", "p95": 0.06, "meets_target": True},
            {"name": "load_case_page", "p95": 9.0, "meets_target": False},
        ],
        "all_targets_met": False,
    }
    report = {
        "date": "2026-12-01T10:00:00+00:00",
        "failed_groups": [],
        "results": [
            {"name": "load_case_page", "p95": 0.8, "meets_target": True},
            {"name": "load_errors", "value": 0, "meets_target": True},
        ],
    }
    merged = bench.merged(earlier, report)
    assert [(e["name"], e["p95"] if "p95" in e else e["value"]) for e in merged["results"]] == [
        ("officer_case_list", 0.06),
        ("load_case_page", 0.8),
        ("load_errors", 0),
    ]
    assert merged["results"][0] == earlier["results"][0]  # kept as it was, without a new date
    assert merged["results"][1]["date"] == report["date"]
    assert merged["date"] == earlier["date"]
    assert merged["scale"] == earlier["scale"]
    assert merged["all_targets_met"] is True
    assert merged["merged"] == [{"date": report["date"], "measures": ["load_case_page", "load_errors"]}]
    assert bench.merged(earlier, {**report, "failed_groups": ["load"]})["all_targets_met"] is False


def test_the_registry_scale_multiplies_every_count_and_keeps_its_own_search_target():
    assert bench.registry_scale(bench.SCALES["full"], 5) == {
        "children": 5_000_000,
        "cases": 1_000_000,
        "deadlines": 5_000_000,
    }
    assert bench.search_target(1_000_000) == 0.100
    assert bench.search_target(100_000) == 0.100
    assert bench.search_target(5_000_000) == 0.150


def test_merge_replaces_the_registry_points_of_the_curve_and_counts_their_targets():
    national = {"children": 1_000_000}
    registry = {"children": 5_000_000}
    earlier = {
        "results": [{"name": "child_search", "p95": 0.09, "meets_target": True}],
        "scaling_curve": [
            {"name": "child_search@10%", "p95": 0.02, "scale": {"children": 100_000}},
            {"name": "child_search@500%", "p95": 0.4, "meets_target": False, "scale": registry},
        ],
    }
    report = {
        "date": "2026-12-01T14:00:00+00:00",
        "failed_groups": [],
        "results": [{"name": "officer_case_list", "p95": 0.03, "meets_target": True, "scale": national}],
        "scaling_curve": [{"name": "child_search@500%", "p95": 0.12, "meets_target": True, "scale": registry}],
    }
    merged = bench.merged(earlier, report)
    assert [(e["name"], e["p95"]) for e in merged["scaling_curve"]] == [
        ("child_search@10%", 0.02),
        ("child_search@500%", 0.12),
    ]
    assert merged["scaling_curve"][1]["date"] == report["date"]
    assert merged["all_targets_met"] is True
    assert merged["merged"][-1]["measures"] == ["child_search@500%", "officer_case_list"]
    missed = {**report, "scaling_curve": [{**report["scaling_curve"][0], "meets_target": False}]}
    assert bench.merged(earlier, missed)["all_targets_met"] is False

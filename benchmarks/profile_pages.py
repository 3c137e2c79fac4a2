"""Where each page type of the load test spends its time, in this process against the bench database:
the time of each request split into SQL (every query timed through connection.execute_wrapper) and
Python (the rest), the queries per request, and on demand the slowest queries and a cProfile.

    python benchmarks/profile_pages.py                       # every page type, 10 requests each
    python benchmarks/profile_pages.py --only "case page" --queries      # its queries, slowest first
    python benchmarks/profile_pages.py --only "officer home" --profile   # its Python, by own time

The people are those of the load test (benchmarks/load.py): the busiest communes' officers, chairmen and
agency focal points, their provinces' coordinators and leaders, each with a session past its second factor.
Each page is asked a few times before the measure (templates compiled, caches filled), as in a server up all
morning; `share` is the page type's share of the load test's requests (benchmarks/load_users.py weights).
"""

import argparse
import collections
import cProfile
import json
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import databases  # noqa: E402

# Share of each page type in the load test's requests: user weight × task weight / the user's task weights.
SHARES = {
    "officer home": 10 / 18 * 4 / 17,
    "officer case list": 10 / 18 * 4 / 17,
    "case page": 10 / 18 * 6 / 17,
    "intake form": 10 / 18 * 1 / 17,
    "chairman home": 2 / 18,
    "agency home": 4 / 18 * 2 / 5,
    "agency inbox": 4 / 18 * 3 / 5,
    "coordinator home": 1 / 18 * 2 / 3,
    "province dashboard": 1 / 18 * 1 / 3 + 1 / 18,
}


def _people(communes: int) -> dict:
    from django.contrib.auth import get_user_model

    from benchmarks.load import busiest_communes
    from cases.models import CaseFile

    users = get_user_model().objects
    cast = collections.defaultdict(list)
    busiest, provinces = busiest_communes(communes)
    for commune in busiest:
        cases = list(
            CaseFile.objects.filter(commune_id=commune.pk).order_by("-opened_at").values_list("pk", flat=True)[:10]
        )
        cast["officer"].append((users.get(username=f"cb.{commune.pk}"), cases))
        cast["chairman"].append(users.get(username=f"ct.{commune.pk}"))
        cast["focal_point"] += [users.get(username=f"ca.{commune.pk}"), users.get(username=f"yt.{commune.pk}")]
    for province in provinces:
        cast["coordinator"].append((users.get(username=f"dp.{province.pk}"), province.code))
        cast["leader"].append((users.get(username=f"ld.{province.pk}"), province.code))
    return cast


def _requests(cast: dict) -> dict[str, list[tuple]]:
    """Page type → (user, path) pairs, cycling over the cast."""
    pages = collections.defaultdict(list)
    for officer, cases in cast["officer"]:
        pages["officer home"].append((officer, "/"))
        pages["officer case list"].append((officer, "/cases/"))
        pages["intake form"].append((officer, "/cases/new/"))
        pages["case page"] += [(officer, f"/cases/{case}/") for case in cases]
    pages["chairman home"] = [(user, "/") for user in cast["chairman"]]
    pages["agency home"] = [(user, "/") for user in cast["focal_point"]]
    pages["agency inbox"] = [(user, "/assignments/") for user in cast["focal_point"]]
    pages["coordinator home"] = [(user, "/") for user, _ in cast["coordinator"]]
    pages["province dashboard"] = [(user, f"/reports/?unit={code}") for user, code in cast["leader"]]
    return pages


class QueryClock:
    def __init__(self):
        self.seconds = 0.0
        self.count = 0
        self.by_sql = collections.defaultdict(lambda: [0, 0.0, ""])

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.seconds += spent
            self.count += 1
            shape = re.sub(r"\s+", " ", sql)
            entry = self.by_sql[shape]
            entry[0] += 1
            entry[1] += spent
            entry[2] = (sql, params)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", help="page type (repeatable)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--communes", type=int, default=5)
    parser.add_argument("--queries", action="store_true", help="print the queries, by time spent")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the five slowest queries")
    parser.add_argument("--profile", action="store_true", help="cProfile, by own time")
    parser.add_argument("--output", help="write the figures as JSON")
    args = parser.parse_args()

    import os

    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["DATABASE_URL"] = databases.url(databases.scale_database(1_000_000))
    import django

    django.setup()
    from django.db import connection

    from benchmarks.run import _client

    cast = _people(args.communes)
    clients = {}
    figures = {}
    for name, pairs in _requests(cast).items():
        if args.only and name not in args.only:
            continue
        for user, _ in pairs:
            clients.setdefault(user.pk, _client(user))
        for user, path in pairs[:3] * 2:  # warm: templates, caches
            assert clients[user.pk].get(path).status_code == 200, (name, path)
        walls, sqls, counts, cpus = [], [], [], []
        clock_all = QueryClock()
        profiler = cProfile.Profile() if args.profile else None
        for i in range(args.repeat):
            user, path = pairs[i % len(pairs)]
            clock = QueryClock()
            with connection.execute_wrapper(clock):
                cpu, start = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                response = clients[user.pk].get(path)
                if profiler:
                    profiler.disable()
                walls.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
            assert response.status_code == 200, (name, path, response.status_code)
            sqls.append(clock.seconds)
            counts.append(clock.count)
            for shape, (count, spent, example) in clock.by_sql.items():
                entry = clock_all.by_sql[shape]
                entry[0] += count
                entry[1] += spent
                entry[2] = example
        wall, sql = statistics.median(walls), statistics.median(sqls)
        figures[name] = {
            "median_ms": round(wall * 1000, 1),
            "sql_ms": round(sql * 1000, 1),
            "python_ms": round((wall - sql) * 1000, 1),
            "process_cpu_ms": round(statistics.median(cpus) * 1000, 1),
            "queries": statistics.median_low(counts),
            "share": round(SHARES[name], 3),
            "weighted_ms": round(wall * 1000 * SHARES[name], 1),
        }
        print(name, figures[name], flush=True)
        if args.queries or args.explain:
            ranked = sorted(clock_all.by_sql.items(), key=lambda item: -item[1][1])
            for shape, (count, spent, _) in ranked[:40]:
                print(f"   {spent / args.repeat * 1000:7.2f} ms/req  {count / args.repeat:5.1f}x  {shape[:400]}")
            if args.explain:
                for _shape, (_, _, (sql, params)) in ranked[:5]:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                        print("\n".join(row[0] for row in cursor.fetchall()))
                        print("-" * 60)
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    total = sum(entry["weighted_ms"] for entry in figures.values())
    print(f"weighted total (ms per request of the mix): {total:.1f}")
    if args.output:
        Path(args.output).write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()

"""The benchmark's PostgreSQL databases, named from one prefix.

BENCH_DATABASE_PREFIX (default baove_bench) lets two runs share a PostgreSQL server without
reseeding or emptying each other's data: each scale lives in <prefix>_<children>, the escalation
scan in <prefix>.
"""

import os


def prefix() -> str:
    return os.environ.get("BENCH_DATABASE_PREFIX", "baove_bench")


def scale_database(children: int) -> str:
    return f"{prefix()}_{children}"


def escalation_database() -> str:
    return prefix()


def url(database: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{database}"

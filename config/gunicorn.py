"""Gunicorn's hooks (`gunicorn --config python:config.gunicorn …`): with PROMETHEUS_MULTIPROC_DIR set, each
worker writes its metrics to files there, read together by any worker's /metrics (config/metrics.py); the
files of a worker that exited are marked dead, so its gauges leave the figures and its counters stay."""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

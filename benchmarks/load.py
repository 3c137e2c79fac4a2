"""The load test of a busy morning: many people at once against gunicorn on loopback (the `load` group of
benchmarks/run.py; `make bench-load`).

People of the bench seed (the busiest communes' officers, chairmen and agency focal points, their provinces'
coordinators and leaders) each get a session that passed its second factor, as the benchmark's other measures
do; locust (benchmarks/load_users.py, in its own process) ramps up to the number of users and holds them there,
each reading a page every few seconds. Gunicorn serves the benchmark's settings with WORKERS workers and
persistent database connections, as in production. Recorded per page type: the p95 of the answers after the
ramp, and the errors (5xx, connection errors, answers a page should not give), which must be 0.
"""

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4  # two per core on the 2-core machine of the benchmark: a worker waiting on PostgreSQL leaves the core
PAGE_TARGETS = {  # p95 under load (seconds): a page a person waits for; the dashboard computes every indicator
    "province dashboard": 3.0,
}
PAGE_TARGET = 2.0
THINK_SECONDS = (5.0, 15.0)  # a person reads a page, types, decides: 5 to 15 s between two requests


def session_past_second_factor(user) -> tuple[str, str]:
    """A session of USER that passed its second factor, and a CSRF secret for its cookie."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = SessionStore(session_key=client.session.session_key)
    session["otp_device_id"] = device.persistent_id
    session.save()
    return session.session_key, secrets.token_hex(16)  # 32 characters: Django's unmasked CSRF secret


def busiest_communes(communes: int) -> tuple[list, list]:
    """The COMMUNES communes of the seed holding the most case files, and their provinces (units)."""
    from django.db import connection

    from agencies.models import AdministrativeUnit

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT commune_id FROM cases_casefile GROUP BY commune_id ORDER BY count(*) DESC, commune_id LIMIT %s",
            [communes],
        )
        busiest = [row[0] for row in cursor.fetchall()]
    units = list(AdministrativeUnit.objects.filter(pk__in=busiest))
    provinces = {int(commune.path.strip("/").split("/")[0]) for commune in units}
    return units, list(AdministrativeUnit.objects.filter(pk__in=provinces))


def people(communes: int) -> dict:
    """The people of the COMMUNES busiest communes of the seed and of their provinces, by role."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from cases.models import CaseFile

    users = get_user_model().objects
    cast = {"officer": [], "chairman": [], "focal_point": [], "coordinator": [], "leader": []}
    busiest, provinces = busiest_communes(communes)
    for commune in busiest:
        cases = list(
            CaseFile.objects.filter(commune_id=commune.pk).order_by("-opened_at").values_list("pk", flat=True)[:40]
        )
        officer = users.get(username=f"cb.{commune.pk}")
        session, csrf = session_past_second_factor(officer)
        token, _ = Token.objects.get_or_create(user=officer)
        cast["officer"].append(
            {"session": session, "csrf": csrf, "token": token.key, "commune_pk": commune.pk, "cases": cases}
        )
        for role, prefixes in (("chairman", ["ct"]), ("focal_point", ["ca", "yt"])):
            for prefix in prefixes:
                session, csrf = session_past_second_factor(users.get(username=f"{prefix}.{commune.pk}"))
                cast[role].append({"session": session, "csrf": csrf})
    for province in provinces:
        for role, prefix in (("coordinator", "dp"), ("leader", "ld")):
            session, csrf = session_past_second_factor(users.get(username=f"{prefix}.{province.pk}"))
            cast[role].append({"session": session, "csrf": csrf, "unit_code": province.code})
    return cast


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3):
                return
        except OSError:
            time.sleep(0.2)
    raise OSError(f"gunicorn did not listen on {port} within {seconds:.0f} s")


def _warm(port: int, cast: dict) -> None:
    """Every page type a few times in each worker before the ramp (templates compiled, caches filled), so that
    the figures are those of a server that has been up all morning."""
    paths = []
    for person in cast["officer"]:
        paths += [(person, "/"), (person, "/cases/"), (person, "/cases/new/")]
        paths += [(person, f"/cases/{case}/") for case in person["cases"][:3]]
    paths += [(person, "/") for person in cast["chairman"] + cast["coordinator"]]
    paths += [(person, "/assignments/") for person in cast["focal_point"]]
    paths += [(person, f"/reports/?unit={person['unit_code']}") for person in cast["leader"]]

    def get(chunk):
        for person, path in chunk:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            cookie = f"sessionid={person['session']}; csrftoken={person['csrf']}"
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            connection.getresponse().read()
            connection.close()

    threads = [threading.Thread(target=get, args=(paths[i::WORKERS],)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def queries_per_page(cast: dict, repeat: int = 3) -> dict[str, list[int]]:
    """The queries of each page type that only reads, counted in this process through the same URLs and
    settings (gunicorn's workers are other processes): one person of each role, after one warm-up request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    officer, leader = cast["officer"][0], cast["leader"][0]
    token = {"HTTP_AUTHORIZATION": f"Token {officer['token']}"}
    pages = {
        "officer home": (officer, "/", {}),
        "officer case list": (officer, "/cases/", {}),
        "case page": (officer, f"/cases/{officer['cases'][0]}/", {}),
        "intake form": (officer, "/cases/new/", {}),
        "api case list received": (None, "/api/v1/cases/?state=received", token),
        "chairman home": (cast["chairman"][0], "/", {}),
        "agency home": (cast["focal_point"][0], "/", {}),
        "agency inbox": (cast["focal_point"][0], "/assignments/", {}),
        "coordinator home": (cast["coordinator"][0], "/", {}),
        "province dashboard": (leader, f"/reports/?unit={leader['unit_code']}", {}),
    }
    counts = {}
    for name, (person, path, headers) in pages.items():
        client = Client()
        if person is not None:
            client.cookies["sessionid"] = person["session"]
        counts[name] = []
        for attempt in range(repeat + 1):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, **headers)
            if response.status_code != 200:
                raise ValueError(f"load: {name} answered {response.status_code} in this process")
            if attempt:  # the first one warms up
                counts[name].append(len(captured))
    return counts


def run(database_url: str, cast: dict, *, users: int, ramp: float, hold: float) -> dict:
    """Serve, load, and return what benchmarks/load_users.py recorded (with the gunicorn's log tail)."""
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="baove-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "BENCH_CONN_MAX_AGE": "60",  # persistent connections, as production's CONN_MAX_AGE
    }
    log = (work / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "benchmarks.wsgi", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for(port, 60)
        _warm(port, cast)
        config = {
            "base_url": f"http://127.0.0.1:{port}",
            "users": users,
            "ramp_seconds": ramp,
            "hold_seconds": hold,
            "think_seconds": THINK_SECONDS,
            "utc_offset_hours": 7,
            "people": cast,
        }
        (work / "config.json").write_text(json.dumps(config))
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "load_users.py"), str(work / "config.json"),
             str(work / "result.json")],
            cwd=ROOT, check=True, timeout=ramp + hold + 300,
        )  # fmt: skip
        result = json.loads((work / "result.json").read_text())
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    result["server_log"] = (work / "gunicorn.log").read_text(errors="replace")[-3000:]
    result["people"] = {role: len(items) for role, items in cast.items()}
    shutil.rmtree(work, ignore_errors=True)  # its configuration holds the people's sessions
    return result


def measure_load(results, database_url: str, *, users: int, ramp: float, hold: float, communes: int) -> None:
    """Adds to RESULTS one entry per page type (p95 under load) and `load_errors` (must be 0)."""
    cast = people(communes)
    queries = queries_per_page(cast)
    result = run(database_url, cast, users=users, ramp=ramp, hold=hold)
    load = results.take_load(own_connections_churn=True)
    errors_by_page: dict[str, int] = {}
    for error in result["errors"]:
        errors_by_page[error["name"]] = errors_by_page.get(error["name"], 0) + 1
    measured = sum(len(times) for times in result["times"].values())
    window = (result["ended"] - result["measured_from"]) if result.get("measured_from") else hold
    for name, times in sorted(result["times"].items()):
        if not times:
            continue
        results.add(
            "load_" + name.replace(" ", "_"),
            times,
            "s",
            target={"p95": PAGE_TARGETS.get(name, PAGE_TARGET)},
            query_counts=queries.get(name),  # counted in this process; none for the steps that write
            reads_database=name in queries,
            load=load,
            description=f"'{name}' with {users} people at once (think time {THINK_SECONDS[0]:g}–{THINK_SECONDS[1]:g} s), "
            f"gunicorn {WORKERS} workers on loopback, after a {ramp:g} s ramp",
            errors=errors_by_page.get(name, 0),
            answers=result["answers"].get(name, {}),
        )
        entry = results.entries[-1]
        entry["meets_target"] = entry["meets_target"] and not entry["errors"]
    errors = len(result["errors"])
    results.add(
        "load_errors",
        [errors],
        "errors",
        target={"value": 0},
        reads_database=False,
        load=load,
        description=f"5xx, connection errors and wrong answers with {users} people at once, the whole run "
        f"(ramp {ramp:g} s and hold {hold:g} s)",
        users=users,
        people=result["people"],
        requests=sum(sum(counts.values()) for counts in result["answers"].values()),
        requests_per_second_held=round(measured / window, 1) if window else None,
        expected_conflicts=result["conflicts"],
        first_errors=result["errors"][:10],
        errors_by_page=errors_by_page,
    )
    if errors:
        print(f"load: {errors} errors; gunicorn's log ends with:\n{result['server_log'][-1500:]}", flush=True)

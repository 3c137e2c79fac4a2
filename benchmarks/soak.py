"""BaoVe's soak test: a bounded mixed load against production settings while parts fail, then a count of
what was lost, doubled or left behind. Not part of the test suite nor CI (`make soak`).

    python benchmarks/soak.py                  # 10 minutes of load (SOAK_MINUTES, --minutes)
    python benchmarks/soak.py --minutes 3

What runs, all on loopback and all of its own:
- a PostgreSQL database (SOAK_DATABASE, default baove_soak, on 127.0.0.1:5432), created, migrated and
  seeded with `bench_seed` (the 3,321 communes, their staff, a few thousand children and case files),
  dropped at the end (--keep leaves it);
- a Redis server on its own port (SOAK_REDIS_PORT, default 6390; no persistence), broker and cache;
- gunicorn serving config.wsgi with config.settings.production (2 workers), a Celery worker (prefork,
  concurrency 2) and beat (django-celery-beat's database scheduler), as docker-compose runs them;
- a webhook receiver (a local HTTP server): every notification is also sent to it, so a delivery sent
  twice, or marked sent and never received, is seen;
- locust users (benchmarks/soak_load.py): the hotline posting reports through the API, officers on the
  pages (case list, case pages, the report form, periodic report drafts and their PDF preview) and
  through the API (lists, the assessment step, attachments).

In the middle of the load: at 30 % the Celery worker is killed with SIGKILL (and started again 5 s
later), at 50 % Redis is killed and started again empty after a 15 s outage, at 70 % every PostgreSQL
connection to the soak database is ended (pg_terminate_backend). After the load the worker is given
time to drain (bounded: --drain-minutes, default 12, enough for the five-minute re-drive of deliveries
whose broker message was lost), then the figures are printed and the exit status is 1 on any failure:
- any 5xx answer or connection error, except a 503 with Retry-After within 20 s after the PostgreSQL
  purge (the README promises 503 with Retry-After while the database is unreachable; while Redis is down
  reports must still be taken, so a 503 then is a failure);
- a report or attachment answered as accepted and not in the database, a stored report without its
  deadlines, an API attachment row without its file, a file without a row;
- a notification twice for the same person, deadline and step (or hand-off), a webhook delivery
  received twice, or marked sent and never received;
- work left behind after the drain: outbox messages not sent, deliveries pending or being sent,
  escalation steps due more than three minutes ago and not fired, draft previews still queued or
  rendering;
- gunicorn, the worker or beat dead at the end.
Gunicorn, the worker and beat are started again when they exit by themselves, a second later, as
docker-compose's `restart: unless-stopped` does in production; each such exit is printed (not a failure
by itself: what it lost or left behind is).
"""

import argparse
import collections
import contextlib
import datetime
import http.server
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PERIOD = "2026-H1"
PG_503_GRACE = 20  # seconds after the PostgreSQL purge during which a 503 with Retry-After is expected


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# ---------------------------------------------------------------------------------------------- parts


class Part:
    """A process of the soak (gunicorn, worker, beat, Redis) in its own process group."""

    def __init__(self, name: str, command: list[str], env: dict, logs: Path):
        self.name, self.command, self.env, self.logs = name, command, env, logs
        self.process: subprocess.Popen | None = None
        self.supervised = False  # restarted when it exits, as docker-compose's `restart: unless-stopped` does
        self.exits: list[tuple[float, int]] = []  # (time, exit status) of the exits the supervisor saw

    def start(self) -> None:
        handle = (self.logs / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


class Supervisor(threading.Thread):
    """Starts a supervised part again when it exits by itself, after a second, and remembers the exit."""

    def __init__(self, parts: list[Part]):
        super().__init__(daemon=True)
        self.parts, self.running = parts, True
        self.lock = threading.Lock()

    def run(self) -> None:
        while self.running:
            with self.lock:
                for part in self.parts:
                    if part.supervised and part.process is not None and part.process.poll() is not None:
                        part.exits.append((time.time(), part.process.returncode))
                        log(f"{part.name} exited by itself (status {part.process.returncode}); started again")
                        time.sleep(1)
                        part.start()
            time.sleep(1)

    def stop(self) -> None:
        self.running = False
        with self.lock:
            for part in self.parts:
                part.supervised = False


def _port_answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.3):
        return True
    return False


def _wait(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(0.3)
    raise SystemExit(f"soak: timed out waiting for {what}")


def _redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


class WebhookSink(http.server.ThreadingHTTPServer):
    """Counts each delivery id it receives."""

    daemon_threads = True

    def __init__(self):
        self.received: collections.Counter = collections.Counter()
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with contextlib.suppress(ValueError, KeyError):
                    delivery = json.loads(body)["delivery"]
                    with sink.lock:
                        sink.received[delivery] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


# ---------------------------------------------------------------------------------------------- setup


def _environment(args, work: Path) -> dict:
    from cryptography.fernet import Fernet

    redis_base = f"redis://127.0.0.1:{args.redis_port}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{args.database}",
        "CELERY_BROKER_URL": f"{redis_base}/0",
        "REDIS_URL": f"{redis_base}/1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BAOVE_VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "BAOVE_FILE_KEYS": Fernet.generate_key().decode(),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _terminate_connections(name: str) -> int:
    import psycopg

    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def _cast(args, sink_url: str) -> dict:
    """Three busy communes' officers (a session that passed its second factor, an API token), the hotline's
    token, a webhook endpoint to the sink for every notification."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from agencies.models import Agency, AgencyType, StaffMembership
    from benchmarks.load import session_past_second_factor
    from cases.models import CaseFile
    from notifications.models import WebhookEndpoint

    hotline_type, _ = AgencyType.objects.get_or_create(
        code="hotline_111", defaults={"name_vi": "Tổng đài 111", "name_en": "Hotline 111"}
    )
    hotline_agency = Agency.objects.create(name="Tổng đài 111", agency_type=hotline_type, unit=None)
    hotline_user = get_user_model().objects.create_user("soak.hotline", first_name="Tổng đài 111")
    StaffMembership.objects.create(user=hotline_user, role="focal_point", agency=hotline_agency, unit=None)
    WebhookEndpoint.objects.create(name="soak receiver", url=sink_url, secret=secrets.token_hex(16), urgent_only=False)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT commune_id FROM cases_casefile GROUP BY commune_id ORDER BY count(*) DESC, commune_id LIMIT 3"
        )
        communes = [row[0] for row in cursor.fetchall()]
    officers = []
    for commune in communes:
        membership = StaffMembership.objects.select_related("user", "unit").get(unit_id=commune, role="commune_officer")
        user = membership.user
        session, csrf = session_past_second_factor(user)
        cases = list(
            CaseFile.objects.filter(commune_id=commune).order_by("-opened_at").values_list("pk", flat=True)[:40]
        )
        officers.append(
            {
                "username": user.username,
                "session": session,
                "csrf": csrf,
                "token": Token.objects.create(user=user).key,
                "commune_pk": commune,
                "commune_code": membership.unit.code,
                "cases": cases,
            }
        )
    return {
        "hotline_token": Token.objects.create(user=hotline_user).key,
        "officers": officers,
        "period": PERIOD,
        "utc_offset_hours": 7,
    }


# ---------------------------------------------------------------------------------------------- checks


class Verdict:
    def __init__(self):
        self.failures: list[str] = []

    def fail_if(self, condition: bool, message: str) -> None:
        if condition:
            self.failures.append(message)


def _settled() -> dict:
    """What is still to be done by the worker and beat."""
    from django.db import close_old_connections
    from django.utils import timezone

    from notifications.models import Deadline, Delivery, OutboxMessage
    from reports.models import PeriodicReport

    close_old_connections()
    now = timezone.now()
    return {
        "outbox messages not sent": OutboxMessage.objects.filter(sent_at__isnull=True).count(),
        "deliveries pending or being sent": Delivery.objects.filter(state__in=["pending", "sending"]).count(),
        "escalation steps due over 3 min ago, not fired": Deadline.objects.filter(
            state="open", next_step_at__lt=now - datetime.timedelta(minutes=3)
        ).count(),
        "draft previews queued or rendering": PeriodicReport.objects.filter(
            preview_state__in=["queued", "running"]
        ).count(),
    }


def _drain(seconds: float) -> dict:
    end = time.monotonic() + seconds
    while True:
        try:
            left = _settled()
        except Exception as error:  # the database may be reconnecting
            log(f"drain: {type(error).__name__}")
            left = None
        if left is not None and not any(left.values()):
            return left
        if time.monotonic() > end:
            return left or {}
        time.sleep(10)


def report(load: dict, faults: list[dict], sink: WebhookSink, started, verdict: Verdict, parts: list[Part]) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import close_old_connections
    from django.db.models import Count

    from cases.models import Attachment, CaseFile, Report
    from config import storage
    from notifications.models import Deadline, Delivery, EscalationFire, Notification

    close_old_connections()
    print("\n================================ BaoVe soak: figures ================================")
    print("\nFaults injected:")
    for fault in faults:
        print(f"  +{fault['t'] - started:6.1f} s  {fault['what']}")

    # ------------------------------------------------------------------ requests by status
    totals: collections.Counter = collections.Counter()
    print("\nRequests by name and status:")
    for name, counts in sorted(load["by_name"].items()):
        totals.update({status: n for status, n in counts.items()})
        shown = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        print(f"  {name:36} {shown}")
    print(f"  {'all':36} " + ", ".join(f"{status}: {n}" for status, n in sorted(totals.items())))
    print(f"  total {sum(totals.values())} requests")
    purges = [fault["t"] for fault in faults if fault["kind"] == "postgres"]
    expected_503 = [
        e
        for e in load["errors_5xx"]
        if e["status"] == 503 and e["retry_after"] and any(p <= e["t"] <= p + PG_503_GRACE for p in purges)
    ]
    other_5xx = [e for e in load["errors_5xx"] if e not in expected_503]
    print(f"  503 with Retry-After within {PG_503_GRACE} s of the PostgreSQL purge (expected): {len(expected_503)}")
    print(f"  other 5xx: {len(other_5xx)}; connection errors: {len(load['connection_errors'])}")
    for error in other_5xx[:20]:
        print(
            f"    +{error['t'] - started:6.1f} s  {error['status']} {error['name']} Retry-After={error['retry_after']}"
        )
    for error in load["connection_errors"][:10]:
        print(f"    +{error['t'] - started:6.1f} s  {error['name']}: {error['error']}")
    verdict.fail_if(bool(other_5xx), f"{len(other_5xx)} answers 5xx outside the expected window")
    verdict.fail_if(bool(load["connection_errors"]), f"{len(load['connection_errors'])} connection errors")
    print(f"  assessment steps by status: {dict(load['transitions'])}")
    print(f"  draft previews followed to their end: {dict(load['previews'])}")
    for refusal in load["refusals"][:5]:
        print(f"  refused ({refusal['name']} {refusal['status']}): {refusal['body'][:200]}")

    # ------------------------------------------------------------------ reports
    accepted = {item["marker"]: item for item in load["accepted_reports"]}
    answered = {item["marker"]: item["status"] for item in load["answered_reports"]}
    soak_reports = Report.objects.filter(narrative__contains="SOAK-")
    stored_markers = {narrative.rsplit(" ", 1)[-1] for narrative in soak_reports.values_list("narrative", flat=True)}
    lost = sorted(set(accepted) - stored_markers)
    stored_unanswered = sorted(stored_markers - set(accepted))
    by_via = collections.Counter(item["via"] for item in accepted.values())
    soak_cases = CaseFile.objects.filter(report__in=soak_reports)
    with_deadlines = set(
        Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(CaseFile), target_id__in=soak_cases.values("pk")
        ).values_list("target_id", flat=True)
    )
    missing_deadlines = sorted(set(soak_cases.values_list("pk", flat=True)) - with_deadlines)
    api_case_ids = {pk for item in accepted.values() for pk in item["case_ids"]}
    api_cases_missing = api_case_ids - set(CaseFile.objects.filter(pk__in=api_case_ids).values_list("pk", flat=True))
    print("\nReports:")
    print(
        f"  posted {len(answered)}; accepted (201 from the API, the form's redirect to the saved list) {len(accepted)}"
    )
    print(f"    through the API {by_via['api']}, through the page form {by_via['page']}")
    print(f"  stored (rows with a soak marker) {len(stored_markers)}; case files {soak_cases.count()}")
    print(f"  accepted and not stored (LOST): {len(lost)} {lost[:10]}")
    print(f"  stored without an accepting answer (the client saw an error or a refusal): {len(stored_unanswered)}")
    for marker in stored_unanswered[:10]:
        print(f"    {marker}: answered {answered.get(marker, 'nothing')}")
    print(
        f"  case files without their deadlines: {len(missing_deadlines)}; API case ids missing: {len(api_cases_missing)}"
    )
    verdict.fail_if(bool(lost), f"{len(lost)} accepted reports not stored")
    verdict.fail_if(bool(missing_deadlines), f"{len(missing_deadlines)} case files without deadlines")
    verdict.fail_if(bool(api_cases_missing), f"{len(api_cases_missing)} case ids answered by the API not stored")

    # ------------------------------------------------------------------ notifications
    since = datetime.datetime.fromtimestamp(started, datetime.UTC)
    new = Notification.objects.filter(created_at__gte=since)
    per_step = new.filter(deadline__isnull=False).values("deadline_id", "step").annotate(n=Count("pk")).order_by("step")
    steps = collections.defaultdict(lambda: [0, 0])
    for row in per_step:
        steps[row["step"]][0] += 1
        steps[row["step"]][1] += row["n"]
    duplicates = list(
        Notification.objects.filter(deadline__isnull=False)
        .values("user_id", "deadline_id", "step")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)[:20]
    )
    key_duplicates = list(
        Notification.objects.exclude(key="").values("user_id", "key").annotate(n=Count("pk")).filter(n__gt=1)[:20]
    )
    fire_duplicates = list(
        EscalationFire.objects.values("deadline_id", "position").annotate(n=Count("pk")).filter(n__gt=1)[:20]
    )
    print("\nNotifications made during the soak:")
    print(f"  {new.count()} in all: {new.filter(deadline__isnull=False).count()} escalation steps, "
          f"{new.exclude(key='').count()} hand-offs")  # fmt: skip
    print("  per (deadline, step):  step  (deadline, step) pairs  notifications")
    for step, (pairs, count) in sorted(steps.items()):
        print(f"                         {step:>4}  {pairs:>21}  {count:>13}")
    print(f"  duplicates (same person, deadline and step): {len(duplicates)} {duplicates}")
    print(f"  duplicates (same person and hand-off): {len(key_duplicates)} {key_duplicates}")
    print(f"  escalation steps fired twice: {len(fire_duplicates)} {fire_duplicates}")
    verdict.fail_if(bool(duplicates or key_duplicates or fire_duplicates), "duplicate notifications")

    # ------------------------------------------------------------------ deliveries
    states = dict(Delivery.objects.values_list("state").annotate(n=Count("pk")).order_by("state"))
    webhook_sent = set(Delivery.objects.filter(channel="webhook", state="sent").values_list("pk", flat=True))
    received = dict(sink.received)
    # A delivery sent again after its worker died mid-send (the claim's lease ran out, a second claim:
    # attempts > 1) is the one repeat the design allows (at least once); the receiver drops it by its
    # delivery id. Received more often than it was claimed is a real duplicate.
    attempts = dict(Delivery.objects.filter(pk__in=list(received)).values_list("pk", "attempts"))
    repeated = {pk: n for pk, n in received.items() if 1 < n <= attempts.get(pk, 1)}
    twice = {pk: n for pk, n in received.items() if n > max(1, attempts.get(pk, 1))}
    never_received = sorted(webhook_sent - set(received))
    received_not_marked = sorted(set(received) - webhook_sent)
    stuck = Delivery.objects.filter(state__in=["pending", "sending"]).count()
    print("\nDeliveries:")
    print(f"  by state: {states}")
    print(f"  stuck pending or being sent: {stuck}")
    print(f"  webhook receiver: {len(received)} deliveries received, {sum(received.values())} requests")
    print(f"  received again after a worker died mid-send (claimed again; same delivery id): {len(repeated)} "
          f"{list(repeated.items())[:10]}")  # fmt: skip
    print(f"  received more often than claimed (DUPLICATE): {len(twice)} {list(twice.items())[:10]}")
    print(f"  marked sent and never received: {len(never_received)} {never_received[:10]}")
    print(f"  received but not marked sent: {len(received_not_marked)} {received_not_marked[:10]}")
    verdict.fail_if(bool(twice), f"{len(twice)} webhook deliveries received more often than claimed")
    verdict.fail_if(bool(never_received), f"{len(never_received)} webhook deliveries marked sent, never received")

    # ------------------------------------------------------------------ work left behind
    left = _settled()
    print("\nLeft after the drain:")
    for what, count in left.items():
        print(f"  {what}: {count}")
        verdict.fail_if(count > 0, f"{count} {what}")

    # ------------------------------------------------------------------ files
    accepted_files = {item["id"]: item for item in load["accepted_attachments"]}
    rows = set(Attachment.objects.filter(pk__in=accepted_files).values_list("pk", flat=True))
    files_lost = sorted(set(accepted_files) - rows)
    check = storage.check(grace=datetime.timedelta(0))
    media = Path(os.environ["MEDIA_ROOT"])
    on_disk = sum(1 for path in media.rglob("*") if path.is_file()) if media.exists() else 0
    file_rows = sum(
        model._default_manager.exclude(**{field.name: ""}).count() for model, field in storage.file_fields()
    )
    print("\nFiles:")
    print(f"  attachments accepted through the API {len(accepted_files)}; their rows {len(rows)}; "
          f"attachment rows in all {Attachment.objects.count()}")  # fmt: skip
    print(f"  files on disk {on_disk}; rows naming a file {file_rows}")
    print(f"  files without a row: {len(check.files_without_rows)} {check.files_without_rows[:10]}")
    print(f"  rows without their file: {len(check.rows_without_files)} {check.rows_without_files[:10]}")
    verdict.fail_if(bool(files_lost), f"{len(files_lost)} accepted attachments not stored")
    verdict.fail_if(not check.is_clean, "orphan files or rows without files")

    # ------------------------------------------------------------------ processes
    dead = [part.name for part in parts if not part.alive()]
    print(f"\nProcesses alive at the end: {', '.join(p.name for p in parts if p.alive())}; dead: {dead or 'none'}")
    for part in parts:
        for when, status in part.exits:
            print(f"  {part.name} exited by itself at +{when - started:.1f} s (status {status}), started again")
    if not any(part.exits for part in parts):
        print("  no process exited by itself")
    verdict.fail_if(bool(dead), f"processes dead at the end: {dead}")


# ---------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES") or 10))
    parser.add_argument("--users", type=int, default=int(os.environ.get("SOAK_USERS") or 8))
    parser.add_argument("--drain-minutes", type=float, default=float(os.environ.get("SOAK_DRAIN_MINUTES") or 12))
    parser.add_argument("--database", default=os.environ.get("SOAK_DATABASE") or "baove_soak")
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("SOAK_REDIS_PORT") or 6390))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SOAK_PORT") or 0))
    parser.add_argument("--keep", action="store_true", help="keep the database and the work folder")
    args = parser.parse_args()
    if args.minutes <= 0 or args.minutes > 60:
        raise SystemExit("soak: --minutes must be between 0 and 60")
    if _port_answers(args.redis_port):
        raise SystemExit(f"soak: something already listens on port {args.redis_port} (SOAK_REDIS_PORT)")
    port = args.port or _free_port()
    work = Path(tempfile.mkdtemp(prefix="baove-soak-"))
    logs = work / "logs"
    logs.mkdir()
    env = _environment(args, work)
    os.environ.update(env)
    python = sys.executable
    redis_part = Part(
        "redis",
        ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        env,
        logs,
    )
    web = Part(
        "gunicorn",
        [python, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", "-", "--access-logformat", '%(t)s "%(m)s %(U)s" %(s)s %(L)s'],
        env, logs,
    )  # fmt: skip
    worker = Part(
        "worker",
        [python, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2",
         "-n", f"soak-{os.getpid()}@%h"],
        env, logs,
    )  # fmt: skip
    beat = Part(
        "beat",
        [python, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
         "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "--schedule", str(work / "beat")],
        env, logs,
    )  # fmt: skip
    parts = [web, worker, beat]
    supervisor = Supervisor(parts)
    sink = WebhookSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    verdict = Verdict()
    started = time.time()
    try:
        log(f"work folder {work}; database {args.database}; Redis on {args.redis_port}; web on {port}")
        _create_database(args.database)
        redis_part.start()
        _wait(lambda: _redis_answers(args.redis_port), 20, "Redis to start")
        import django

        django.setup()
        from django.core.management import call_command

        log("migrating, collecting static files, seeding")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("bench_seed", children=4000, cases=800, deadlines=4000, yes=True, stdout=io.StringIO())
        cast = _cast(args, f"http://127.0.0.1:{sink.server_address[1]}/hook")
        from django.db import connections

        connections.close_all()
        for part in parts:
            part.start()
            part.supervised = True
        supervisor.start()
        _wait(lambda: _port_answers(port), 60, "gunicorn to listen")
        seconds = args.minutes * 60
        config = {
            **cast,
            "base_url": f"http://127.0.0.1:{port}",
            "origin": f"https://127.0.0.1:{port}",
            "users": args.users,
            "seconds": seconds,
        }
        (work / "load.json").write_text(json.dumps(config))
        log(f"load: {args.users} users for {args.minutes:g} min")
        started = time.time()
        load_process = subprocess.Popen(
            [python, str(ROOT / "benchmarks" / "soak_load.py"), str(work / "load.json"), str(work / "result.json")],
            cwd=ROOT,
            stdout=(logs / "load.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        faults = _inject_faults(args, started, seconds, worker, redis_part, supervisor)
        try:
            load_process.wait(timeout=seconds + 180)
        except subprocess.TimeoutExpired:
            load_process.kill()
            raise SystemExit(f"soak: the load did not stop by itself; see {logs / 'load.log'}") from None
        if load_process.returncode != 0 or not (work / "result.json").exists():
            raise SystemExit(f"soak: the load failed; see {logs / 'load.log'}")
        load = json.loads((work / "result.json").read_text())
        log(f"load done; draining (at most {args.drain_minutes:g} min)")
        drain_started = time.time()
        _drain(args.drain_minutes * 60)
        log(f"drained in {time.time() - drain_started:.0f} s")
        report(load, faults, sink, started, verdict, parts)
    finally:
        supervisor.stop()
        for part in [*parts, redis_part]:
            part.kill(signal.SIGTERM if part is not redis_part else signal.SIGKILL)
        sink.shutdown()
        if not args.keep:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            _drop_database(args.database)
    print()
    if verdict.failures:
        print(f"SOAK FAILED ({len(verdict.failures)}):")
        for failure in verdict.failures:
            print(f"  - {failure}")
        print(f"logs kept in {logs}")
        return 1
    print("SOAK PASSED: no loss, no duplicate, no unexpected 5xx")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _inject_faults(
    args, started: float, seconds: float, worker: Part, redis_part: Part, supervisor: Supervisor
) -> list[dict]:
    faults = []

    def at(share: float) -> None:
        time.sleep(max(0.0, started + share * seconds - time.time()))

    def note(kind: str, what: str) -> None:
        faults.append({"t": time.time(), "kind": kind, "what": what})
        log(what)

    at(0.3)
    with supervisor.lock:
        worker.kill(signal.SIGKILL)
        note("worker", "Celery worker killed with SIGKILL")
        time.sleep(5)
        worker.start()
        note("worker", "Celery worker started again")
    at(0.5)
    redis_part.kill(signal.SIGKILL)
    note("redis", "Redis killed (no persistence: its queues and cache are gone)")
    time.sleep(15)
    redis_part.start()
    _wait(lambda: _redis_answers(args.redis_port), 20, "Redis to start again")
    note("redis", "Redis started again, empty")
    at(0.7)
    ended = _terminate_connections(args.database)
    note("postgres", f"PostgreSQL: {ended} connections to {args.database} ended (pg_terminate_backend)")
    return faults


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())

"""The soak's load: locust users (as a library, in a process of their own: locust patches the standard
library with gevent, which Django's database layer must not see) against the soak's gunicorn on loopback.

    python benchmarks/soak_load.py CONFIG.json RESULT.json

CONFIG (written by benchmarks/soak.py) holds the base URL, the run time, the number of users, the
hotline's API token and, for each commune officer, a session cookie, an API token and the commune.
RESULT gets every answer counted by request name and status, the time and Retry-After of every 5xx,
and the markers of the reports and attachments the server accepted (2xx, or the form's redirect to
the saved list), for the soak to look up in the database.

Every request goes through the reverse proxy's header (X-Forwarded-Proto: https), as in production.
"""

import collections
import datetime
import io
import json
import random
import sys
import threading
import time
import uuid

import gevent
import officer_actions  # beside this script (benchmarks/officer_actions.py)
from locust import HttpUser, between, events, task
from locust.env import Environment

CONFIG: dict = {}
RECORD = {
    "by_name": collections.defaultdict(collections.Counter),  # request name → status → count
    "errors_5xx": [],  # {"t", "name", "status", "retry_after"}
    "connection_errors": [],  # {"t", "name", "error"}
    "accepted_reports": [],  # {"marker", "via", "case_ids"}
    "answered_reports": [],  # every marker posted, with its status
    "accepted_attachments": [],  # {"marker", "id", "case"}
    "transitions": collections.Counter(),  # status of the procedure's steps
    "previews": collections.Counter(),  # outcome of each draft preview followed to its end
    "refusals": [],  # the first answers 400 and forms shown again, to read why
}
LOCK = threading.Lock()


@events.request.add_listener
def _count(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    now = time.time()
    with LOCK:
        RECORD["by_name"][f"{request_type} {name}"][str(status)] += 1
        if status >= 500:
            RECORD["errors_5xx"].append(
                {"t": now, "name": name, "status": status, "retry_after": response.headers.get("Retry-After")}
            )
        elif status == 0:
            RECORD["connection_errors"].append({"t": now, "name": name, "error": repr(exception)[:300]})


def _note_refusal(name: str, response) -> None:
    with LOCK:
        if len(RECORD["refusals"]) < 10:
            text = response.text
            if "<html" in text[:200].lower():  # the form shown again: its error messages
                import re

                text = " | ".join(re.findall(r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>(.*?)<', text, re.S))
            RECORD["refusals"].append({"name": name, "status": response.status_code, "body": text[:500]})


def _marker() -> str:
    return f"SOAK-{uuid.uuid4().hex[:16]}"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (random.randrange(256), 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


class _Soak(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.client.headers["Origin"] = CONFIG["origin"]


class Hotline(_Soak):
    """The hotline 111 posts reports through the API with its token; each was received 11.5 hours ago, so
    that the emergency decision's escalation steps fall due during the run."""

    weight = 2

    def on_start(self):
        super().on_start()
        self.client.headers["Authorization"] = f"Token {CONFIG['hotline_token']}"

    @task
    def post_report(self):
        marker = _marker()
        commune = random.choice(CONFIG["officers"])["commune_code"]
        received = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=11, minutes=30)
        body = {
            "received_at": received.isoformat(),
            "receiving_point": "hotline_111",
            "commune_code": commune,
            "source": "hotline_111",
            "setting": "family",
            "narrative": f"Cuộc gọi báo trẻ bị bạo lực. {marker}",
            "abuse_forms": ["violence"],
            "reporter_is_anonymous": True,
            "external_reference": marker,
            "children": [officer_actions.child()],
        }
        with self.client.post("/api/v1/reports/", json=body, name="api report", catch_response=True) as response:
            with LOCK:
                RECORD["answered_reports"].append({"marker": marker, "status": response.status_code})
            if response.status_code == 201:
                with LOCK:
                    RECORD["accepted_reports"].append(
                        {"marker": marker, "via": "api", "case_ids": response.json().get("case_ids", [])}
                    )
                response.success()
            elif response.status_code < 500:
                _note_refusal("api report", response)
                response.success()  # counted by status; refusals (429, 400) are not losses


class OfficerPages(_Soak):
    """A commune officer in the browser: lists, case pages, the report form, periodic reports."""

    weight = 3

    def on_start(self):
        super().on_start()
        self.me = random.choice(CONFIG["officers"])
        self.client.headers["Cookie"] = f"sessionid={self.me['session']}; csrftoken={self.me['csrf']}"
        self.client.headers["X-CSRFToken"] = self.me["csrf"]
        self.client.headers["Referer"] = f"{CONFIG['origin']}/"

    @task(5)
    def case_list(self):
        self.client.get("/cases/", name="page case list")

    @task(5)
    def case_page(self):
        case = random.choice(self.me["cases"])
        self.client.get(f"/cases/{case}/", name="page case")

    @task(2)
    def report_form(self):
        self.client.get("/cases/new/", name="page report form")
        marker = _marker()
        data = officer_actions.data(
            commune_pk=self.me["commune_pk"], marker=marker, utc_offset_hours=CONFIG["utc_offset_hours"]
        )
        with self.client.post(
            "/cases/new/", data=data, name="page report post", allow_redirects=False, catch_response=True
        ) as response:
            with LOCK:
                RECORD["answered_reports"].append({"marker": marker, "status": response.status_code})
            if response.status_code == 302 and "saved=report" in response.headers.get("Location", ""):
                with LOCK:
                    RECORD["accepted_reports"].append({"marker": marker, "via": "page", "case_ids": []})
                response.success()
            elif response.status_code < 500:
                _note_refusal("page report post", response)
                response.success()

    @task(1)
    def periodic_report(self):
        unit = self.me["commune_code"]
        self.client.get(f"/reports/?unit={unit}", name="page report dashboard")
        response = self.client.post(
            "/reports/submissions/",
            data={"unit": unit, "period": CONFIG["period"]},
            name="page report draft",
            allow_redirects=False,
        )
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/reports/"):
            return
        self.client.get(location, name="page report detail")
        self.client.post(location, data={"action": "preview"}, name="page report preview", allow_redirects=False)
        for _ in range(20):  # the page polls the task's progress
            gevent.sleep(1.5)
            progress = self.client.get(f"{location}progress/", name="page report progress")
            if progress.status_code != 200:
                return
            state = progress.json().get("state")
            if state in ("done", "failed"):
                with LOCK:
                    RECORD["previews"][state] += 1
                if state == "done":
                    self.client.get(f"{location}file.preview.pdf", name="page report preview pdf")
                return
        with LOCK:
            RECORD["previews"]["still rendering after 30 s"] += 1


class OfficerApi(_Soak):
    """A commune officer's app through the API: lists, a step of the procedure, attachments."""

    weight = 2

    def on_start(self):
        super().on_start()
        self.me = random.choice(CONFIG["officers"])
        self.client.headers["Authorization"] = f"Token {self.me['token']}"

    @task(3)
    def case_list(self):
        self.client.get("/api/v1/cases/", name="api case list")

    @task(3)
    def assess(self):
        found = officer_actions.case_to_assess(self.client)
        if found is None:
            return
        case, body = found
        with self.client.post(
            f"/api/v1/cases/{case}/assess/", json=body, name="api assess", catch_response=True
        ) as response:
            with LOCK:
                RECORD["transitions"][str(response.status_code)] += 1
            if response.status_code < 500:
                response.success()  # 409/400: another user took the step first

    @task(2)
    def attach(self):
        case = random.choice(self.me["cases"])
        marker = _marker()
        with self.client.post(
            f"/api/v1/cases/{case}/attachments/",
            files={"file": (f"{marker}.png", _png(), "image/png")},
            data={"description": marker},
            name="api attachment",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                with LOCK:
                    RECORD["accepted_attachments"].append({"marker": marker, "id": response.json()["id"], "case": case})
            if response.status_code < 500:
                response.success()


def main() -> None:
    config_path, result_path = sys.argv[1], sys.argv[2]
    with open(config_path, encoding="utf-8") as handle:
        CONFIG.update(json.load(handle))
    # At the end each user finishes the task in hand (up to 40 s), so that no answer is cut off unread.
    environment = Environment(
        user_classes=[Hotline, OfficerPages, OfficerApi], events=events, host=CONFIG["base_url"], stop_timeout=40
    )
    runner = environment.create_local_runner()
    runner.start(CONFIG["users"], spawn_rate=CONFIG["users"])
    gevent.spawn_later(CONFIG["seconds"], runner.quit)
    runner.greenlet.join()
    result = {**RECORD, "by_name": {name: dict(counts) for name, counts in RECORD["by_name"].items()}}
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()

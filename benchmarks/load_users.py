"""The load test's users: locust (as a library, in a process of its own: locust patches the standard library
with gevent, which Django's database layer must not see) against gunicorn on loopback.

    python benchmarks/load_users.py CONFIG.json RESULT.json

CONFIG (written by benchmarks/load.py) holds the base URL, the number of users, the ramp and hold times, the
think time, and for each role the people of the bench seed to act as (a session cookie that passed its
second factor, an API token, their commune and case files). RESULT gets, for each page type, the response
time of every request answered after the ramp (seconds), and every error: a 5xx, a connection error, or an
answer the page should not give (a 4xx but the conflicts of two people taking the same step).

A busy morning: commune officers open their home, their case list and case pages, record reports and take
the first step of the procedure; chairmen and agency focal points read their home and their agency's
inbox; coordinators and leaders read their home and their province's dashboard.
"""

import collections
import json
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid

import gevent
import officer_actions  # beside this script (benchmarks/officer_actions.py)
from locust import FastHttpUser, between, events, task
from locust.env import Environment

CONFIG: dict = {}
LOCK = threading.Lock()
STATE = {"measuring": False}
RECORD = {
    "times": collections.defaultdict(list),  # page type → seconds of each answer after the ramp
    "answers": collections.defaultdict(collections.Counter),  # page type → status → count (whole run)
    "errors": [],  # {"t", "name", "status", "detail"}
    "conflicts": collections.Counter(),  # the expected refusals: two people took the same step
}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    with LOCK:
        RECORD["answers"][name][str(status)] += 1
        if STATE["measuring"] and exception is None:
            RECORD["times"][name].append(response_time / 1000)
        if exception is not None:
            RECORD["errors"].append({"t": time.time(), "name": name, "status": status, "detail": repr(exception)[:300]})


def _shown_errors(html: str | None) -> str:
    """The error messages of a form shown again, as text."""
    found = []
    for match in re.finditer(r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"', html or ""):
        text = re.sub(r"<[^>]+>", " ", html[match.end() : match.end() + 600].split("</div>\n")[0])
        found.append(" ".join(text.replace(">", " ", 1).split())[:200])
    return " | ".join(found)[:600]


class _Person(FastHttpUser):
    abstract = True
    role = ""

    def wait_time(self):
        return between(*CONFIG["think_seconds"])(self)

    def on_start(self):
        self.me = random.choice(CONFIG["people"][self.role])
        self.headers = {  # every request of this user: its session, as a browser sends it
            "Cookie": f"sessionid={self.me['session']}; csrftoken={self.me['csrf']}",
            "X-CSRFToken": self.me["csrf"],
            "Origin": CONFIG["base_url"],
            "Referer": f"{CONFIG['base_url']}/",
        }

    def page(self, path: str, name: str, *, expect=(200,)):
        with self.client.get(path, name=name, headers=self.headers, catch_response=True) as response:
            if response.status_code in expect:
                response.success()
            else:
                response.failure(f"status {response.status_code}")
            return response


class Officer(_Person):
    """A commune officer: home, case list, case pages, a report recorded, the first step taken."""

    role = "officer"
    weight = 10

    @task(4)
    def home(self):
        self.page("/", "officer home")

    @task(4)
    def case_list(self):
        self.page("/cases/", "officer case list")

    @task(6)
    def case_page(self):
        self.page(f"/cases/{random.choice(self.me['cases'])}/", "case page")

    @task(1)
    def intake(self):
        self.page("/cases/new/", "intake form")
        marker = f"LOAD-{uuid.uuid4().hex[:12]}"
        data = officer_actions.data(
            commune_pk=self.me["commune_pk"], marker=marker, utc_offset_hours=CONFIG["utc_offset_hours"]
        )
        with self.client.post(
            "/cases/new/",
            data=urllib.parse.urlencode(data, doseq=True),  # the list of abuse forms as a browser sends it
            name="intake post",
            headers={**self.headers, "Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and "saved=report" in response.headers.get("Location", ""):
                response.success()
            else:
                response.failure(f"status {response.status_code}: not saved: {_shown_errors(response.text)}")

    @task(2)
    def transition(self):
        """The initial assessment of a report received, through the API as the officer's app takes it."""
        headers = {"Authorization": f"Token {self.me['token']}", "Cookie": ""}
        found = officer_actions.case_to_assess(self.client, headers=headers)
        if found is None:
            return
        case, body = found
        with self.client.post(
            f"/api/v1/cases/{case}/assess/", json=body, name="transition assess", headers=headers, catch_response=True
        ) as response:
            if response.status_code in (200, 201):
                response.success()
            elif response.status_code == 409:  # another person took the step first: the answer is right
                with LOCK:
                    RECORD["conflicts"]["transition assess"] += 1
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class Chairman(_Person):
    role = "chairman"
    weight = 2

    @task
    def home(self):
        self.page("/", "chairman home")


class FocalPoint(_Person):
    """An agency's focal point (police, health station): its home and the agency's inbox of assignments."""

    role = "focal_point"
    weight = 4

    @task(2)
    def home(self):
        self.page("/", "agency home")

    @task(3)
    def inbox(self):
        self.page("/assignments/", "agency inbox")


class Coordinator(_Person):
    role = "coordinator"
    weight = 1

    @task(2)
    def home(self):
        self.page("/", "coordinator home")

    @task(1)
    def dashboard(self):
        self.page(f"/reports/?unit={self.me['unit_code']}", "province dashboard")


class Leader(_Person):
    role = "leader"
    weight = 1

    @task
    def dashboard(self):
        self.page(f"/reports/?unit={self.me['unit_code']}", "province dashboard")


def main() -> None:
    config_path, result_path = sys.argv[1], sys.argv[2]
    with open(config_path, encoding="utf-8") as handle:
        CONFIG.update(json.load(handle))
    classes = [Officer, Chairman, FocalPoint, Coordinator, Leader]
    environment = Environment(user_classes=classes, events=events, host=CONFIG["base_url"], stop_timeout=30)
    runner = environment.create_local_runner()
    users, ramp, hold = CONFIG["users"], CONFIG["ramp_seconds"], CONFIG["hold_seconds"]
    runner.start(users, spawn_rate=max(1.0, users / ramp))

    def measure():
        with LOCK:
            STATE["measuring"] = True
            RECORD["measured_from"] = time.time()

    gevent.spawn_later(ramp, measure)
    gevent.spawn_later(ramp + hold, runner.quit)
    runner.greenlet.join()
    result = {
        "times": dict(RECORD["times"]),
        "answers": {name: dict(counts) for name, counts in RECORD["answers"].items()},
        "errors": RECORD["errors"],
        "conflicts": dict(RECORD["conflicts"]),
        "users_reached": runner.user_count if runner.user_count else users,
        "measured_from": RECORD.get("measured_from"),
        "ended": time.time(),
    }
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False)


if __name__ == "__main__":
    main()

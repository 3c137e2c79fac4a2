"""What a commune officer sends, for the locust users of the soak (benchmarks/soak_load.py) and of the load
test (benchmarks/load_users.py): the report form (Mẫu 01) as the browser posts it, and the initial
assessment of a report received as the officer's app takes it through the API. Standard library only: it
is imported by processes that gevent patched."""

import datetime
import random

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lò Văn Páo", "Mùa A Chứ", "Hoàng Thị Hoa", "Đặng Minh Khoa"]


def child() -> dict:
    year = random.randint(2012, 2022)  # under 16 on the day of the report
    return {"full_name": random.choice(NAMES), "birth_date": f"{year}-0{random.randint(1, 9)}-1{random.randint(0, 9)}"}


def data(*, commune_pk: int, marker: str, utc_offset_hours: int) -> dict:
    """The fields of one report of one child, received an hour ago (the form's field is the server's local
    time), its narrative ending with MARKER."""
    received = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=utc_offset_hours - 1)
    one = child()
    return {
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "receiving_point": "commune",
        "commune": commune_pk,
        "source": "walk_in",
        "reporter_name": "Bà Tư",
        "setting": "family",
        "abuse_forms": ["violence", "neglect"],
        "narrative": f"Hàng xóm thấy trẻ bị đánh. {marker}",
        "children-TOTAL_FORMS": 1,
        "children-INITIAL_FORMS": 0,
        "children-MIN_NUM_FORMS": 1,
        "children-MAX_NUM_FORMS": 20,
        "children-0-full_name": one["full_name"],
        "children-0-birth_date": one["birth_date"],
        "children-0-sex": "female",
    }


def case_to_assess(client, **options) -> tuple[int, dict] | None:
    """A case file received that the officer may assess (listed, then read through the API with CLIENT and
    OPTIONS, e.g. headers), and the body of its assessment; None when there is none."""
    listed = client.get("/api/v1/cases/?state=received", name="api case list received", **options)
    if listed.status_code != 200 or not listed.json().get("results"):
        return None
    case = random.choice(listed.json()["results"])["id"]
    detail = client.get(f"/api/v1/cases/{case}/", name="api case", **options)
    if detail.status_code != 200 or "assess" not in detail.json().get("allowed_actions", []):
        return None
    return case, {
        "version": detail.json()["version"],
        "severity": random.choice(["low", "medium", "high"]),
        "perpetrator_access": "low",
        "care_environment": "medium",
        "child_capacity": "low",
        "is_emergency": False,
    }

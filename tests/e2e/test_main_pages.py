"""The main pages of the demo at 390×844, as the users who work on them: axe-core (vendored from the npm
registry for these tests only) finds no serious or critical accessibility violation, and each page's
first load (its HTML and every file it loads, compressed) weighs at most 150 KB."""

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agencies.demo import DEMO_PASSWORD
from cases.models import Assignment, CaseFile, CommunityReport
from plans.models import Plan
from reports.models import PeriodicReport
from reports.selectors import current_period
from tests.e2e.conftest import login

AXE = next((Path(__file__).parent / "vendor").glob("axe-core-*/axe.min.js"))
WEIGHT_LIMIT = 150 * 1024
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}"""


def _main_pages() -> list[tuple[str, str]]:
    """(user, path) of the main pages, on the demo data (a case at each step of the procedure)."""
    tan_bien = CaseFile.objects.filter(commune__code="25486")
    received = tan_bien.filter(state="received").earliest("pk")
    investigated = tan_bien.get(state="investigated")
    submitted = tan_bien.get(state="plan_submitted")
    running = tan_bien.filter(state="in_intervention").earliest("pk")
    job = Assignment.objects.filter(agency__name="Trạm Y tế xã Tân Biên", status="proposed").earliest("pk")
    draft = PeriodicReport.objects.get(status="draft", unit__code="25486")
    previous = current_period().previous().code
    plan = Plan.objects.get(number="103/KH-UBND")
    to_verify = CommunityReport.objects.filter(commune__code="25486", source="collaborator").earliest("pk")
    return [
        ("", "/accounts/login/"),
        ("", "/bao-tin/"),
        ("", "/bao-tin/tra-cuu/"),
        ("ctv.tanbien", "/report/"),
        ("ctv.tanbien", "/report/mine/"),
        ("canbo.tanbien", f"/cases/community/{to_verify.pk}/"),
        ("giamsat.111", "/hotline/?province=80"),
        ("canbo.tanbien", "/"),
        ("canbo.tanbien", "/cases/"),
        ("canbo.tanbien", "/cases/new/"),
        ("canbo.tanbien", f"/cases/{received.pk}/"),
        ("canbo.tanbien", f"/cases/{received.pk}/act/assess/"),
        ("canbo.tanbien", f"/cases/{investigated.pk}/act/submit_plan/"),
        ("canbo.tanbien", f"/cases/{running.pk}/"),
        ("canbo.tanbien", f"/cases/{running.pk}/privacy/"),
        ("canbo.tanbien", "/notifications/"),
        ("canbo.tanbien", "/no-such-page/"),
        ("chutich.tanbien", f"/cases/{submitted.pk}/act/approve_plan/"),
        ("yte.tanbien", "/assignments/"),
        ("yte.tanbien", f"/assignments/{job.pk}/"),
        ("dieuphoi.tanbien", "/coordination/"),
        ("dieuphoi.tanbien", f"/reports/submissions/?unit=705&period={previous}"),
        ("canbo.tanbien", f"/reports/{draft.pk}/"),
        ("canbo.tanbien", f"/reports/{draft.pk}/submit/"),
        ("lanhdao.tayninh", "/reports/"),
        ("lanhdao.tanbien", "/plans/"),
        ("lanhdao.tanbien", f"/plans/{plan.pk}/"),
        ("ldtbxh.tanbien", "/plans/my-tasks/"),
        ("admin", "/audit/"),
        ("canbo.tanbien", "/agencies/"),
        ("quantri.tayninh", "/lists/"),
        ("quantri.tayninh", "/lists/fields/new/"),
        ("canbo.tanbien", f"/cases/{running.pk}/extra/"),
    ]


def _body(page, response) -> bytes:
    """A response's body; a Web Worker's script (the public page's proof of work) is fetched again, its
    body being kept by the worker, not the page."""
    try:
        return response.body()
    except PlaywrightError:
        return page.request.get(response.url).body()


def _settle(page) -> None:
    """Until the network is quiet (every file and fetch of the page in), or at least loaded: on a busy machine
    Chromium may keep a finished request open for a while, which must not fail the weighing."""
    try:
        page.wait_for_load_state("networkidle", timeout=8_000)
    except PlaywrightTimeoutError:
        page.wait_for_load_state("load")


def _weigh(page, url: str) -> int:
    """Bytes, compressed, of the page at URL and of every file it loads, with an empty cache."""
    bodies = []

    def keep(response):
        bodies.append(response)

    page.on("response", keep)
    page.goto(url)
    _settle(page)
    page.remove_listener("response", keep)
    compressed = 0
    for response in bodies:
        if response.request.resource_type not in ("document", "stylesheet", "script", "font", "image", "fetch"):
            continue
        if 300 <= response.status < 400 and response.status != 304:
            continue  # a redirect: its target is weighed
        # A 304 (revalidated, no body) still costs the whole file on a first load.
        body = _body(page, response) if response.status == 200 else page.request.get(response.url).body()
        compressed += len(gzip.compress(body, compresslevel=6))
    return compressed


# Chromium's emulation of a slow mobile connection (issue 15): 1.6 Mbps down, 750 kbps up, 150 ms latency.
SLOW_MOBILE = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
FAST = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def _slow_load(page, url: str) -> float:
    """Seconds from the request to the load event (styles, scripts and fonts in: the page is usable) of a
    first load on SLOW_MOBILE."""
    page.cdp.send("Network.emulateNetworkConditions", SLOW_MOBILE)
    try:
        page.goto(url, wait_until="load")
        end = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    finally:
        page.cdp.send("Network.emulateNetworkConditions", FAST)
    return round(end / 1000, 2)


@pytest.mark.usefixtures("agency_types", "default_ladders")
def test_main_pages_pass_axe_and_weigh_at_most_150_kb(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_admin_units", stdout=io.StringIO())
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    axe = AXE.read_text(encoding="utf-8")
    violations, weights, slow = [], {}, {}
    contexts = {}
    timing = os.environ.get("BAOVE_PAGES_OUT")  # `make bench`: also each page's load on a slow connection
    for username, path in _main_pages():
        if username not in contexts:
            # A first visit, before the offline app's service worker is installed: its background
            # download of the offline shell is weighed apart (make bench-offline: ≤ 300 KB).
            context = browser.new_context(
                locale="vi-VN", viewport={"width": 390, "height": 844}, service_workers="block"
            )
            page = context.new_page()
            page.base_url = live_server.url
            page.set_default_timeout(15_000)
            # Every page weighed as a first load: nothing from the browser's cache.
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            page.cdp = cdp
            if username:
                login(page, username, DEMO_PASSWORD)
                _settle(page)
            contexts[username] = (context, page)
        context, page = contexts[username]
        weights[path] = _weigh(page, f"{live_server.url}{path}")
        if timing:
            slow[path] = _slow_load(page, f"{live_server.url}{path}")
        page.evaluate(axe)
        violations.extend(f"{username} {path}: {item}" for item in page.evaluate(RUN_AXE))
    # A failed save: the error summary, the invalid fields and their messages.
    page = contexts["canbo.tanbien"][1]
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_test_id("save-report").click()
    page.get_by_test_id("error-summary").wait_for()
    page.evaluate(axe)
    violations.extend(f"canbo.tanbien /cases/new/ (errors): {item}" for item in page.evaluate(RUN_AXE))
    for context, _page in contexts.values():
        context.close()
    print("\n".join(f"{compressed / 1024:6.1f} KB  {path}" for path, compressed in weights.items()))
    if timing:
        pages = [{"path": path, "bytes": weights[path], "slow_load_seconds": slow[path]} for path in weights]
        Path(timing).write_text(json.dumps(pages), encoding="utf-8")
    assert violations == []
    assert {path: size for path, size in weights.items() if size > WEIGHT_LIMIT} == {}

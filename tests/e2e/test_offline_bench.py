"""The offline figures of `make bench` / `make bench-offline` (issue 20), taken in Chromium at 390×844:
the shell's load with no network, 50 queued items sent on an emulated slow mobile connection, and the
compressed weight of the shell and its forms. Skipped in the suite (BAOVE_OFFLINE_OUT unset): timing
belongs to the benchmark, not to the tests."""

import gzip
import json
import os
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from cases.models import Note
from cases.views.offline import SHELL_ASSETS, SHELL_PAGES
from tests.e2e.conftest import login
from tests.e2e.test_main_pages import FAST, SLOW_MOBILE
from tests.e2e.test_offline import _installed
from tests.factories import TEST_PASSWORD

OUT = os.environ.get("BAOVE_OFFLINE_OUT")
QUEUED = 50


@pytest.mark.skipif(not OUT, reason="a benchmark measure: make bench-offline")
def test_offline_figures(page, cast, receive):
    case = receive().case_files.get()
    login(page, "officer", TEST_PASSWORD)
    _installed(page)

    # The shell and the forms, gzip-compressed: the two pages, the service worker, every asset it keeps.
    weight = sum(len(gzip.compress(page.request.get(f"{page.base_url}{path}").body(), 6)) for path in SHELL_PAGES)
    weight += len(gzip.compress(page.request.get(f"{page.base_url}/sw.js").body(), 6))
    for path in [*SHELL_ASSETS, "vendor/workbox-7.4.1/workbox-sw.js"]:
        weight += len(gzip.compress(Path(finders.find(path)).read_bytes(), 6))

    # The shell with no network: from the request to the load event (forms usable).
    page.context.set_offline(True)
    loads = []
    for _attempt in range(5):
        page.goto(f"{page.base_url}/offline/", wait_until="load")
        loads.append(page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
    shell_offline = sorted(loads)[len(loads) // 2]

    # 50 notes queued offline, then sent at 1.6 Mbps / 150 ms.
    page.evaluate(
        """async ([caseId, count]) => {
          for (let i = 0; i < count; i++) {
            await BaoVeOffline.enqueue({kind: "note", label: "bench " + i, caseId: caseId,
              steps: [{url: "/api/v1/cases/" + caseId + "/notes/",
                       json: {text: "Ghi chú số " + i + ". ".repeat(40)}}]});
          }
        }""",
        [case.pk, QUEUED],
    )
    assert Note.objects.filter(case=case).count() == 0
    page.context.set_offline(False)
    page.cdp = page.context.new_cdp_session(page)
    page.cdp.send("Network.enable")
    page.cdp.send("Network.emulateNetworkConditions", SLOW_MOBILE)
    started = time.perf_counter()
    page.evaluate("BaoVeOffline.sync()")
    page.wait_for_function(
        "BaoVeOffline.items().then(items => items.every(item => item.status === 'sent'))", timeout=120_000, polling=200
    )
    sync_seconds = time.perf_counter() - started
    page.cdp.send("Network.emulateNetworkConditions", FAST)
    assert Note.objects.filter(case=case).count() == QUEUED

    Path(OUT).write_text(
        json.dumps(
            {
                "shell_offline_seconds": round(shell_offline, 3),
                "sync_50_seconds": round(sync_seconds, 2),
                "shell_and_forms_kb": round(weight / 1024, 1),
            }
        )
    )

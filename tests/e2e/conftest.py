"""Browser tests: the Python `playwright` package driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BAOVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Sync Playwright runs an event loop in the test thread; the ORM calls the tests make around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, tmp_path, request):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    page.other_phones = []
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        target = Path(os.environ.get("BAOVE_E2E_ARTIFACTS", "/tmp/baove-e2e"))
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{request.node.name}.png"), full_page=True)
        for number, other in enumerate(page.other_phones, start=2):
            other.screenshot(path=str(target / f"{request.node.name}-{number}.png"), full_page=True)
    for other in page.other_phones:
        other.context.close()
    context.close()


def another_phone(page):
    """A second person on a phone of their own: a new browser context (its own cookies, service worker and
    storage), closed with the test. Clearing the first phone's cookies is not enough to change person: a request
    its page or its service worker still has on the way (the offline app's, on a loaded machine) sets the first
    person's session cookie again when its answer arrives."""
    context = page.context.browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.base_url = page.base_url
    other.other_phones = page.other_phones  # one list for the test: every phone closed with it
    page.other_phones.append(other)
    return other


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def login(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # The login form's own button (a signed-in page also has the menu's logout button). Its answer waited
    # for: a page.goto() right after would otherwise race the login's POST (and, aborting it, stay logged out).
    with page.expect_navigation():
        page.locator("form:has(#id_password) button[type=submit]").click()


def lose_first_answer(page, pattern: str) -> list:
    """The first request to PATTERN is served, but its answer is lost on the way back (the server did the
    work, the phone does not know it); later ones go through. The list returned holds True once lost."""
    lost = []

    def handle(route):
        if not lost:
            # Marked before fetching: a second request arriving meanwhile (the sync the network's return starts,
            # beside the one a tap starts) goes through, as it would.
            lost.append(True)
            route.fetch()
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.context.route(pattern, handle)
    return lost

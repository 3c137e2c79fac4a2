"""Screenshots of pages as their users see them, on a phone (390×844) and a desktop (1280×900).

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000 --out /tmp/shots \\
        canbo.tanbien:/ canbo.tanbien:/cases/ chutich.tanbien:/cases/1/

Each argument is USER:PATH (the demo password, or --password). Pages are written as
OUT/<user>-<path>-{phone,desktop}.png, full page. Debian's Chromium through Playwright; nothing is
downloaded. A tool for people making changes to look at what they built (`make screenshots`).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-") or "home"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="+", help="USER:PATH")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="var/screenshots")
    parser.add_argument("--password", default="baove-demo-2026")
    parser.add_argument("--only", choices=sorted(VIEWPORTS), help="one viewport only")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    by_user: dict[str, list[str]] = {}
    for item in options.pages:
        user, _, path = item.partition(":")
        by_user.setdefault(user, []).append(path or "/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for user, paths in by_user.items():
            for name, viewport in VIEWPORTS.items():
                if options.only and name != options.only:
                    continue
                context = browser.new_context(viewport=viewport, locale="vi-VN")
                page = context.new_page()
                page.goto(f"{options.base}/accounts/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", options.password)
                page.locator("form [type=submit]").first.click()
                page.wait_for_load_state("networkidle")
                for path in paths:
                    response = page.goto(f"{options.base}{path}")
                    page.wait_for_load_state("networkidle")
                    target = out / f"{_slug(user)}-{_slug(path)}-{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    status = response.status if response else "?"
                    print(f"{status} {user} {path} → {target}")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()

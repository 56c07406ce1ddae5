"""Bytes a browser downloads for a few pages of a running platform, by kind (font, script, style, document),
as transferred (compressed) and decoded. Prints JSON. Used for issue 14's font subset and page compression.

    fanguai setup --demo && fanguai serve --bind 127.0.0.1:8731 --no-worker
    python bench/page_bytes.py http://127.0.0.1:8731 office /plans/ /clues/ /reports/dashboard/

Each path is loaded in a fresh browser context (an empty cache) after signing in as the demo user; the figures
of the sign-in page itself are left out. Needs Playwright and Debian's chromium."""

import json
import sys
from collections import defaultdict

from playwright.sync_api import sync_playwright

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def measure(base: str, username: str, paths: list[str]) -> dict:
    from fanguai.core.demo import DEMO_PASSWORD

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        # Sign in once; each page then opens in a new context with the session cookie and an empty cache.
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form button.btn-primary")
        page.wait_for_url(f"{base}/")
        state = context.storage_state()
        context.close()
        for path in paths:
            context = browser.new_context(
                viewport={"width": 1366, "height": 900}, locale="zh-CN", storage_state=state
            )
            page = context.new_page()
            totals: dict = defaultdict(lambda: {"requests": 0, "transferred": 0, "decoded": 0})
            fonts: list[str] = []

            def record(response, totals=totals, fonts=fonts):
                request = response.request
                sizes = request.sizes()
                kind = request.resource_type
                body = len(response.body()) if response.ok else 0
                totals[kind]["requests"] += 1
                totals[kind]["transferred"] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                totals[kind]["decoded"] += body
                if kind == "font":
                    fonts.append(response.url.rsplit("/", 1)[-1])

            page.on("response", record)
            page.goto(f"{base}{path}", wait_until="networkidle")
            page.evaluate("document.fonts.ready")
            page.wait_for_timeout(500)
            results[path] = {"by_kind": dict(totals), "fonts": fonts}
            context.close()
        browser.close()
    return results


if __name__ == "__main__":
    import django

    sys.path.insert(0, "src")
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanguai.settings")
    django.setup()
    print(json.dumps(measure(sys.argv[1], sys.argv[2], sys.argv[3:]), ensure_ascii=False, indent=1))

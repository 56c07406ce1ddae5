"""End to end, as `make run` does it: a fresh data folder is set up with the demo data, gunicorn serves it,
and Debian's headless chromium (driven by Playwright) logs in as a demo user, sees the Chinese home page and
saves screenshots in test-artifacts/. Skipped where chromium is absent, unless FANGUAI_REQUIRE_BROWSER=1 (set
by .ci/run, which installs chromium), where the absence is a failure."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        if os.environ.get("FANGUAI_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (FANGUAI_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing")
        pytest.skip("chromium is not installed here")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FANGUAI_DATA_DIR=str(tmp_path_factory.mktemp("data")), FANGUAI_REQUIRE_2FA="0")
    subprocess.run([BIN / "fanguai", "setup", "--demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [BIN / "fanguai", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 - our own local server
            break
        except OSError:
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


def test_demo_user_logs_in_and_sees_the_chinese_home_page(server, browser):
    from fanguai.core.demo import DEMO_PASSWORD

    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page.goto(f"{server}/")
    assert "登录" in page.inner_text("h1")
    page.fill("input[name=username]", "investigator")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button.btn-primary")
    page.wait_for_url(f"{server}/")
    assert "工作台" in page.inner_text("h1")
    assert "民警" in page.inner_text("nav")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-investigator.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "home-investigator-phone.png"), full_page=True)
    assert (ARTIFACTS / "home-investigator.png").stat().st_size > 10_000


def test_static_files_are_served_by_the_application(server):
    with urllib.request.urlopen(f"{server}/accounts/login/") as response:  # noqa: S310
        html = response.read().decode()
    assert "/static/vendor/bootstrap/bootstrap.min" in html

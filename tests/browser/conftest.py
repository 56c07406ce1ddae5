"""One real server per test session (per xdist worker), as `make run` starts it: a fresh data folder set up
with the demo data, gunicorn in front, and Debian's headless chromium driven by Playwright. Every browser test
uses these fixtures. Skipped where chromium is absent, unless FANGUAI_REQUIRE_BROWSER=1 (set by .ci/run,
which installs chromium), where the absence is a failure."""

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("FANGUAI_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (FANGUAI_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing")
        pytest.skip("chromium is not installed here")


class Server:
    """A running platform: its URL, and `run(*args)` for `fanguai` commands against the same data folder
    (e.g. to let time pass or run the deadline sweep)."""

    def __init__(self, url: str, env: dict[str, str]):
        self.url = url
        self.env = env

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [BIN / "fanguai", *args], env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    _require_chromium()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FANGUAI_DATA_DIR=str(tmp_path_factory.mktemp("data")), FANGUAI_REQUIRE_2FA="0")
    subprocess.run([BIN / "fanguai", "setup", "--demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [BIN / "fanguai", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 - our own local server
            break
        except OSError:
            time.sleep(0.2)
    yield Server(url, env)
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(server):
    """Chromium for one test module. Not for the session: while Playwright's sync API is open its event loop
    counts as running in this thread, and Django then refuses database calls of the tests that follow on the
    same worker (SynchronousOnlyOperation)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def login(page, server: Server, username: str) -> None:
    from fanguai.core.demo import DEMO_PASSWORD

    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button.btn-primary")
    page.wait_for_url(f"{server.url}/")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

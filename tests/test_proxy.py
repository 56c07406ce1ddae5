"""Behind a reverse proxy (issue 11, item 5): one function gives the client address
(fanguai.core.net.client_ip), believing X-Forwarded-For only from trusted proxies; the public rate limits, the
login lockout (axes) and the audit trail use it; `fanguai serve` tells gunicorn whom to believe about HTTPS.
The last test puts a relay in front of a real server."""

import http.client
import ipaddress
import os
import re
import sqlite3
import subprocess
import threading
import time
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from fanguai.audit.models import AuditEvent
from fanguai.clues import abuse
from fanguai.core.management.commands.serve import forwarded_allow_ips
from fanguai.core.net import client_ip

from .browser.conftest import BIN, _free_port
from .clues.helpers import report_data, submit
from .conftest import PASSWORD


def request(remote="192.0.2.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# -- the function ----------------------------------------------------------------------------------------


def test_without_a_proxy_setting_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES, settings.PROXY_HOPS = [], 0
    assert client_ip(request("192.0.2.1", "203.0.113.5")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "203.0.113.5", "203.0.113.5"),
        # walked from the right, trusted proxies skipped; what the client wrote to the left is never used
        ("10.0.0.2", "1.1.1.1, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
        # a client that sets the header itself: the proxy appended its real address
        ("10.0.0.2", "10.9.9.9, 8.8.8.8, 198.51.100.4", "198.51.100.4"),
        # untrusted peer: its header is ignored, spoofed or not
        ("198.51.100.7", "203.0.113.5", "198.51.100.7"),
        ("198.51.100.7", "10.0.0.3", "198.51.100.7"),
        # trusted peer without the header, or with only trusted hops: the leftmost trusted one
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "10.0.0.8, 10.0.0.3", "10.0.0.8"),
        # ports and IPv4-mapped forms
        ("10.0.0.2", "203.0.113.5:51234", "203.0.113.5"),
        ("::ffff:10.0.0.2", "203.0.113.5", "203.0.113.5"),
        # IPv6
        ("fd00::1", "2001:db8::1", "2001:db8::1"),
        ("fd00::1", "[2001:db8::2]:443, fd00::9", "2001:db8::2"),
        ("2001:db8::66", "203.0.113.5", "2001:db8::66"),
        # garbage: never chosen; it ends the walk at the trusted hop that passed it on
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.9, unknown", "10.0.0.2"),
        ("10.0.0.2", "garbage, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.2", "203.0.113.9,,", "10.0.0.2"),
        ("10.0.0.2", "999.1.1.1", "10.0.0.2"),
        ("10.0.0.2", "fe80::1%eth0", "10.0.0.2"),
        ("not-an-address", "203.0.113.5", None),
        ("", "203.0.113.5", None),
    ],
)
def test_trusted_proxies(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES, settings.PROXY_HOPS = ["10.0.0.0/8", "fd00::/8"], 0
    assert client_ip(request(remote, forwarded)) == expected


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        (2, "1.1.1.1, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
        (2, "1.1.1.1, 203.0.113.5", "1.1.1.1"),
        (3, "203.0.113.5, 10.0.0.3", "192.0.2.1"),  # fewer entries than proxies: the peer
        (1, None, "192.0.2.1"),
        (1, "203.0.113.5, junk", "192.0.2.1"),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_hop_count(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXIES, settings.PROXY_HOPS = [], hops
    assert client_ip(request("192.0.2.1", forwarded)) == expected


def test_hop_count_with_trusted_proxies_needs_a_trusted_peer(settings):
    settings.TRUSTED_PROXIES, settings.PROXY_HOPS = ["10.0.0.1"], 1
    assert client_ip(request("10.0.0.1", "1.1.1.1, 203.0.113.5")) == "203.0.113.5"
    assert client_ip(request("198.51.100.7", "1.1.1.1, 203.0.113.5")) == "198.51.100.7"


def test_a_bad_setting_is_a_configuration_error(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]
    with pytest.raises(ImproperlyConfigured, match="proxy.internal"):
        client_ip(request("10.0.0.2", "203.0.113.5"))


def test_serve_tells_gunicorn_no_more_than_it_trusts(settings):
    settings.TRUSTED_PROXIES, settings.PROXY_HOPS = [], 0
    assert forwarded_allow_ips() == ""  # gunicorn's own default would believe loopback peers
    settings.PROXY_HOPS = 1
    assert forwarded_allow_ips() == "*"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.7", "::1/128"]
    assert forwarded_allow_ips() == "192.0.2.7,::1"  # gunicorn knows no networks; Django checks those


@pytest.mark.django_db
def test_https_is_believed_from_trusted_proxies_only(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    proxied = Client(REMOTE_ADDR="10.0.0.1").get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    spoofed = Client(REMOTE_ADDR="198.51.100.7").get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301 and spoofed["Location"].startswith("https://")


# -- the login lockout -------------------------------------------------------------------------------------


def _login(client: Client, password: str):
    return client.post("/accounts/login/", {"username": "alice", "password": password})


def test_axes_locks_the_client_behind_the_proxy_not_everyone(settings, alice):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(5):
        _login(attacker, "wrong")
    assert _login(attacker, PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    # alice, behind the same proxy, is not locked out of her account by the attacker
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert _login(colleague, PASSWORD).status_code == 302
    login = AuditEvent.objects.filter(action="user.login").order_by("-pk").first()
    assert login.outcome == "success" and login.ip_address == "198.51.100.20"


def test_axes_ignores_a_forwarded_header_from_an_untrusted_peer(settings, alice):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(5):
        spoofer = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        _login(spoofer, "wrong")
    fresh_header = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert _login(fresh_header, PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}


# -- the public rate limits ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_limits_count_each_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.CLUES_REPORTS_PER_HOUR = 1
    settings.CLUES_MIN_FILL_SECONDS = 0
    settings.CLUES_RECEIPT_ITERATIONS = 1000
    first = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert submit(first)[1]
    assert submit(first)[0].status_code == 429
    assert submit(second)[1]  # not blocked by the first reporter, though both come through the proxy
    # a direct client cannot dodge its limit by writing the header itself
    assert submit(Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.3"))[1]
    again = submit(Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.4"))[0]
    assert again.status_code == 429
    created = AuditEvent.objects.filter(action="clue.create").values_list("ip_address", flat=True)
    assert sorted(created) == ["198.51.100.9", "203.0.113.1", "203.0.113.2"]
    limited = AuditEvent.objects.filter(action="clue.public_limit").values_list("ip_address", flat=True)
    assert sorted(limited) == ["198.51.100.9", "203.0.113.1"]


@pytest.mark.django_db
def test_an_ipv6_subscriber_network_shares_one_limit(settings):
    settings.CLUES_REPORTS_PER_HOUR = 2
    assert abuse.hit(abuse.REPORT, "2001:db8:1:2::1")
    assert abuse.hit(abuse.REPORT, "2001:db8:1:2:ffff::9")  # same /64: rotating addresses does not help
    assert not abuse.hit(abuse.REPORT, "2001:db8:1:2::77")
    assert abuse.hit(abuse.REPORT, "2001:db8:1:3::1")  # the next /64 is another subscriber


# -- a relay in front of a real server ------------------------------------------------------------------------

CLIENT_HEADER = "X-Test-Client"  # the relay's stand-in for the TCP peer it would see
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class _RelayHandler(BaseHTTPRequestHandler):
    """A reverse proxy like nginx with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`: it
    appends the client's address (here chosen by the test) to the header it received."""

    def _relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP and name.lower() != CLIENT_HEADER.lower()
        }
        client = self.headers.get(CLIENT_HEADER) or self.client_address[0]
        prior = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{prior}, {client}" if prior else client
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _relay

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class _Reporter:
    """A member of the public with a browser's cookies, sending public reports."""

    def __init__(self, port: int, headers: dict | None = None, source: str | None = None):
        self.port, self.headers, self.source = port, headers or {}, source
        self.cookies: dict[str, str] = {}

    def _request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str]:
        source = (self.source, 0) if self.source else None
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=source)
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        connection.close()
        return response.status, text

    def report(self, forwarded_for: str | None = None) -> int:
        status, page = self._request("GET", "/report/")
        assert status == 200, page[:500]
        hidden = {}
        for tag in re.findall(r'<input type="hidden"[^>]*>', page):
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name and value:
                hidden.setdefault(name.group(1), value.group(1))
        fields = {k: v for k, v in report_data().items() if k != "started"}
        if forwarded_for:
            self.headers["X-Forwarded-For"] = forwarded_for
        return self._request("POST", "/report/", {**fields, **hidden})[0]


def _prepared_data_folder(path, django_db_blocker, env) -> None:
    """A data folder holding a migrated SQLite database with the reference data: a copy of this session's
    test database when that is SQLite (a second), else `fanguai migrate` (a minute)."""
    from django.db import connection

    path.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            # A transactional test earlier on this worker ends with a flush that also empties the reference
            # data the session loaded: load it again, for this copy and for the tests that follow here.
            from fanguai.org.models import Unit
            from fanguai.org.services import load_regions, load_units

            if not Unit.objects.filter(kind=Unit.Kind.OFFICE).exists():
                load_regions(Path(settings.REFERENCE_DATA_DIR) / "regions/liuan.csv")
                load_units(Path(settings.REFERENCE_DATA_DIR) / "units/liuan.csv")
            target = sqlite3.connect(path / "fanguai.sqlite3")
            connection.connection.backup(target)
            target.close()
            return
    subprocess.run([BIN / "fanguai", "migrate"], env=env, check=True, capture_output=True)


@pytest.fixture
def proxied_server(django_db_setup, django_db_blocker, tmp_path):
    """`fanguai serve` on a prepared data folder, trusting the relay's address (127.0.0.1) only, with a
    relay in front. DEBUG spares the minute `collectstatic` takes (static URLs without the manifest)."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        FANGUAI_DATA_DIR=str(data),
        FANGUAI_REQUIRE_2FA="0",
        FANGUAI_DEBUG="1",
        FANGUAI_TRUSTED_PROXIES="127.0.0.1",
        FANGUAI_CLUES_REPORTS_PER_HOUR="2",
        FANGUAI_CLUES_MIN_FILL_SECONDS="0",
        FANGUAI_CLUES_RECEIPT_ITERATIONS="1000",
    )
    _prepared_data_folder(data, django_db_blocker, env)
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [BIN / "fanguai", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    relay = ThreadingHTTPServer(("127.0.0.1", 0), _RelayHandler)
    relay.daemon_threads = True
    relay.upstream_port = port
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    try:
        # A generous start-up window: on a loaded two-core machine gunicorn's start and the system checks
        # can take tens of seconds; this is a wait, not a timing assertion.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start: " + (tmp_path / "server.log").read_text()[-2000:])
        yield {"server": port, "relay": relay.server_address[1], "data": data}
    finally:
        relay.shutdown()
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _can_bind(address: str) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((address, 0))
        except OSError:
            return False
    return True


@pytest.mark.server
def test_behind_a_relay_each_client_has_its_own_limit_and_audit_address(proxied_server):
    relay = proxied_server["relay"]
    first = _Reporter(relay, {CLIENT_HEADER: "203.0.113.10"})
    second = _Reporter(relay, {CLIENT_HEADER: "2001:db8::20"})
    assert [first.report(), first.report(), first.report()] == [200, 200, 429]
    assert second.report() == 200  # the same proxy, another client: its own limit
    direct_client = _can_bind("127.0.0.2")  # any 127/8 address is loopback on Linux
    if direct_client:
        # A client that reaches the server directly (not from the trusted 127.0.0.1) and writes the header
        # itself, a new address each time: the header is ignored and it is limited as itself.
        direct = _Reporter(proxied_server["server"], source="127.0.0.2")
        statuses = [direct.report(forwarded_for=f"198.51.100.{n}") for n in range(3)]
        assert statuses == [200, 200, 429]
    with sqlite3.connect(f"file:{proxied_server['data'] / 'fanguai.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT action, ip_address FROM audit_auditevent WHERE action IN ('clue.create', 'clue.public_limit')"
        ).fetchall()
    created = sorted(str(ipaddress.ip_address(ip)) for action, ip in rows if action == "clue.create")
    limited = sorted(str(ipaddress.ip_address(ip)) for action, ip in rows if action == "clue.public_limit")
    expected_created = ["2001:db8::20", "203.0.113.10", "203.0.113.10"]
    expected_limited = ["203.0.113.10"]
    if direct_client:
        expected_created = sorted([*expected_created, "127.0.0.2", "127.0.0.2"])
        expected_limited = sorted([*expected_limited, "127.0.0.2"])
    assert created == sorted(expected_created)
    assert limited == expected_limited

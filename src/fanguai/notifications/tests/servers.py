"""Real local servers for the delivery tests: an SMTP server (aiosmtpd) and an HTTP receiver, both on
127.0.0.1 with a free port, started and stopped by the test that needs them."""

import http.server
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server():
    """Yields (port, list of received envelopes)."""
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, collector.messages
    finally:
        controller.stop()


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    port: int
    requests: list[Received] = field(default_factory=list)
    status: int = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@contextmanager
def http_receiver(status: int = 200):
    """Yields a Receiver that records every POST and answers with receiver.status."""
    state = Receiver(port=0, status=status)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  http.server's hook name
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(Received(self.path, dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(state.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from fanguai.core import net
from fanguai.core.demo import DEMO_PASSWORD, DEMO_USERS


def forwarded_allow_ips() -> str:
    """gunicorn's --forwarded-allow-ips: the peers whose X-Forwarded-Proto it believes. Never more than
    fanguai.core.net trusts: the single addresses of FANGUAI_TRUSTED_PROXIES (gunicorn knows no networks;
    Django recognises HTTPS from those through SECURE_PROXY_SSL_HEADER), every peer with a hop count alone,
    nobody without a proxy setting (gunicorn's own default would trust the loopback addresses)."""
    networks = net.trusted_networks()
    if not networks:
        return "*" if net.proxy_hops() else ""
    return ",".join(str(n.network_address) for n in networks if n.num_addresses == 1)


def default_workers() -> int:
    """Two processes per core, two threads each: on the 2-core VM 4 × 2 answered more than 2 × 4 or 3 × 1 (the
    load benchmark, README "Web server: workers and threads")."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


class Command(BaseCommand):
    help = "Serve the platform with gunicorn (static files by whitenoise) and run the task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("FANGUAI_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("FANGUAI_WEB_WORKERS", default_workers())),
            help="gunicorn processes (default: two per CPU core, at most 8; measured in the README)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("FANGUAI_WEB_THREADS", 2)),
            help="threads per worker (more than 1: gunicorn's gthread worker)",
        )
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=int(os.environ.get("FANGUAI_WEB_KEEPALIVE", 30)),
            help="seconds an idle connection is kept open (gthread worker); longer than a reader's pause "
            "between loading a form and sending it, so the send does not meet a connection just closed",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(
        self, *args, bind: str, workers: int, threads: int, keep_alive: int, no_worker: bool, **options
    ):
        try:
            allow_ips = forwarded_allow_ips()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        executable = os.path.dirname(sys.executable)
        children = [
            subprocess.Popen(  # noqa: S603 - fixed argument list
                [
                    os.path.join(executable, "gunicorn"),
                    "fanguai.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--threads",
                    str(max(1, threads)),
                    "--keep-alive",
                    str(max(1, keep_alive)),
                    "--access-logfile",
                    "-",
                    "--timeout",
                    "120",
                    "--forwarded-allow-ips",
                    allow_ips,
                ]
            )
        ]
        if not no_worker:
            children.append(subprocess.Popen([os.path.join(executable, "fanguai"), "worker"]))  # noqa: S603
        self._announce(bind)
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True
            for child in children:
                child.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        stop(None, None)
        for child in children:
            child.wait(timeout=30)

    def _announce(self, bind: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nfanguai is serving at http://{bind}/\n"))
        if settings.PRODUCTION and not net.proxies_configured():
            self.stdout.write(
                self.style.WARNING(
                    "No trusted proxy is set (FANGUAI_TRUSTED_PROXIES or FANGUAI_PROXY_HOPS): client addresses "
                    "are the direct peer's and X-Forwarded-Proto is ignored. Behind a reverse proxy, set one."
                )
            )
        if not settings.REQUIRE_2FA:
            self.stdout.write(
                self.style.WARNING(
                    "WARNING: FANGUAI_REQUIRE_2FA=0 — users without an authenticator log in with a password only. "
                    "Never run a real deployment like this."
                )
            )
        from fanguai.accounts.models import User

        demo = User.objects.filter(username__in=[u.username for u in DEMO_USERS])
        if demo.exists():
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for user in demo.select_related("unit").order_by("pk"):
                self.stdout.write(f"  {user.username:<14} {user.get_role_display()} · {user.unit or ''}")

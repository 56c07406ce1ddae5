"""Load benchmark of the web server (issue 13): starts the production server (`fanguai serve`, gunicorn) on the
loopback with a throwaway PostgreSQL database (or SQLite with --sqlite), loads the demo data scaled to a year
of a city's work (bench/scale_data.py, --scale), then

1. staff users of different roles (the demo users; FANGUAI_REQUIRE_2FA=0 as `make run` does) sign in and
   request a mix of pages and API lists at --rate requests per second for --duration seconds, with open-loop
   (Poisson) arrivals: a slow answer never delays the next request;
2. --public-reports reporters at once load the public form (/report/), send it and read the receipt code on
   the answer page; afterwards the database is asked whether every report was stored exactly once.

It prints JSON: per page and API endpoint requests per second, p50/p95/p99 latency, errors and count; the
public reports submitted, stored, answered with a receipt within 10 s and their latency. The public-report
rate limit and the form's minimum fill time are raised through their settings (FANGUAI_CLUES_*), never by a
code path for the benchmark. Only 127.0.0.1 is contacted; the database and data folder are removed at the end
(--keep keeps them).

    .venv/bin/python bench/web_load.py --scale 1.0 --rate 50 --duration 60 --public-reports 500 \\
        --workers 4 --threads 4
    .venv/bin/python bench/web_load.py --scale 0.05 --duration 20 --rate 10 --public-reports 50  # a check
"""

# ruff: noqa: S603, S608 - fixed commands, a quoted identifier of our own throwaway database

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
RECEIPT_SECONDS = 10.0

# The staff mix: demo users of different roles (core.demo.DEMO_USERS) and how often each one acts.
STAFF = {
    "office": 4,
    "investigator": 4,
    "caseworker": 2,
    "leader": 1,
    "liaison": 1,
    "coordinator": 1,
    "dna": 1,
}
# Pages and API lists (name: path). A user requests those of them that answer 200 for their role.
PAGES = {
    "home": "/",
    "clues": "/clues/",
    "clue statistics": "/clues/statistics/",
    "people": "/people/",
    "missing reports": "/missing/",
    "cases": "/cases/",
    "assistance": "/assistance/",
    "plan": "/plan/",
    "deadlines": "/deadlines/",
    "inbox": "/inbox/",
    "evaluations": "/reports/",
    "dna samples": "/dna/samples/",
    "api clues": "/api/clues",
    "api clue statistics": "/api/clues/statistics",
    "api people": "/api/people",
    "api missing reports": "/api/missing/reports",
    "api cases": "/api/cases",
    "api assistance cases": "/api/assistance/cases",
    "api units": "/api/units",
    "api dna specimens": "/api/dna/specimens",
}
CSRF = re.compile(r'name="csrfmiddlewaretoken"[^>]*value="([^"]+)"')
STARTED = re.compile(r'name="started"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r'data-code="(\d{16})"')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a year of a city's work")
    parser.add_argument("--rate", type=float, default=50.0, help="staff requests per second (open loop)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of staff load")
    parser.add_argument("--public-reports", type=int, default=500, help="reporters sending at once")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("FANGUAI_WEB_WORKERS", 4)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("FANGUAI_WEB_THREADS", 2)))
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_POSTGRES_ADMIN_URL", DEFAULT_ADMIN_URL),
        help="PostgreSQL URL allowed to create and drop the throwaway database",
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite in the data folder instead")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--keep", action="store_true", help="keep the data folder and database")
    parser.add_argument(
        "--servers",
        default="",
        help="compare server sizes on the same data: WORKERSxTHREADS,... (e.g. 2x4,3x2,4x1); each gets the "
        "staff load and the public reports in turn, and the JSON has one entry per size under 'runs'",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [tuple(int(n) for n in size.split("x")) for size in args.servers.split(",") if size] or [
            (args.workers, args.threads)
        ]
    except ValueError:
        parser.error("--servers: sizes are WORKERSxTHREADS, e.g. 2x4,3x2")
    if not 0 < args.scale <= 10:
        parser.error("--scale must be in (0, 10]")
    if args.rate <= 0 or args.duration <= 0 or args.public_reports < 0:
        parser.error("--rate and --duration must be positive, --public-reports not negative")
    return args


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of sorted values."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil
    return sorted_values[int(min(rank, len(sorted_values))) - 1]


def summarise(samples: list[tuple[float, bool]], seconds: float) -> dict:
    """Figures of one page: samples are (latency in seconds, ok)."""
    ok = sorted(s for s, good in samples if good)

    def ms(value):
        return None if value is None else round(value * 1000, 1)

    return {
        "count": len(samples),
        "errors": sum(1 for _, good in samples if not good),
        "rps": round(len(samples) / seconds, 2) if seconds else None,
        "p50_ms": ms(percentile(ok, 50)),
        "p95_ms": ms(percentile(ok, 95)),
        "p99_ms": ms(percentile(ok, 99)),
    }


def schedule(rate: float, duration: float, rng: random.Random) -> list[float]:
    """Poisson arrival times (seconds from the start) at ``rate`` per second within ``duration``."""
    times, t = [], 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= duration:
            return times
        times.append(t)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the throwaway database -------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def create_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the clients ------------------------------------------------------------------------------------------


async def sign_in(session, base: str, username: str, password: str) -> None:
    async with session.get(f"{base}/accounts/login/") as response:
        token = CSRF.search(await response.text()).group(1)
    data = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    headers = {"Referer": f"{base}/accounts/login/"}
    async with session.post(f"{base}/accounts/login/", data=data, headers=headers) as response:
        await response.read()
        if "/accounts/login/" in str(response.url):
            raise RuntimeError(f"{username} could not sign in (HTTP {response.status})")


async def request(session, url: str) -> bool:
    async with session.get(url, allow_redirects=False) as response:
        await response.read()
        return response.status == 200


async def staff_phase(base: str, args, password: str) -> tuple[dict, dict]:
    """Sign the staff in, find the pages each may open, then run the open-loop mix."""
    import aiohttp

    rng = random.Random(args.seed)
    timeout = aiohttp.ClientTimeout(total=120)
    sessions, mixes = {}, {}
    try:
        for username in STAFF:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=timeout,
                cookie_jar=aiohttp.CookieJar(unsafe=True),
            )
            sessions[username] = session
            await sign_in(session, base, username, password)
            mixes[username] = [name for name, path in PAGES.items() if await request(session, base + path)]
        users = [u for u in STAFF if mixes[u]]
        weights = [STAFF[u] for u in users]
        samples: dict[str, list[tuple[float, bool]]] = {name: [] for name in PAGES}

        async def one(username: str, name: str) -> None:
            started = time.perf_counter()
            try:
                good = await request(sessions[username], base + PAGES[name])
            except (TimeoutError, aiohttp.ClientError):
                good = False
            samples[name].append((time.perf_counter() - started, good))

        loop = asyncio.get_running_loop()
        began = loop.time()
        tasks = []
        for at in schedule(args.rate, args.duration, rng):
            delay = began + at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            username = rng.choices(users, weights)[0]
            tasks.append(asyncio.create_task(one(username, rng.choice(mixes[username]))))
        await asyncio.gather(*tasks)
        elapsed = loop.time() - began
    finally:
        for session in sessions.values():
            await session.close()
    pages = {name: summarise(values, elapsed) for name, values in samples.items() if values}
    everything = [s for values in samples.values() for s in values]
    pages["all staff requests"] = summarise(everything, elapsed)
    return pages, {u: mixes[u] for u in STAFF}


async def one_reporter(connector, base: str, marker: str, index: int) -> dict:
    import aiohttp

    categories = ["trafficking", "missing_child", "agency", "surrogacy", "online_adoption", "other"]
    result = {"marker": marker, "code": None, "seconds": None, "error": ""}
    async with aiohttp.ClientSession(
        connector=connector,
        connector_owner=False,
        timeout=aiohttp.ClientTimeout(total=120),
        cookie_jar=aiohttp.CookieJar(unsafe=True),
    ) as session:
        try:
            async with session.get(f"{base}/report/") as response:
                html = await response.text()
            data = {
                "csrfmiddlewaretoken": CSRF.search(html).group(1),
                "started": STARTED.search(html).group(1),
                "category": categories[index % len(categories)],
                "description": f"压力测试举报 {marker}：在车站看到可疑人员带着一个孩子。",
                "website": "",
            }
            started = time.perf_counter()
            headers = {"Referer": f"{base}/report/"}
            async with session.post(f"{base}/report/", data=data, headers=headers) as response:
                match = RECEIPT.search(await response.text())
                result["seconds"] = time.perf_counter() - started
                result["code"] = match.group(1) if match else None
                if not match:
                    result["error"] = f"HTTP {response.status}, no receipt"
        except (TimeoutError, aiohttp.ClientError, AttributeError) as exc:
            result["error"] = type(exc).__name__
    return result


async def public_phase(base: str, count: int, run_id: str) -> list[dict]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0)
    try:
        return await asyncio.gather(
            *(one_reporter(connector, base, f"bench-{run_id}-{i:05d}", i) for i in range(count))
        )
    finally:
        await connector.close()


def stored_markers(env: dict, run_id: str) -> list[str]:
    script = (
        "import json, re\n"
        "from fanguai.clues.models import Clue\n"
        "rows = Clue.objects.filter(source='public').values_list('description', flat=True)\n"
        f"print(json.dumps([m for d in rows for m in re.findall(r'bench-{run_id}-\\d{{5}}', d)]))"
    )
    out = subprocess.run(
        [str(BIN / "fanguai"), "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def public_figures(results: list[dict], stored: list[str]) -> dict:
    latencies = sorted(r["seconds"] for r in results if r["code"])
    stored_set = set(stored)
    return {
        "submitted": len(results),
        "answered_with_receipt": len(latencies),
        "stored": len(stored),
        "lost": sum(1 for r in results if r["marker"] not in stored_set),
        "duplicated": len(stored) - len(stored_set),
        "receipts_within_10s": sum(1 for s in latencies if s <= RECEIPT_SECONDS),
        "p50_ms": None if not latencies else round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": None if not latencies else round(percentile(latencies, 95) * 1000, 1),
        "errors": sorted({r["error"] for r in results if r["error"]}),
    }


# --- the run ----------------------------------------------------------------------------------------------


def wait_for(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - our loopback server
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.3)


def start_server(env: dict, port: int, workers: int, threads: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "fanguai"),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_id = uuid.uuid4().hex[:8]
    data_dir = Path(tempfile.mkdtemp(prefix="fanguai-web-bench-"))
    db_name = f"fanguai_bench_{run_id}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        FANGUAI_DATA_DIR=str(data_dir),
        FANGUAI_REQUIRE_2FA="0",
        FANGUAI_LOG_LEVEL="WARNING",
        # The public limits, raised through their settings (clues.conf): every reporter comes from 127.0.0.1.
        FANGUAI_CLUES_REPORTS_PER_HOUR=str(max(1000, args.public_reports * 10)),
        FANGUAI_CLUES_MIN_FILL_SECONDS="0",
    )
    database = "sqlite"
    if not args.sqlite:
        env["DATABASE_URL"] = create_database(args.admin_url, db_name)
        database = "postgresql"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server, log = None, None
    figures: dict = {}
    try:
        started = time.perf_counter()
        subprocess.run([str(BIN / "fanguai"), "setup", "--demo"], env=env, check=True, capture_output=True)
        scaled = subprocess.run(
            [sys.executable, str(HERE / "scale_data.py"), "--scale", str(args.scale)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(scaled.stdout.strip().splitlines()[-1])
        setup_seconds = time.perf_counter() - started
        password = (
            subprocess.run(
                [
                    str(BIN / "fanguai"),
                    "shell",
                    "-c",
                    "from fanguai.core.demo import DEMO_PASSWORD as p; print(p)",
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        runs = []
        for number, (workers, threads) in enumerate(args.sizes):
            log = (data_dir / f"server-{workers}x{threads}.log").open("wb")
            server = start_server(env, port, workers, threads, log)
            wait_for(base, server)
            pages, mixes = asyncio.run(staff_phase(base, args, password))
            public = {}
            if args.public_reports:
                began = time.perf_counter()
                marker = f"{run_id}{number}"
                results = asyncio.run(public_phase(base, args.public_reports, marker))
                public = public_figures(results, stored_markers(env, marker))
                public["elapsed_s"] = round(time.perf_counter() - began, 2)
            stop_server(server)
            server = None
            log.close()
            runs.append(
                {
                    "server": {"workers": workers, "threads": threads},
                    "staff": {"rate": args.rate, "duration_s": args.duration, "pages_by_user": mixes},
                    "pages": pages,
                    "public_reports": public,
                }
            )
        figures = {
            "machine": f"{platform.node()} · {os.cpu_count()} CPUs · {platform.machine()} · "
            f"Python {platform.python_version()}",
            "database": database,
            "scale": args.scale,
            "data_added": data["added"],
            "setup_s": round(setup_seconds, 1),
            **(runs[0] if len(runs) == 1 else {"runs": runs}),
        }
    finally:
        if server is not None:
            stop_server(server)
        if log is not None:
            log.close()
        if not args.keep:
            if database == "postgresql":
                drop_database(args.admin_url, db_name)
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"kept: {data_dir} {env.get('DATABASE_URL', '')}", file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

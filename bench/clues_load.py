"""Load benchmark of the public clue form: submit N reports concurrently to a real server and check that
every one is stored exactly once (none lost, none duplicated) and that receipt codes open their own report.

The script sets up a temporary data folder (SQLite unless --database-url is given), starts `fanguai serve`
on a free loopback port with the public rate limits raised and the minimum fill time off (the settings the
server reads from FANGUAI_CLUES_* variables), drives it from a thread pool and prints JSON figures. It only
ever talks to 127.0.0.1 and stops after --count reports or --timeout seconds.

    .venv/bin/python bench/clues_load.py --count 200 --concurrency 20
"""

# ruff: noqa: S310, S603 - fixed commands, and requests to our own loopback server only

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

BIN = Path(sys.executable).parent
MAX_COUNT = 2000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def fetch_form(client, base: str) -> dict:
    with client.open(f"{base}/report/", timeout=60) as response:
        html = response.read().decode()
    return {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken"[^>]*value="([^"]+)"', html).group(1),
        "started": re.search(r'name="started"[^>]*value="([^"]+)"', html).group(1),
    }


def submit_one(base: str, index: int, run_id: str) -> dict:
    """One reporter: load the form, send it (once more with the same form if the connection fails)."""
    client = opener()
    marker = f"bench-{run_id}-{index:05d}"
    started = time.perf_counter()
    tokens = fetch_form(client, base)
    data = {
        **tokens,
        "category": ["trafficking", "missing_child", "agency", "surrogacy", "online_adoption", "other"][
            index % 6
        ],
        "description": f"压力测试举报 {marker}：在车站看到可疑人员带着一个孩子。",
        "website": "",
    }
    body = urllib.parse.urlencode(data).encode()
    attempts, code, status, error = 0, None, None, ""
    while attempts < 2 and code is None:
        attempts += 1
        try:
            request = urllib.request.Request(
                f"{base}/report/", data=body, headers={"Referer": f"{base}/report/"}
            )
            with client.open(request, timeout=120) as response:
                status = response.status
                match = re.search(r'data-code="(\d{16})"', response.read().decode())
                code = match.group(1) if match else None
                if code is None:
                    break  # e.g. "already received" after a retry: stored once, code shown the first time
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
            break
        except OSError as exc:
            error = type(exc).__name__
    return {
        "marker": marker,
        "code": code,
        "status": status,
        "attempts": attempts,
        "error": error,
        "seconds": time.perf_counter() - started,
    }


def check_receipt(base: str, code: str, marker: str, other_marker: str) -> bool:
    client = opener()
    with client.open(f"{base}/report/follow-up/", timeout=60) as response:
        csrf = re.search(r'name="csrfmiddlewaretoken"[^>]*value="([^"]+)"', response.read().decode()).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "code": code}).encode()
    with client.open(urllib.request.Request(f"{base}/report/follow-up/", data=data), timeout=60) as response:
        html = response.read().decode()
    return marker in html and other_marker not in html


def stored_markers(env: dict, run_id: str) -> list[str]:
    script = (
        "import json, re\n"
        "from fanguai.clues.models import Clue\n"
        f"print(json.dumps([m for d in Clue.objects.values_list('description', flat=True) "
        f"for m in re.findall(r'bench-{run_id}-\\d{{5}}', d)]))"
    )
    out = subprocess.run(
        [str(BIN / "fanguai"), "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--timeout", type=int, default=600, help="stop after this many seconds")
    parser.add_argument("--receipt-checks", type=int, default=10)
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of a temporary SQLite file")
    parser.add_argument(
        "--receipt-iterations",
        type=int,
        default=0,
        help="PBKDF2 iterations of receipt codes (default: the server's)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args()
    count = max(1, min(args.count, MAX_COUNT))

    data_dir = Path(tempfile.mkdtemp(prefix="fanguai-clues-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        FANGUAI_DATA_DIR=str(data_dir),
        FANGUAI_REQUIRE_2FA="0",
        FANGUAI_CLUES_REPORTS_PER_HOUR=str(count * 10),
        FANGUAI_CLUES_MIN_FILL_SECONDS="0",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.receipt_iterations:
        env["FANGUAI_CLUES_RECEIPT_ITERATIONS"] = str(args.receipt_iterations)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    deadline = time.monotonic() + args.timeout
    try:
        subprocess.run([str(BIN / "fanguai"), "setup"], env=env, check=True, capture_output=True)
        server = subprocess.Popen(
            [
                str(BIN / "fanguai"),
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--no-worker",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)

        run_id = uuid.uuid4().hex[:8]
        results = []
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = [pool.submit(submit_one, base, i, run_id) for i in range(count)]
            for future in as_completed(futures, timeout=max(1, deadline - time.monotonic())):
                try:
                    results.append(future.result())
                except Exception as exc:  # noqa: BLE001 - a failed reporter is a figure, not a crash
                    results.append({"marker": "", "code": None, "error": type(exc).__name__, "seconds": 0})
        elapsed = time.perf_counter() - began

        with_code = [r for r in results if r["code"]]
        samples = with_code[: args.receipt_checks]
        receipts_ok = sum(
            check_receipt(base, r["code"], r["marker"], samples[(i + 1) % len(samples)]["marker"])
            if len(samples) > 1
            else check_receipt(base, r["code"], r["marker"], "\0")
            for i, r in enumerate(samples)
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    stored = stored_markers(env, run_id)
    stored_set = set(stored)
    sent = [f"bench-{run_id}-{i:05d}" for i in range(count)]
    latencies = sorted(r["seconds"] for r in results if r["code"])
    figures = {
        "count": count,
        "concurrency": args.concurrency,
        "web_workers": args.workers,
        "database": "postgresql" if args.database_url else "sqlite",
        "elapsed_s": round(elapsed, 2),
        "reports_per_s": round(len(with_code) / elapsed, 1) if elapsed else None,
        "receipts_received": len(with_code),
        "failed_requests": sum(1 for r in results if not r["code"]),
        "retried": sum(1 for r in results if r.get("attempts", 1) > 1),
        "stored_rows": len(stored),
        "lost": sum(1 for m in sent if m not in stored_set),
        "duplicated": len(stored) - len(stored_set),
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(latencies[int(len(latencies) * 0.95) - 1], 3) if latencies else None,
        "receipt_checks": len(samples),
        "receipt_checks_ok": receipts_ok,
        "errors": sorted({r["error"] for r in results if r.get("error")}),
    }
    figures["ok"] = (
        figures["lost"] == 0
        and figures["duplicated"] == 0
        and figures["stored_rows"] == count
        and receipts_ok == len(samples)
    )
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

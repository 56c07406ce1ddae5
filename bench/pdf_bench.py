"""Timing of the evaluation report PDF (issue 13: "renders in ≤ 3 s"): sets up a temporary data folder with
the demo data (SQLite), computes the year's assessment (weights, ranking, a veto, so the PDF has every
section), then requests /reports/evaluations/<pk>/report.pdf as the office user through Django's test client
and prints JSON: the first render of a fresh process with an empty font cache (WeasyPrint imported and the
slices it needs decompressed then: the worst case), the first render in a started web worker (WeasyPrint
imported at start, as fanguai.wsgi does; fonts cached by `fanguai setup`), and later renders. --baseline also times the old way,
all 101 woff2 slices handed to WeasyPrint (decompressed on every render).

    .venv/bin/python bench/pdf_bench.py --renders 5 --baseline
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _child(args) -> dict:
    """Run in a fresh process whose FANGUAI_DATA_DIR is the prepared folder; returns the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanguai.settings")
    import django

    django.setup()
    from django.test import Client

    from fanguai.accounts.models import User
    from fanguai.reports import pdf
    from fanguai.reports.models import Evaluation

    office = User.objects.get(username="office")
    evaluation = Evaluation.objects.order_by("pk").first()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(office)
    url = f"/reports/evaluations/{evaluation.pk}/report.pdf"

    def timed() -> tuple[float, int]:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise RuntimeError(f"the PDF failed: HTTP {response.status_code}")
        return elapsed, len(response.content)

    if args.mode == "baseline":

        def every_slice(text: str) -> str:  # the old pdf.css: every slice as woff2
            faces = "".join(
                f"@font-face {{ font-family: '{s.family}'; src: url({s.woff2.as_uri()}) format('woff2'); }}\n"
                for s in pdf.font_slices()
            )
            families = ", ".join([f'"{s.family}"' for s in pdf.font_slices()] + ["sans-serif"])
            return f"{faces}html, body {{ font-family: {families}; }}\n"

        pdf.font_css = every_slice
    if args.mode == "warm":
        pdf.warm_up()  # as a web worker does when it starts (fanguai.wsgi)
    seconds, size = [], 0
    for _ in range(args.renders if args.mode != "cold" else 1):
        elapsed, size = timed()
        seconds.append(elapsed)
    return {"seconds": [round(s, 3) for s in seconds], "pdf_bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=5, help="renders per measurement")
    parser.add_argument("--baseline", action="store_true", help="also time all woff2 slices (the old way)")
    parser.add_argument("--mode", choices=["cold", "warm", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args()
    if args.mode:  # a child process
        print(json.dumps(_child(args)))
        return 0

    data_dir = Path(tempfile.mkdtemp(prefix="fanguai-pdf-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FANGUAI_DATA_DIR=str(data_dir), FANGUAI_REQUIRE_2FA="0", FANGUAI_LOG_LEVEL="WARNING")
    try:
        subprocess.run(  # noqa: S603 - fixed command
            [str(BIN / "fanguai"), "setup", "--demo"], env=env, check=True, capture_output=True
        )
        prepare = (
            "from django.utils import timezone\n"
            "from fanguai.accounts.models import User\n"
            "from fanguai.reports import services\n"
            "from fanguai.reports.models import Evaluation\n"
            "office = User.objects.get(username='office')\n"
            "year = Evaluation.objects.order_by('pk').first().year\n"
            "results = services.compute_assessments(actor=office, year=year)\n"
            "services.set_veto(actor=office, result=results[-1], veto=True, reason='发生重大拐卖案件（演示）')\n"
        )
        subprocess.run(  # noqa: S603 - fixed command
            [str(BIN / "fanguai"), "shell", "-c", prepare], env=env, check=True, capture_output=True
        )

        def child(mode: str) -> dict:
            out = subprocess.run(  # noqa: S603 - this script in a fresh process
                [sys.executable, __file__, "--mode", mode, "--renders", str(args.renders)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            return json.loads(out.strip().splitlines()[-1])

        shutil.rmtree(data_dir / "cache" / "pdf-fonts", ignore_errors=True)
        cold = child("cold")
        warm = child("warm")
        figures = {
            "machine": f"{platform.node()} · {os.cpu_count()} CPUs · {platform.python_version()}",
            "first_render_cold_process_empty_font_cache_s": cold["seconds"][0],
            "first_render_in_a_started_worker_s": warm["seconds"][0],
            "later_renders_median_s": round(statistics.median(warm["seconds"][1:]), 3)
            if len(warm["seconds"]) > 1
            else None,
            "renders": warm["seconds"],
            "pdf_bytes": warm["pdf_bytes"],
            "cached_font_files": len(list((data_dir / "cache" / "pdf-fonts").glob("*.ttf"))),
        }
        if args.baseline:
            baseline = child("baseline")
            figures["baseline_all_woff2_slices_s"] = baseline["seconds"]
            figures["baseline_pdf_bytes"] = baseline["pdf_bytes"]
        figures["target_s"] = 3.0
        figures["ok"] = (
            max(figures["first_render_in_a_started_worker_s"], figures["later_renders_median_s"] or 0) <= 3.0
        )
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

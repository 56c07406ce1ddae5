"""Smoke tests of the load benchmark's own arithmetic and options (bench/web_load.py, bench/scale_data.py):
the benchmark itself runs a real server and is not part of the test suite."""

import importlib.util
import random
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


web_load = _load("web_load")
scale_data = _load("scale_data")


def test_options_have_year_scale_defaults_and_reject_nonsense():
    args = web_load.parse_args([])
    assert (args.scale, args.rate, args.public_reports, args.sqlite) == (1.0, 50.0, 500, False)
    args = web_load.parse_args(["--scale", "0.05", "--duration", "20", "--workers", "4", "--threads", "8"])
    assert (args.scale, args.duration, args.workers, args.threads) == (0.05, 20.0, 4, 8)
    for wrong in (["--scale", "0"], ["--scale", "11"], ["--rate", "0"], ["--public-reports", "-1"]):
        with pytest.raises(SystemExit):
            web_load.parse_args(wrong)


def test_server_sizes_to_compare():
    assert web_load.parse_args(["--workers", "3", "--threads", "2"]).sizes == [(3, 2)]
    assert web_load.parse_args(["--servers", "2x4,4x1"]).sizes == [(2, 4), (4, 1)]
    with pytest.raises(SystemExit):
        web_load.parse_args(["--servers", "2y4"])


def test_nearest_rank_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert web_load.percentile(values, 50) == 50.0
    assert web_load.percentile(values, 95) == 95.0
    assert web_load.percentile(values, 99) == 99.0
    assert web_load.percentile([7.0], 99) == 7.0
    assert web_load.percentile([], 50) is None


def test_a_page_summary_counts_errors_apart_from_latencies():
    samples = [(0.010, True), (0.020, True), (0.030, True), (5.0, False)]
    figures = web_load.summarise(samples, seconds=2.0)
    assert figures == {"count": 4, "errors": 1, "rps": 2.0, "p50_ms": 20.0, "p95_ms": 30.0, "p99_ms": 30.0}


def test_open_loop_arrivals_keep_the_rate_and_the_duration():
    times = web_load.schedule(rate=200.0, duration=10.0, rng=random.Random(1))
    assert times == sorted(times) and 0 < times[0] and times[-1] < 10.0
    assert 1800 < len(times) < 2200  # Poisson: about rate × duration


def test_public_figures_find_lost_and_duplicated_reports():
    results = [
        {"marker": "m1", "code": "1" * 16, "seconds": 0.5, "error": ""},
        {"marker": "m2", "code": "2" * 16, "seconds": 12.0, "error": ""},
        {"marker": "m3", "code": None, "seconds": None, "error": "HTTP 429, no receipt"},
    ]
    figures = web_load.public_figures(results, stored=["m1", "m2", "m2"])
    assert figures["submitted"] == 3 and figures["answered_with_receipt"] == 2
    assert (figures["stored"], figures["lost"], figures["duplicated"]) == (3, 1, 1)
    assert figures["receipts_within_10s"] == 1
    assert figures["errors"] == ["HTTP 429, no receipt"]


def test_the_scale_is_a_fraction_of_a_year_of_work():
    year = scale_data.targets(1.0)
    assert year["clues"] >= 10_000 and year["persons"] >= 10_000 and year["missing_reports"] >= 1_000
    small = scale_data.targets(0.05)
    assert small == {k: round(v * 0.05) for k, v in year.items()}
    assert min(scale_data.targets(0.00001).values()) == 1
    with pytest.raises(ValueError):
        scale_data.targets(0)


@pytest.mark.django_db
def test_scaling_copies_persons_clues_and_missing_reports_with_new_numbers(alice):
    from django.utils import timezone

    from fanguai.clues.models import Clue
    from fanguai.missing.models import MissingReport
    from fanguai.people.models import Person
    from fanguai.people.services import register_person

    person = register_person(actor=None, unit=alice.unit, full_name="张三", sex=Person.Sex.MALE)
    Clue.objects.create(
        source="hotline_110", category="trafficking", description="车站可疑人员", received_by_unit=alice.unit
    )
    MissingReport.objects.create(
        person=person,
        last_seen_at=timezone.now(),
        last_seen_place="车站",
        description="蓝色上衣",
        owner_unit=alice.unit,
    )
    added = scale_data.scale(0.0005)
    assert added == scale_data.targets(0.0005)
    assert Person.objects.count() == 1 + added["persons"]
    assert Clue.objects.count() == 1 + added["clues"]
    assert MissingReport.objects.count() == 1 + added["missing_reports"]
    assert len(set(Clue.objects.values_list("number", flat=True))) == Clue.objects.count()
    copy = Clue.objects.exclude(description="车站可疑人员").first()
    assert copy.description.startswith("车站可疑人员")  # encrypted again on the copy, readable
    assert set(Person.objects.values_list("full_name", flat=True)) == {"张三"}

"""Benchmark of the kinship database search (issue 3, item 6; issue 12, item 5).  Not a test.

Prints one JSON object with, for each scenario, wall time, comparisons per second, peak memory and index
bytes per profile; ``cpu_s`` (CPU time of the process for the same best call) shows what a loaded
machine hides, ``scan_s`` the compiled scan's share of a best call (separate timed calls; the rest is
building the per-query tables and re-scoring the candidates exactly), ``kernel`` says whether the
compiled (numba) kernel or the NumPy fallback ran (``FANGUAI_KINSHIP_KERNEL=numpy`` forces the
fallback) and ``load_average`` the machine's load when the bench started.  Targets (issue 12): one child against 1,000,000 single parents ≤ 10 ms, against
1,000,000 couples ≤ 25 ms, one core; the all-against-all batch ≥ 1×10^8 comparisons per second on two
cores.  Defaults are the issue's sizes (1,000,000 single parents, 1,000,000 couples, and a
10,000 × 100,000 all-against-all batch); scale down with ``--n``, ``--couples``, ``--batch-children``
and ``--batch-parents``.  Profiles are random GlobalFiler profiles (21 autosomal loci) drawn from the
shipped Chinese frequency table, with one true parent / couple planted so the search can be checked.

    PYTHONPATH=src python bench/kinship_bench.py --n 100000 --couples 100000 --batch-children 200
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import time
import tracemalloc
from functools import partial

import numpy as np

from fanguai.kinship.frequencies import default_frequencies
from fanguai.kinship.kits import GLOBALFILER
from fanguai.kinship.lr import KinshipModel
from fanguai.kinship.mutation import MutationModel
from fanguai.kinship.search import CoupleIndex, ProfileIndex, SearchQuery, encode, search, search_many

kernel = importlib.import_module("fanguai.kinship.kernel")


def random_codes(model: KinshipModel, n: int, rng: np.random.Generator) -> np.ndarray:
    """Per-locus genotype codes of n random people (Hardy–Weinberg draws from the table)."""
    codes = np.empty((len(GLOBALFILER), n), dtype=np.uint32)
    for position, locus in enumerate(GLOBALFILER):
        freqs = model.frequencies.locus(locus).frequencies
        p = freqs / freqs.sum()
        i = rng.choice(len(p), size=n, p=p)
        j = rng.choice(len(p), size=n, p=p)
        low, high = np.minimum(i, j), np.maximum(i, j)
        codes[position] = 1 + high * (high + 1) // 2 + low
    return codes


def child_of(model: KinshipModel, mother: np.ndarray | None, father: np.ndarray, rng) -> dict:
    """A child profile receiving one allele from each given parent (random allele if none)."""
    from fanguai.kinship.search import decode_all

    child = {}
    for position, locus in enumerate(GLOBALFILER):
        data = model.frequencies.locus(locus)
        first, second = decode_all(1 + data.size * (data.size + 1) // 2)
        picks = []
        for parent in (mother, father):
            if parent is None:
                p = data.frequencies / data.frequencies.sum()
                picks.append(int(rng.choice(data.size, p=p)))
            else:
                code = int(parent[position])
                picks.append(int(first[code] if rng.random() < 0.5 else second[code]))
        i, j = sorted(picks)
        child[locus] = (data.alleles[i], data.alleles[j])
        assert encode(i, j) > 0
    return child


def peak_allocated_mib(function) -> float:
    """Peak memory (MiB) allocated by one call, as seen by tracemalloc (NumPy buffers included)."""
    tracemalloc.start()
    try:
        function()
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
    finally:
        tracemalloc.stop()


def timed(function, repeat: int = 5):
    """Best wall time of ``repeat`` calls, the CPU time of that call, and the last result."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        if wall < best:
            best, best_cpu = wall, cpu
    return best, best_cpu, result


def scan_share(function, name: str, repeat: int = 5) -> float:
    """Wall time of the compiled scan (``kernel.<name>``) inside the fastest of ``repeat`` calls: the
    rest of a search is building the per-query tables and the exact re-scoring of the candidates."""
    original = getattr(kernel, name)
    spent: list[float] = []

    def clocked(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    setattr(kernel, name, clocked)
    try:
        best, scan = float("inf"), 0.0
        for _ in range(repeat):
            spent.clear()
            start = time.perf_counter()
            function()
            wall = time.perf_counter() - start
            if wall < best:
                best, scan = wall, sum(spent)
        return scan
    finally:
        setattr(kernel, name, original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="single-parent references")
    parser.add_argument("--couples", type=int, default=1_000_000, help="couple references")
    parser.add_argument("--batch-children", type=int, default=10_000)
    parser.add_argument("--batch-parents", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="processes for the batch")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per scenario (best kept)")
    parser.add_argument("--mutation", default="none", choices=["none", "equal", "proportional", "stepwise"])
    parser.add_argument("--theta", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    mutation = MutationModel.uniform(args.mutation) if args.mutation != "none" else None
    model = KinshipModel(default_frequencies(), mutation, args.theta)
    figures: dict = {
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "loci": len(GLOBALFILER),
        "mutation": args.mutation,
        "theta": args.theta,
        "top": args.top,
        "kernel": "numba" if kernel.compiled_available() else "numpy",
        "numba": getattr(kernel.numba, "__version__", None),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }

    # One child against N single parents (one core).
    codes = random_codes(model, args.n, rng)
    parents = ProfileIndex(model, GLOBALFILER, codes, [f"P{i}" for i in range(args.n)])
    planted = args.n // 2
    child = child_of(model, None, codes[:, planted], rng)
    query = SearchQuery("parent", (child,))
    search(parents, query, top=args.top)  # warm-up (tables, caches)
    wall, cpu, hits = timed(partial(search, parents, query, top=args.top), args.repeat)
    figures["single_parents"] = {
        "references": args.n,
        "wall_s": round(wall, 5),
        "cpu_s": round(cpu, 5),
        "scan_s": round(
            scan_share(partial(search, parents, query, top=args.top), "scan_singles", args.repeat), 5
        ),
        "comparisons_per_s": round(args.n / wall),
        "index_bytes_per_profile": parents.bytes_per_profile,
        "index_bytes": int(parents.codes.nbytes),
        "planted_parent_rank": next((h.rank for h in hits if h.row == planted), None),
        "search_peak_alloc_mib": peak_allocated_mib(partial(search, parents, query, top=args.top)),
        "target_s": 0.010,
    }
    del parents, codes

    # One child against N couples (one core).
    mothers = random_codes(model, args.couples, rng)
    fathers = random_codes(model, args.couples, rng)
    ids = [(f"M{i}", f"F{i}") for i in range(args.couples)]
    couple_index = CoupleIndex(
        ProfileIndex(model, GLOBALFILER, mothers, [m for m, _ in ids]),
        ProfileIndex(model, GLOBALFILER, fathers, [f for _, f in ids]),
        ids,
    )
    planted = args.couples // 3
    child = child_of(model, mothers[:, planted], fathers[:, planted], rng)
    query = SearchQuery("couple", (child,))
    search(couple_index, query, top=args.top)
    wall, cpu, hits = timed(partial(search, couple_index, query, top=args.top), args.repeat)
    figures["couples"] = {
        "references": args.couples,
        "wall_s": round(wall, 5),
        "cpu_s": round(cpu, 5),
        "scan_s": round(
            scan_share(partial(search, couple_index, query, top=args.top), "scan_couples", args.repeat), 5
        ),
        "comparisons_per_s": round(args.couples / wall),
        "index_bytes_per_couple": couple_index.mothers.bytes_per_profile * 2,
        "planted_couple_rank": next((h.rank for h in hits if h.row == planted), None),
        "search_peak_alloc_mib": peak_allocated_mib(partial(search, couple_index, query, top=args.top)),
        "target_s": 0.025,
    }
    del couple_index, mothers, fathers

    # All against all: children × parents, on `workers` processes.
    codes = random_codes(model, args.batch_parents, rng)
    batch_index = ProfileIndex(model, GLOBALFILER, codes, [f"P{i}" for i in range(args.batch_parents)])
    children = [
        SearchQuery("parent", (child_of(model, None, codes[:, int(rng.integers(args.batch_parents))], rng),))
        for _ in range(args.batch_children)
    ]
    batch = {}
    search_many(batch_index, children[:2], top=args.top, workers=args.workers)  # warm-up (threads)
    for workers in sorted({1, args.workers}):
        start, start_cpu = time.perf_counter(), time.process_time()
        search_many(batch_index, children, top=args.top, workers=workers)
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        comparisons = args.batch_children * args.batch_parents
        batch[f"workers_{workers}"] = {
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "comparisons_per_s": round(comparisons / wall),
        }
    figures["batch"] = {
        "children": args.batch_children,
        "parents": args.batch_parents,
        **batch,
        "target_comparisons_per_s": 100_000_000,
    }
    figures["process_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

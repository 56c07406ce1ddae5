"""Benchmark of the re-matching job (issue 12, item 6): Spark in local mode against the same job in process.
Not a test.

Draws ``--references`` random GlobalFiler single parents and ``--queries`` children (each the child of one
reference, so every query has a planted parent) from the shipped Chinese frequency table, writes a job
folder (`fanguai.kinship.distributed.write_inputs`), then runs it (1) in this process as one partition and
(2) on Spark ``--master`` (default ``local[2]``) with ``--partitions`` reference partitions. Prints one JSON
object: comparisons, seconds and comparisons per second of each, the Spark session start-up apart, whether
both found the same top k, and the machine's load average at the start.

    PYTHONPATH=src python bench/rematch_spark_bench.py --references 200000 --queries 200 --partitions 4
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from fanguai.kinship import distributed as engine
from fanguai.kinship.frequencies import default_frequencies
from fanguai.kinship.kits import GLOBALFILER
from fanguai.kinship.lr import KinshipModel
from fanguai.kinship.search import SearchQuery


def random_profiles(model: KinshipModel, n: int, rng: np.random.Generator) -> list[dict]:
    columns = {}
    for locus in GLOBALFILER:
        data = model.frequencies.locus(locus)
        p = np.asarray(data.frequencies, dtype=float)
        p = p / p.sum()
        alleles = np.asarray(data.alleles, dtype=object)
        columns[locus] = (alleles[rng.choice(len(p), n, p=p)], alleles[rng.choice(len(p), n, p=p)])
    return [{locus: (str(a[i]), str(b[i])) for locus, (a, b) in columns.items()} for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rng = np.random.default_rng(args.seed)
    model = KinshipModel(default_frequencies())
    references = random_profiles(model, args.references, rng)
    others = random_profiles(model, args.queries, rng)
    children = []
    for q in range(args.queries):
        parent = references[int(rng.integers(args.references))]
        children.append(
            {locus: (parent[locus][int(rng.integers(2))], others[q][locus][0]) for locus in parent}
        )
    model = model.covering(references + children)
    sets = {"singles": engine.reference_set("singles", engine.SINGLE, model, references)}
    queries = [engine.Query(q, "singles", SearchQuery("parent", (c,))) for q, c in enumerate(children)]
    job = engine.Job(model, sets, queries, top=args.top, lead_lr=10_000.0)
    rows = [engine.reference_row("singles", r, (f"R{r}",), [p]) for r, p in enumerate(references)]
    figures: dict = {
        "references": args.references,
        "queries": args.queries,
        "comparisons": args.references * args.queries,
        "load_average": round(load, 2),
        "cpu_count": os.cpu_count(),
    }
    in_process = engine.run_in_process(job, rows, partitions=1)
    figures["in_process"] = {
        "seconds": round(in_process.seconds, 3),
        "comparisons_per_second": round(in_process.comparisons / in_process.seconds),
    }
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        engine.write_inputs(Path(folder), job, rows)
        figures["write_inputs_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        spark = engine.spark_session(args.master)
        figures["spark_session_seconds"] = round(time.perf_counter() - started, 3)
        try:
            on_spark = engine.run_spark(spark, Path(folder), args.partitions)
        finally:
            spark.stop()
    figures["spark"] = {
        "master": args.master,
        "partitions": args.partitions,
        "seconds": round(on_spark.seconds, 3),
        "comparisons_per_second": round(on_spark.comparisons / on_spark.seconds),
        "pairs_above_lead": len(on_spark.leads),
    }
    figures["same_top_k"] = all(
        [(h.reference, h.total_lr) for h in on_spark.top[q]] == [(h.reference, h.total_lr) for h in hits]
        for q, hits in in_process.top.items()
    )
    planted = sum(1 for hits in on_spark.top.values() if hits and hits[0].total_lr >= 10_000)
    figures["queries_whose_first_hit_is_a_match"] = planted
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

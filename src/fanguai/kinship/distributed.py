"""Re-matching at national scale on Spark: every query against every reference, top k and every lead.

When the frequency table, the thresholds or the kit change, every stored comparison is re-run. At national
scale (10^6 queries × 10^6 references = 10^12 comparisons) that is more than one machine; this module is
the batch as a Spark job. Its shape:

* the **references** (one row per reference: the reference set it belongs to, its position ``row`` in that
  set, its id(s) and its profile(s) as JSON) are a Parquet data set, split into partitions by range of
  (set, row);
* the **job** (the kinship model already covering every allele of the data, the loci of each reference
  set, the queries, k and the lead threshold) is broadcast to every executor;
* each task builds, for its partition, the very index the one-machine search builds
  (`ProfileIndex.build` / `CoupleIndex.build` with the job's model and loci) and runs `search` for every
  query of that reference set: it emits the partition's top k of each query and every pair whose LR is at
  or above the lead threshold;
* a reduce by query merges the partitions' top k into the global top k, ranked as `search` ranks (LR
  descending, then the lower row); both outputs are written as Parquet (``top/`` and ``leads/``).

Exactness: a partition's LRs are those of the whole index (same model, same loci, so the same per-locus
numbers, and `search` returns exact float64 LRs), and ties are broken by the global row, so the merged
top k equals `search` over the whole reference set.

Standalone on a cluster (``spark-submit``)::

    spark-submit --master spark://host:7077 --py-files fanguai-kinship.zip \\
        src/fanguai/kinship/distributed.py JOB_DIR [--partitions N] [--query-blocks B]

where ``JOB_DIR`` holds ``job.pickle`` and ``references.parquet`` written by `write_inputs` (the DNA app's
``fanguai dna rematch --export JOB_DIR``); the results land in ``JOB_DIR/top`` and ``JOB_DIR/leads``.

PySpark and PyArrow are imported lazily, so the kinship package imports without them.
"""

from __future__ import annotations

import argparse
import bisect
import json
import logging
import math
import os
import pickle  # noqa: S403 - the job file is written by `write_inputs` of the same deployment (trusted)
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fanguai.kinship.conclusions import DEFAULT_THRESHOLDS, Thresholds
from fanguai.kinship.lr import KinshipModel
from fanguai.kinship.profiles import Profile
from fanguai.kinship.search import CoupleIndex, ProfileIndex, SearchQuery, search

COUPLE = "couple"
SINGLE = "single"
JOB_FILE = "job.pickle"
REFERENCES_DIR = "references.parquet"
TOP_DIR = "top"
LEADS_DIR = "leads"


@dataclass(frozen=True)
class ReferenceSet:
    """A set of references searched together (single profiles or mother–father couples)."""

    name: str
    kind: str  # SINGLE or COUPLE
    loci: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """One search: ``number`` identifies it in the outputs; ``target`` names the reference set."""

    number: int
    target: str
    query: SearchQuery


@dataclass
class Job:
    """Everything a task needs besides its references (broadcast to the executors)."""

    model: KinshipModel
    sets: dict[str, ReferenceSet]
    queries: list[Query]
    top: int = 10
    lead_lr: float | None = None
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    queries_by_set: dict[str, list[Query]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for query in self.queries:
            self.queries_by_set.setdefault(query.target, []).append(query)


@dataclass(frozen=True)
class Hit:
    """One (query, reference) pair of an output; ``row`` is the reference's position in its set."""

    query: int
    rank: int
    row: int
    reference: tuple[str, ...]
    total_lr: float
    log10_lr: float
    inconsistent_loci: tuple[str, ...]
    conclusion: str

    def order(self) -> tuple[float, int]:
        return (-self.log10_lr, self.row)


def reference_set(name: str, kind: str, model: KinshipModel, profiles: Iterable[Profile]) -> ReferenceSet:
    """The set's loci as `ProfileIndex.build` would choose them over all its profiles."""
    typed: set[str] = set()
    for profile in profiles:
        typed.update(profile)
    return ReferenceSet(name, kind, tuple(model.locus_order({x for x in typed if x in model.frequencies})))


def reference_row(target: str, row: int, ids: Sequence[str], profiles: Sequence[Profile]) -> dict:
    """One row of the references data set (one id and profile, or mother's and father's)."""
    return {
        "set": target,
        "row": int(row),
        "ids": [str(i) for i in ids],
        "profiles": json.dumps([{locus: list(g) for locus, g in p.items()} for p in profiles]),
    }


def _profiles(text: str) -> list[Profile]:
    return [{locus: (g[0], g[1]) for locus, g in p.items()} for p in json.loads(text)]


# --- The kernel of one partition ----------------------------------------------------------------------


def score_partition(
    job: Job, rows: Iterable[Mapping], block: int = 0, blocks: int = 1
) -> Iterator[tuple[str, Hit]]:
    """Score the queries of the job (those of query block ``block`` of ``blocks``: query number modulo
    ``blocks``) against the partition's references.

    Yields ``("top", hit)`` for the partition's top k of each query and ``("lead", hit)`` for every pair at
    or above the lead threshold. Rows may come in any order; within a set they are indexed by ``row``.
    """
    by_set: dict[str, list[tuple[int, list[str], list[Profile]]]] = {}
    for row in rows:
        by_set.setdefault(row["set"], []).append(
            (int(row["row"]), list(row["ids"]), _profiles(row["profiles"]))
        )
    for name, members in by_set.items():
        queries = [q for q in job.queries_by_set.get(name, []) if q.number % blocks == block]
        if not queries:
            continue
        members.sort(key=lambda m: m[0])
        spec = job.sets[name]
        rows_of = [m[0] for m in members]
        if spec.kind == COUPLE:
            index = CoupleIndex.build(
                [(str(row), pair[0], f"{row}/f", pair[1]) for row, _, pair in members],
                job.model,
                loci=spec.loci,
            )
        else:
            index = ProfileIndex.build({str(m[0]): m[2][0] for m in members}, job.model, loci=spec.loci)
        ids_of = [tuple(m[1]) for m in members]
        for query in queries:
            yield from _score_one(job, index, query, rows_of, ids_of)


def _score_one(job, index, query: Query, rows_of, ids_of) -> Iterator[tuple[str, Hit]]:
    size = len(rows_of)
    top = min(job.top, size)
    hits = search(index, query.query, top=top, thresholds=job.thresholds)
    converted = [_hit(query.number, hit, rows_of, ids_of) for hit in hits]
    for hit in converted:
        yield "top", hit
    if job.lead_lr is None:
        return
    # Every pair at or above the lead threshold: widen the search while its last hit still qualifies.
    while converted and len(converted) < size and converted[-1].total_lr >= job.lead_lr:
        top = min(size, top * 4)
        converted = [
            _hit(query.number, hit, rows_of, ids_of)
            for hit in search(index, query.query, top=top, thresholds=job.thresholds)
        ]
    for hit in converted:
        if hit.total_lr >= job.lead_lr:
            yield "lead", hit


def _hit(number: int, hit, rows_of: Sequence[int], ids_of: Sequence[tuple[str, ...]]) -> Hit:
    # The index's ids are the rows (as text), whatever the reference's own ids.
    local = hit.reference[0] if isinstance(hit.reference, tuple) else hit.reference
    row = int(local)
    position = _position(rows_of, row)
    return Hit(
        query=number,
        rank=0,
        row=row,
        reference=ids_of[position],
        total_lr=float(hit.total_lr),
        log10_lr=float(hit.log10_lr),
        inconsistent_loci=tuple(hit.inconsistent_loci),
        conclusion=hit.conclusion,
    )


def _position(rows_of: Sequence[int], row: int) -> int:
    return bisect.bisect_left(rows_of, row)


def merge_top(first: list[Hit], second: list[Hit], k: int) -> list[Hit]:
    """The global top k of two partial top-k lists (ranked as `search` ranks)."""
    return sorted(first + second, key=Hit.order)[:k]


def ranked(hits: list[Hit]) -> list[Hit]:
    return [
        Hit(h.query, rank, h.row, h.reference, h.total_lr, h.log10_lr, h.inconsistent_loci, h.conclusion)
        for rank, h in enumerate(sorted(hits, key=Hit.order), start=1)
    ]


@dataclass
class Result:
    """Top k per query (ranked) and every pair at or above the lead threshold."""

    top: dict[int, list[Hit]]
    leads: list[Hit]
    seconds: float = 0.0
    comparisons: int = 0


def run_in_process(job: Job, rows: Sequence[Mapping], partitions: int = 1, query_blocks: int = 1) -> Result:
    """The same job without Spark: rows split into ``partitions`` contiguous parts, each scored by
    ``query_blocks`` tasks (see `run_spark`), one after the other, and merged."""
    started = time.perf_counter()
    ordered = sorted(rows, key=lambda r: (r["set"], int(r["row"])))
    step = max(1, math.ceil(len(ordered) / max(1, partitions)))
    top: dict[int, list[Hit]] = {}
    leads: list[Hit] = []
    tasks = [(start, block) for start in range(0, len(ordered), step) for block in range(query_blocks)]
    for start, block in tasks:
        for tag, hit in score_partition(job, ordered[start : start + step], block, query_blocks):
            if tag == "top":
                top[hit.query] = merge_top(top.get(hit.query, []), [hit], job.top)
            else:
                leads.append(hit)
    return Result(
        {q: ranked(h) for q, h in top.items()},
        sorted(leads, key=lambda h: (h.query, *h.order())),
        time.perf_counter() - started,
        _comparisons(job, ordered),
    )


def _comparisons(job: Job, rows: Iterable[Mapping], block: int = 0, blocks: int = 1) -> int:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["set"]] = counts.get(row["set"], 0) + 1
    return sum(counts.get(q.target, 0) for q in job.queries if q.number % blocks == block)


# --- Files: the job, the references, the outputs ------------------------------------------------------


def write_inputs(directory: Path, job: Job, rows: Iterable[Mapping]) -> None:
    """Write ``job.pickle`` and ``references.parquet`` (needs pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / JOB_FILE).write_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
    rows = list(rows)
    table = pa.table(
        {
            "set": pa.array([r["set"] for r in rows], pa.string()),
            "row": pa.array([r["row"] for r in rows], pa.int64()),
            "ids": pa.array([r["ids"] for r in rows], pa.list_(pa.string())),
            "profiles": pa.array([r["profiles"] for r in rows], pa.string()),
        }
    )
    target = directory / REFERENCES_DIR
    target.mkdir(exist_ok=True)
    pq.write_table(table, target / "part-0.parquet")


def read_job(directory: Path) -> Job:
    return pickle.loads((Path(directory) / JOB_FILE).read_bytes())  # noqa: S301 - trusted, see import


HIT_COLUMNS = ("query", "rank", "row", "reference", "total_lr", "log10_lr", "inconsistent_loci", "conclusion")


def write_results(directory: Path, result: Result) -> None:
    """Write a `Result` as the Spark job writes it (``top`` and ``leads`` Parquet folders; needs pyarrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, hits in (
        (TOP_DIR, [h for q in sorted(result.top) for h in result.top[q]]),
        (LEADS_DIR, result.leads),
    ):
        rows = [_as_tuple(h) for h in hits]
        columns = {column: [r[i] for r in rows] for i, column in enumerate(HIT_COLUMNS)}
        types = {
            "query": pa.int64(),
            "rank": pa.int32(),
            "row": pa.int64(),
            "reference": pa.list_(pa.string()),
            "total_lr": pa.float64(),
            "log10_lr": pa.float64(),
            "inconsistent_loci": pa.list_(pa.string()),
            "conclusion": pa.string(),
        }
        table = pa.table({c: pa.array(columns[c], types[c]) for c in HIT_COLUMNS})
        target = Path(directory) / name
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target / "part-0.parquet")
    (Path(directory) / "run.json").write_text(
        json.dumps({"seconds": result.seconds, "comparisons": result.comparisons, "engine": "in-process"})
    )


def read_references(directory: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(Path(directory) / REFERENCES_DIR).to_pylist()


def read_results(directory: Path) -> Result:
    """The outputs of a Spark run (``top`` and ``leads`` Parquet folders), as a `Result` (needs pyarrow)."""
    import pyarrow.parquet as pq

    def hits(name: str) -> list[Hit]:
        path = Path(directory) / name
        if not path.exists():
            return []
        columns = pq.read_table(path, columns=list(HIT_COLUMNS)).to_pydict()
        return [
            Hit(int(q), int(rank), int(row), tuple(ref), float(lr), float(log10), tuple(bad), conclusion)
            for q, rank, row, ref, lr, log10, bad, conclusion in zip(
                *(columns[c] for c in HIT_COLUMNS), strict=True
            )
        ]

    top: dict[int, list[Hit]] = {}
    for hit in hits(TOP_DIR):
        top.setdefault(hit.query, []).append(hit)
    meta_path = Path(directory) / "run.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return Result(
        {q: sorted(h, key=lambda x: x.rank) for q, h in top.items()},
        sorted(hits(LEADS_DIR), key=lambda h: (h.query, *h.order())),
        float(meta.get("seconds", 0.0)),
        int(meta.get("comparisons", 0)),
    )


# --- Spark ----------------------------------------------------------------------------------------------


def spark_session(master: str = "local[2]", app_name: str = "fanguai-rematch", **conf: str):
    """A SparkSession for the job: no web UI, no progress bar, loopback-bound when local."""
    from pyspark.sql import SparkSession

    if master.startswith("local"):
        # The Python workers are this interpreter (its virtual environment has fanguai and numpy).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName(app_name)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
    }
    if master.startswith("local"):
        settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"})
    settings.update(conf)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # no INFO lines from py4j's finalizers at exit
    return session


def _hit_schema():
    from pyspark.sql import types as T

    return T.StructType(
        [
            T.StructField("query", T.LongType(), False),
            T.StructField("rank", T.IntegerType(), False),
            T.StructField("row", T.LongType(), False),
            T.StructField("reference", T.ArrayType(T.StringType()), False),
            T.StructField("total_lr", T.DoubleType(), False),
            T.StructField("log10_lr", T.DoubleType(), False),
            T.StructField("inconsistent_loci", T.ArrayType(T.StringType()), False),
            T.StructField("conclusion", T.StringType(), False),
        ]
    )


def _as_tuple(hit: Hit) -> tuple:
    return (
        hit.query,
        hit.rank,
        hit.row,
        list(hit.reference),
        hit.total_lr,
        hit.log10_lr,
        list(hit.inconsistent_loci),
        hit.conclusion,
    )


def run_spark(spark, directory: Path, partitions: int | None = None, query_blocks: int = 1) -> Result:
    """Run the job of ``directory`` (see `write_inputs`) on ``spark``; write ``top`` and ``leads``.

    ``partitions`` reference partitions (by range of set and row); with ``query_blocks`` B > 1 every
    reference partition is scored by B tasks, each with every B-th query (the references are replicated B
    times), so that a task's fixed cost (building its index) and its per-query cost (the query's tables)
    stay balanced when there are many more queries than a task should handle.
    """
    from pyspark import StorageLevel

    directory = Path(directory)
    job = read_job(directory)
    started = time.perf_counter()
    references = spark.read.parquet(str(directory / REFERENCES_DIR))
    if partitions:
        references = references.repartitionByRange(partitions, "set", "row")
    shared = spark.sparkContext.broadcast(job)
    counted = spark.sparkContext.accumulator(0)
    k = job.top
    blocks = max(1, query_blocks)

    def score(index, rows):
        block = index % blocks
        rows = [row if isinstance(row, dict) else row.asDict() for row in rows]
        counted.add(_comparisons(shared.value, rows, block, blocks))
        yield from score_partition(shared.value, rows, block, blocks)

    rdd = references.rdd
    if blocks > 1:
        parts = rdd.getNumPartitions()
        rdd = (
            rdd.mapPartitionsWithIndex(
                lambda index, rows: (((index * blocks + b), r.asDict()) for r in rows for b in range(blocks))
            )
            .partitionBy(parts * blocks, lambda key: key)
            .values()
        )
    scored = rdd.mapPartitionsWithIndex(score).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        best = (
            scored.filter(lambda item: item[0] == "top")
            .map(lambda item: (item[1].query, [item[1]]))
            .reduceByKey(lambda a, b: merge_top(a, b, k))
            .flatMap(lambda item: [_as_tuple(h) for h in ranked(item[1])])
        )
        leads = scored.filter(lambda item: item[0] == "lead").map(lambda item: _as_tuple(item[1]))
        schema = _hit_schema()
        spark.createDataFrame(best, schema).write.mode("overwrite").parquet(str(directory / TOP_DIR))
        spark.createDataFrame(leads, schema).write.mode("overwrite").parquet(str(directory / LEADS_DIR))
        comparisons = counted.value  # a figure only: a retried task may count twice
    finally:
        scored.unpersist()
        shared.unpersist()
    seconds = time.perf_counter() - started
    (directory / "run.json").write_text(
        json.dumps({"seconds": seconds, "comparisons": comparisons, "partitions": partitions})
    )
    return read_results(directory)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``spark-submit distributed.py JOB_DIR [--partitions N]`` (the master comes from
    spark-submit's ``--master``; ``--master`` here is for a plain ``python`` run)."""
    parser = argparse.ArgumentParser(description="fanguai re-matching job (Spark)")
    parser.add_argument("directory", type=Path, help="folder with job.pickle and references.parquet")
    parser.add_argument("--partitions", type=int, default=None, help="reference partitions")
    parser.add_argument("--query-blocks", type=int, default=1, help="query blocks per reference partition")
    parser.add_argument("--master", default=None)
    parser.add_argument(
        "--in-process", action="store_true", help="no Spark: score the partitions one after the other here"
    )
    args = parser.parse_args(argv)
    if args.in_process:
        result = run_in_process(
            read_job(args.directory), read_references(args.directory), args.partitions or 1, args.query_blocks
        )
        write_results(args.directory, result)
    else:
        from pyspark.sql import SparkSession

        spark = spark_session(args.master) if args.master else SparkSession.builder.getOrCreate()
        try:
            result = run_spark(spark, args.directory, args.partitions, args.query_blocks)
        finally:
            spark.stop()
    rate = result.comparisons / result.seconds if result.seconds else 0.0
    print(
        json.dumps(
            {
                "queries": len(result.top),
                "leads": len(result.leads),
                "comparisons": result.comparisons,
                "seconds": round(result.seconds, 3),
                "comparisons_per_second": round(rate),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

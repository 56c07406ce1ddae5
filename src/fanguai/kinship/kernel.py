"""Compiled scan kernels of the database search, with a NumPy fallback.

A scan sums, for every reference, one float32 table entry per locus and keeps the best k rows.  The
kernels fuse the whole scan: one pass over the profile-major index (each reference's per-locus codes
are contiguous), four references interleaved so that the 21 dependent float32 additions of one
reference overlap with those of the next three, and the top k kept *inside* the kernel (a min-heap of
the k best finite scores plus a candidate buffer), so no score array is ever written to memory.
Four rows whose partial scores cannot reach the current bound even if every remaining locus gave its
largest entry skip the remaining loci: single parents are tested once, after half of the loci;
couples, which random data excludes much sooner, after 2, 4 and 8 loci and after half of them.

Candidate selection is conservative: a row is a candidate when its float32 score is at least the k-th
best minus ``margin`` (twice a bound on the float32 rounding error, see `search._margin`), and rows
whose score is -inf (an LR of 0) are kept, lowest rows first, only while fewer than k finite rows
exist.  The caller recomputes the candidates exactly in float64, so the kernel only has to never lose
a row of the true top k.

The kernels are compiled with numba (``cache=True``: compiled once per machine; when no cache
directory is writable numba is used without a cache).  Where numba is not installed or cannot
compile, or when ``FANGUAI_KINSHIP_KERNEL=numpy`` is set, the same selection runs on NumPy chunks.
"""

from __future__ import annotations

import os
import warnings
from contextlib import contextmanager

import numpy as np

CHUNK = 65536
"""Rows per NumPy chunk of the fallback."""

try:  # pragma: no cover - exercised by whichever environment runs the tests
    import numba
except Exception:  # noqa: BLE001 - any import failure (missing, broken llvmlite) means no kernel
    numba = None


def _jit(**options):
    """``numba.njit(cache=True, **options)``, or without cache where no cache directory is usable."""

    def decorate(function):
        if numba is None:
            return None
        try:
            return numba.njit(cache=True, **options)(function)
        except Exception:  # noqa: BLE001 - numba raises RuntimeError when no cache locator applies
            try:
                return numba.njit(**options)(function)
            except Exception:  # noqa: BLE001
                return None

    return decorate


def compiled_available() -> bool:
    """Whether the compiled kernels are used (numba present and not disabled by the environment)."""
    return (
        numba is not None
        and _FAILED == []
        and os.environ.get("FANGUAI_KINSHIP_KERNEL", "").lower() not in ("numpy", "off", "0")
    )


_FAILED: list[str] = []
"""Kernels that failed to compile or run once; the NumPy path is used from then on."""


def _run(kernel, fallback, *args):
    if compiled_available() and kernel is not None:
        try:
            return kernel(*args)
        except Exception as error:  # noqa: BLE001 - a compile error must not break searching
            _FAILED.append(repr(error))
            warnings.warn(f"compiled kinship kernel unavailable, using NumPy: {error!r}", stacklevel=3)
    return fallback(*args)


# ---------------------------------------------------------------------------------------------------
# Compiled kernels.


def _offer_py(row, score, k, margin, heap, state, rows, scores, zeros):
    """Consider one row (see the module docstring); returns the (possibly grown) candidate buffers.

    ``state`` holds [heap size, candidate count, zero-row count].
    """
    if score == -np.inf:
        if state[2] < k:
            zeros[state[2]] = row
            state[2] += 1
        return rows, scores
    if not score == score:  # NaN: never a candidate
        return rows, scores
    size = state[0]
    if size == k and np.float64(score) < np.float64(heap[0]) - margin:
        return rows, scores
    # Append the candidate (compacting, then growing, a full buffer).
    if state[1] == rows.shape[0]:
        threshold = np.float64(heap[0]) - margin if size == k else -np.inf
        kept = 0
        for i in range(state[1]):
            if np.float64(scores[i]) >= threshold:
                rows[kept] = rows[i]
                scores[kept] = scores[i]
                kept += 1
        state[1] = kept
        if kept * 2 > rows.shape[0]:
            bigger_rows = np.empty(rows.shape[0] * 2, rows.dtype)
            bigger_scores = np.empty(rows.shape[0] * 2, scores.dtype)
            bigger_rows[:kept] = rows[:kept]
            bigger_scores[:kept] = scores[:kept]
            rows, scores = bigger_rows, bigger_scores
    rows[state[1]] = row
    scores[state[1]] = score
    state[1] += 1
    # Keep the heap of the k best finite scores.
    if size < k:
        i = size
        heap[i] = score
        state[0] = size + 1
        while i > 0:
            parent = (i - 1) // 2
            if heap[parent] <= heap[i]:
                break
            heap[parent], heap[i] = heap[i], heap[parent]
            i = parent
    elif score > heap[0]:
        heap[0] = score
        i = 0
        while True:
            left = 2 * i + 1
            if left >= k:
                break
            smallest = left
            if left + 1 < k and heap[left + 1] < heap[left]:
                smallest = left + 1
            if heap[i] <= heap[smallest]:
                break
            heap[i], heap[smallest] = heap[smallest], heap[i]
            i = smallest
    return rows, scores


def _finish_py(k, margin, heap, state, rows, scores, zeros):
    """Final candidate rows: finite rows within the margin of the k-th best, then zero rows up to k."""
    threshold = np.float64(heap[0]) - margin if state[0] == k else -np.inf
    kept = 0
    for i in range(state[1]):
        if np.float64(scores[i]) >= threshold:
            kept += 1
    extra = 0
    if kept < k:
        extra = min(k - kept, state[2])
    out = np.empty(kept + extra, np.int64)
    j = 0
    for i in range(state[1]):
        if np.float64(scores[i]) >= threshold:
            out[j] = rows[i]
            j += 1
    for i in range(extra):
        out[j] = zeros[i]
        j += 1
    return out


def _buffers_py(k):
    capacity = max(4 * k, 1024)
    return (
        np.full(k, np.inf, np.float32),
        np.zeros(3, np.int64),
        np.empty(capacity, np.int64),
        np.empty(capacity, np.float32),
        np.empty(k, np.int64),
    )


def _bound_py(k, margin, heap, state):
    """Lowest score worth offering: the k-th best minus the margin once k finite scores are held,
    else -inf while zero rows are still collected, else the lowest finite float."""
    if state[0] == k:
        return np.float64(heap[0]) - margin
    if state[2] < k:
        return -np.inf
    return -np.float64(np.finfo(np.float64).max)


def _scan_singles_py(codes, table, offsets, k, margin, cut, rest):
    """Top-k candidates of ``Σ_l table[offsets[l] + codes[row, l]]`` over the rows of ``codes``.

    The per-row test against the current bound is inline; only rows that pass it (about k·log n of
    them, plus -inf rows while fewer than k are held) go through `_offer`.  After the first ``cut``
    loci, four rows whose partial scores cannot reach the bound even with ``rest`` (the sum of the
    remaining loci's largest entries) plus the margin skip the remaining loci.  (One test, in two
    plain loops: a general multi-stage loop as in `_scan_couples_py` measured 1.5 times slower here,
    and single parents are not excluded early enough for earlier tests to pay.)
    """
    n, loci = codes.shape
    heap, state, rows, scores, zeros = _buffers(k)
    bound = -np.inf
    stop4 = n - n % 4
    for row in range(0, stop4, 4):
        s0 = np.float32(0.0)
        s1 = np.float32(0.0)
        s2 = np.float32(0.0)
        s3 = np.float32(0.0)
        for locus in range(cut):
            base = offsets[locus]
            s0 += table[base + codes[row, locus]]
            s1 += table[base + codes[row + 1, locus]]
            s2 += table[base + codes[row + 2, locus]]
            s3 += table[base + codes[row + 3, locus]]
        if np.float64(max(max(s0, s1), max(s2, s3))) + rest + margin < bound:
            continue
        for locus in range(cut, loci):
            base = offsets[locus]
            s0 += table[base + codes[row, locus]]
            s1 += table[base + codes[row + 1, locus]]
            s2 += table[base + codes[row + 2, locus]]
            s3 += table[base + codes[row + 3, locus]]
        rows, scores, bound = _offer4(row, s0, s1, s2, s3, bound, k, margin, heap, state, rows, scores, zeros)
    for row in range(stop4, n):
        s0 = np.float32(0.0)
        for locus in range(loci):
            s0 += table[offsets[locus] + codes[row, locus]]
        if s0 >= bound:
            rows, scores = _offer(row, s0, k, margin, heap, state, rows, scores, zeros)
            bound = _bound(k, margin, heap, state)
    return _finish(k, margin, heap, state, rows, scores, zeros)


def _offer4_py(row, s0, s1, s2, s3, bound, k, margin, heap, state, rows, scores, zeros):
    """Offer rows ``row`` to ``row + 3`` (scores s0..s3) that reach the bound; returns the buffers and
    the new bound."""
    if s0 >= bound or s1 >= bound or s2 >= bound or s3 >= bound:
        for j in range(4):
            score = s0 if j == 0 else (s1 if j == 1 else (s2 if j == 2 else s3))
            if score >= bound:
                rows, scores = _offer(row + j, score, k, margin, heap, state, rows, scores, zeros)
                bound = _bound(k, margin, heap, state)
    return rows, scores, bound


def _scan_couples_py(mothers, fathers, mother_row, table, offsets, k, margin, stops, rests):
    """Top-k candidates of ``Σ_l table[mother_row[o_l + m] + f]`` (m, f the couple's codes at l).

    ``mother_row`` maps a mother's code at a locus to the start of her class's row in ``table``; a row
    lists the couple LR for every father code of the locus.  The loci are summed in stages ending at
    ``stops`` (increasing, the last one the number of loci); after each stage, four couples whose
    partial scores cannot reach the bound even with ``rests[stage]`` (the sum of the remaining loci's
    largest entries) plus the margin skip the remaining loci.
    """
    n = mothers.shape[0]
    heap, state, rows, scores, zeros = _buffers(k)
    bound = -np.inf
    stop4 = n - n % 4
    for row in range(0, stop4, 4):
        s0 = np.float32(0.0)
        s1 = np.float32(0.0)
        s2 = np.float32(0.0)
        s3 = np.float32(0.0)
        low = 0
        skip = False
        for stage in range(stops.shape[0]):
            for locus in range(low, stops[stage]):
                base = offsets[locus]
                s0 += table[mother_row[base + mothers[row, locus]] + fathers[row, locus]]
                s1 += table[mother_row[base + mothers[row + 1, locus]] + fathers[row + 1, locus]]
                s2 += table[mother_row[base + mothers[row + 2, locus]] + fathers[row + 2, locus]]
                s3 += table[mother_row[base + mothers[row + 3, locus]] + fathers[row + 3, locus]]
            low = stops[stage]
            if np.float64(max(max(s0, s1), max(s2, s3))) + rests[stage] + margin < bound:
                skip = True
                break
        if not skip:
            rows, scores, bound = _offer4(
                row, s0, s1, s2, s3, bound, k, margin, heap, state, rows, scores, zeros
            )
    for row in range(stop4, n):
        s0 = np.float32(0.0)
        for locus in range(mothers.shape[1]):
            s0 += table[mother_row[offsets[locus] + mothers[row, locus]] + fathers[row, locus]]
        if s0 >= bound:
            rows, scores = _offer(row, s0, k, margin, heap, state, rows, scores, zeros)
            bound = _bound(k, margin, heap, state)
    return _finish(k, margin, heap, state, rows, scores, zeros)


def _scan_into_py(codes, table, offsets, k, margin, cut, rest, out_row):
    """One query of a batch: its candidates written into ``out_row``; returns their count, or -1 when there
    are more than ``out_row`` holds (the caller redoes that query)."""
    found = _scan_singles(codes, table, offsets, k, margin, cut, rest)
    if found.shape[0] > out_row.shape[0]:
        return -1
    out_row[: found.shape[0]] = found
    return found.shape[0]


def _scan_batch_py(codes, table, query_offsets, k, margins, cut, rests, capacity):
    """For every query q, the candidates of ``Σ_l table[query_offsets[q, l] + codes[row, l]]``.

    Queries run in parallel (one per thread); returns (candidates of shape (queries, capacity),
    counts), a count of -1 meaning more than ``capacity`` candidates (the caller redoes that query).
    """
    out = np.full((query_offsets.shape[0], capacity), -1, np.int64)
    counts = np.zeros(query_offsets.shape[0], np.int64)
    for q in _prange(query_offsets.shape[0]):
        counts[q] = _scan_into(codes, table, query_offsets[q], k, margins[q], cut, rests[q], out[q])
    return out, counts


def _scan_batch_serial_py(codes, table, query_offsets, k, margins, cut, rests, capacity):
    """`_scan_batch_py` on the calling thread only: no thread pool is started, so it is safe in forked
    processes."""
    out = np.full((query_offsets.shape[0], capacity), -1, np.int64)
    counts = np.zeros(query_offsets.shape[0], np.int64)
    for q in range(query_offsets.shape[0]):
        counts[q] = _scan_into(codes, table, query_offsets[q], k, margins[q], cut, rests[q], out[q])
    return out, counts


def _scores_singles_py(codes, table, offsets, out):
    """Every row's float32 score, summed in the kernels' order (for tests and diagnostics)."""
    n, loci = codes.shape
    for row in range(n):
        s0 = np.float32(0.0)
        for locus in range(loci):
            s0 += table[offsets[locus] + codes[row, locus]]
        out[row] = s0


_prange = numba.prange if numba is not None else range
_offer = _jit()(_offer_py)
_offer4 = _jit(inline="always")(_offer4_py)
_finish = _jit()(_finish_py)
_bound = _jit(inline="always")(_bound_py)
_buffers = _jit(inline="always")(_buffers_py)
_scan_singles = _jit()(_scan_singles_py)
_scan_couples = _jit()(_scan_couples_py)
_scan_into = _jit()(_scan_into_py)
_scores_singles = _jit()(_scores_singles_py)
_scan_batch = _jit(parallel=True)(_scan_batch_py)
_scan_batch_serial = _jit()(_scan_batch_serial_py)
if None in (_offer, _offer4, _finish, _buffers, _bound):  # pragma: no cover - no numba: no kernels
    _scan_singles = _scan_couples = _scan_into = _scan_batch = _scan_batch_serial = _scores_singles = None


# ---------------------------------------------------------------------------------------------------
# NumPy fallback: the same selection, on chunks of scores (every locus summed: the early-exit
# arguments of the kernels are accepted and ignored).


class TopK:
    """Streaming candidate selection over chunks of float32 scores (the kernels' rule, in NumPy)."""

    def __init__(self, k: int, margin: float):
        self.k, self.margin = k, margin
        self.rows: list[np.ndarray] = []
        self.scores: list[np.ndarray] = []
        self.count = 0
        self.kth = -np.inf
        self.zero_rows: list[int] = []

    def add(self, start: int, scores: np.ndarray) -> None:
        finite = ~np.isneginf(scores) & ~np.isnan(scores)
        if len(self.zero_rows) < self.k:
            zeros = np.flatnonzero(np.isneginf(scores))[: self.k - len(self.zero_rows)]
            self.zero_rows.extend((zeros + start).tolist())
        threshold = self.kth - self.margin
        keep = np.flatnonzero(finite & (scores.astype(np.float64) >= threshold))
        if keep.size:
            self.rows.append(keep + start)
            self.scores.append(scores[keep])
            self.count += keep.size
            if self.count > max(4 * self.k, 4096):
                self._compact()

    def _compact(self) -> None:
        rows = np.concatenate(self.rows)
        scores = np.concatenate(self.scores)
        if scores.size >= self.k:
            self.kth = float(np.partition(scores, scores.size - self.k)[scores.size - self.k])
            keep = scores.astype(np.float64) >= self.kth - self.margin
            rows, scores = rows[keep], scores[keep]
        self.rows, self.scores, self.count = [rows], [scores], rows.size

    def candidates(self) -> np.ndarray:
        if self.rows:
            self._compact()
        rows = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.int64)
        if rows.size < self.k:
            extra = np.asarray(self.zero_rows[: self.k - rows.size], dtype=np.int64)
            rows = np.concatenate([rows.astype(np.int64), extra])
        return rows.astype(np.int64)


def _numpy_singles(codes, table, offsets, k, margin, cut=0, rest=np.inf):
    n, loci = codes.shape
    offsets = np.asarray(offsets, dtype=np.int64)
    top = TopK(k, margin)
    for start in range(0, n, CHUNK):
        block = codes[start : start + CHUNK]
        out = np.zeros(block.shape[0], dtype=np.float32)
        for locus in range(loci):
            out += table[offsets[locus] + block[:, locus].astype(np.int64)]
        top.add(start, out)
    return top.candidates()


def _numpy_couples(mothers, fathers, mother_row, table, offsets, k, margin, stops=None, rests=None):
    n, loci = mothers.shape
    offsets = np.asarray(offsets, dtype=np.int64)
    mother_row = np.asarray(mother_row, dtype=np.int64)
    top = TopK(k, margin)
    for start in range(0, n, CHUNK):
        m_block, f_block = mothers[start : start + CHUNK], fathers[start : start + CHUNK]
        out = np.zeros(m_block.shape[0], dtype=np.float32)
        for locus in range(loci):
            cell = mother_row[offsets[locus] + m_block[:, locus].astype(np.int64)].astype(np.int64)
            cell += f_block[:, locus]
            out += table[cell]
        top.add(start, out)
    return top.candidates()


def _numpy_batch(codes, table, query_offsets, k, margins, cut, rests, capacity):
    queries = query_offsets.shape[0]
    out = np.full((queries, capacity), -1, np.int64)
    counts = np.zeros(queries, np.int64)
    for q in range(queries):
        found = _numpy_singles(codes, table, query_offsets[q], k, float(margins[q]))
        if found.size > capacity:
            counts[q] = -1
        else:
            counts[q] = found.size
            out[q, : found.size] = found
    return out, counts


# ---------------------------------------------------------------------------------------------------
# Public entry points (argument checks here; the kernels trust their inputs).


SINGLE_STOPS = (0.5,)
"""Where the singles kernel tests for an early exit, as shares of the loci (after half of them)."""

COUPLE_STOPS = (2, 4, 8)
"""Where the couples kernel tests for an early exit (after 2, 4 and 8 loci, then half of them).

Random couples are excluded much faster than random single parents (without mutation 99% of them
after two loci, against 80% of single parents), so testing early pays for couples, while for
single parents the test after half the loci is the fastest measured (a test is only worth its cost
when it usually skips all four rows)."""


def _stages(
    ceilings: np.ndarray | None, loci: int, points: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Stage ends (early-exit tests, the last one after every locus) and what the loci after each can
    still add (the sum of their ceilings); without ceilings one stage and no early exit.

    ``points``: integers are locus counts, fractions shares of the loci.
    """
    if ceilings is None or loci < 4:
        return np.array([loci], dtype=np.int64), np.array([np.inf])
    ends = sorted({int(p) if p >= 1 else int(loci * p) for p in points} - {0} | {loci})
    ends = [end for end in ends if end <= loci]
    ceilings = np.asarray(ceilings, dtype=np.float64)
    rests = np.array([float(np.sum(ceilings[end:])) for end in ends])
    return np.array(ends, dtype=np.int64), rests


def _codes(codes: np.ndarray) -> np.ndarray:
    """C-contiguous unsigned genotype codes (the kernels index with unsigned sums: no wraparound test)."""
    codes = np.ascontiguousarray(codes)
    return codes if codes.dtype.kind == "u" else codes.astype(np.uint32)


def scan_singles(
    codes: np.ndarray,
    table: np.ndarray,
    offsets: np.ndarray,
    k: int,
    margin: float,
    ceilings: np.ndarray | None = None,
) -> np.ndarray:
    """Candidate rows for the top ``k`` of ``Σ_l table[offsets[l] + codes[row, l]]`` (float32 sums).

    ``codes``: (rows, loci) unsigned ints, C-contiguous; ``table``: float32 log10 LRs of every locus's
    genotype codes, locus ``l`` starting at ``offsets[l]``; ``ceilings``: each locus's largest finite
    entry (enables the early exit after half the loci; None disables it).
    """
    codes = _codes(codes)
    table = np.ascontiguousarray(table, dtype=np.float32)
    offsets = np.ascontiguousarray(offsets, dtype=np.uint64)  # unsigned: no negative-index wraparound
    if codes.shape[0] == 0:
        return np.zeros(0, np.int64)
    stops, rests = _stages(ceilings, codes.shape[1], SINGLE_STOPS)
    cut, rest = int(stops[0]), float(rests[0])
    return _run(_scan_singles, _numpy_singles, codes, table, offsets, int(k), float(margin), cut, rest)


def scores_singles(codes: np.ndarray, table: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The float32 score of every row, exactly as the scan kernels compute it."""
    codes = np.ascontiguousarray(codes)
    out = np.empty(codes.shape[0], dtype=np.float32)
    args = (
        codes,
        np.ascontiguousarray(table, dtype=np.float32),
        np.ascontiguousarray(offsets, dtype=np.int64),
    )
    if compiled_available() and _scores_singles is not None:
        _scores_singles(*args, out)
        return out
    out[:] = 0.0
    for locus in range(codes.shape[1]):
        out += args[1][args[2][locus] + codes[:, locus].astype(np.int64)]
    return out


def scan_couples(
    mothers: np.ndarray,
    fathers: np.ndarray,
    mother_row: np.ndarray,
    table: np.ndarray,
    offsets: np.ndarray,
    k: int,
    margin: float,
    ceilings: np.ndarray | None = None,
) -> np.ndarray:
    """Candidate rows for the top ``k`` couples (see `_scan_couples_py` for the table layout)."""
    if mothers.shape[0] == 0:
        return np.zeros(0, np.int64)
    stops, rests = _stages(ceilings, mothers.shape[1], COUPLE_STOPS + SINGLE_STOPS)
    return _run(
        _scan_couples,
        _numpy_couples,
        _codes(mothers),
        _codes(fathers),
        np.ascontiguousarray(mother_row, dtype=np.uint32 if table.size < 2**32 else np.uint64),
        np.ascontiguousarray(table, dtype=np.float32),
        np.ascontiguousarray(offsets, dtype=np.uint64),
        int(k),
        float(margin),
        stops,
        rests,
    )


def scan_batch(
    codes: np.ndarray,
    table: np.ndarray,
    query_offsets: np.ndarray,
    k: int,
    margins: np.ndarray,
    capacity: int,
    ceilings: np.ndarray | None = None,
    threads_wanted: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """`scan_singles` for many queries at once (one table row per query and locus).

    With ``threads_wanted > 1`` the queries run on numba's parallel threads (OpenMP or TBB layer;
    use inside `threads`), else on the calling thread only.

    ``ceilings``: shape (queries, loci), each query's largest finite entry per locus.
    """
    queries, loci = query_offsets.shape
    stops, _rests = _stages(None if ceilings is None else np.zeros(loci), loci, SINGLE_STOPS)
    cut = int(stops[0])
    if ceilings is None:
        rests = np.full(queries, np.inf)
    else:
        rests = np.sum(np.asarray(ceilings, dtype=np.float64)[:, cut:], axis=1)
    return _run(
        _scan_batch if threads_wanted > 1 else _scan_batch_serial,
        _numpy_batch,
        _codes(codes),
        np.ascontiguousarray(table, dtype=np.float32),
        np.ascontiguousarray(query_offsets, dtype=np.uint64),
        int(k),
        np.ascontiguousarray(margins, dtype=np.float64),
        cut,
        np.ascontiguousarray(rests, dtype=np.float64),
        int(capacity),
    )


@contextmanager
def threads(count: int):
    """Run the enclosed parallel kernels on ``count`` threads (at most numba's configured maximum)."""
    if numba is None or not compiled_available():
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(count), numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(previous)

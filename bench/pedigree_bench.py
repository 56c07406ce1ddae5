"""Time of reference-pedigree cases at 21 loci (GlobalFiler, shipped Chinese frequencies).

Usage: ``python bench/pedigree_bench.py [--repeat N] [--families a,b] [--thetas 0,0.01]
[--mutations none,equal,proportional,stepwise] [--tables]``.

Prints one line per family, θ and mutation model (both ``--untyped-transmission`` conventions for the
models that mutate) with the milliseconds of one `compute_pedigree_lr` call (median of ``--repeat``
cases, each with freshly simulated genotypes and a fresh model, so the matrices are built inside the
timing), then a JSON summary.  ``--tables`` also times `pedigree_tables` (every genotype code of the
missing place, what a database scan reads).  The families are those anti-trafficking work has; the
candidate is the true missing person; ``big`` is a 15-member, 3-generation family.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from fanguai.kinship import KinshipModel, MutationModel, default_frequencies
from fanguai.kinship.kits import GLOBALFILER
from fanguai.kinship.pedigree import Member, Pedigree, PedigreeError, compute_pedigree_lr, pedigree_tables

M, F = "male", "female"
# name -> (rows (id, father, mother, sex), typed members); the missing person is always "X".
FAMILIES: dict[str, tuple[list[tuple[str, str | None, str | None, str]], tuple[str, ...]]] = {
    "both-grandparents": (
        [("GF", None, None, M), ("GM", None, None, F), ("P", "GF", "GM", M), ("O", None, None, F)]
        + [("X", "P", "O", M)],
        ("GF", "GM"),
    ),
    "parent-sibling": (
        [("F", None, None, M), ("Mo", None, None, F), ("S", "F", "Mo", F), ("X", "F", "Mo", M)],
        ("Mo", "S"),
    ),
    "mother-grandmother": (
        [("GF", None, None, M), ("GM", None, None, F), ("Mo", "GF", "GM", F), ("F", None, None, M)]
        + [("X", "F", "Mo", M)],
        ("Mo", "GM"),
    ),
    "uncle-only": (
        [("GF", None, None, M), ("GM", None, None, F), ("U", "GF", "GM", M), ("P", "GF", "GM", M)]
        + [("O", None, None, F), ("X", "P", "O", M)],
        ("U",),
    ),
    "half-sibling": (
        [("P", None, None, M), ("M1", None, None, F), ("M2", None, None, F), ("S", "P", "M1", M)]
        + [("X", "P", "M2", M)],
        ("S",),
    ),
    "one-grandparent": (
        [("GF", None, None, M), ("GM", None, None, F), ("P", "GF", "GM", M), ("O", None, None, F)]
        + [("X", "P", "O", M)],
        ("GF",),
    ),
    "grandparents-uncle": (
        [("GF", None, None, M), ("GM", None, None, F), ("U", "GF", "GM", M), ("P", "GF", "GM", M)]
        + [("O", None, None, F), ("X", "P", "O", M)],
        ("GF", "GM", "U"),
    ),
    "full-siblings": (
        [("F", None, None, M), ("Mo", None, None, F), ("S1", "F", "Mo", F), ("S2", "F", "Mo", M)]
        + [("X", "F", "Mo", M)],
        ("S1", "S2"),
    ),
    "big": (
        [
            ("GF", None, None, M),
            ("GM", None, None, F),
            ("P", "GF", "GM", M),  # the missing child's father, untyped
            ("U1", "GF", "GM", M),
            ("A1", "GF", "GM", F),
            ("U2", "GF", "GM", M),
            ("O", None, None, F),  # the missing child's mother, untyped
            ("S1", None, None, F),
            ("S2", None, None, M),
            ("X", "P", "O", M),
            ("SIB", "P", "O", F),
            ("C1", "U1", "S1", M),
            ("C2", "S2", "A1", F),
            ("C3", "U2", "S1", F),
            ("C4", "S2", "A1", M),
        ],
        ("GF", "GM", "U1", "A1", "SIB", "C1", "C2"),
    ),
}


def simulate(rows, table, loci, rng) -> dict[str, dict]:
    """Genotypes of every member by Mendelian transmission from population founders."""
    genotypes: dict[str, dict] = {}
    for member_id, father, mother, _ in rows:
        profile = {}
        for locus in loci:
            data = table.locus(locus)
            if father is None:
                p = data.frequencies / data.frequencies.sum()
                pair = [data.alleles[i] for i in rng.choice(data.size, 2, p=p)]
            else:
                pair = [genotypes[father][locus][rng.integers(2)], genotypes[mother][locus][rng.integers(2)]]
            profile[locus] = tuple(sorted(pair, key=float))
        genotypes[member_id] = profile
    return genotypes


def mutation_models(names: list[str]) -> list[tuple[str, MutationModel | None]]:
    models: list[tuple[str, MutationModel | None]] = []
    for name in names:
        if name == "none":
            models.append(("none", None))
            continue
        for convention in ("mutate", "plain"):
            model = MutationModel.uniform(name, 0.002, mutate_untyped=convention == "mutate")
            models.append((f"{name}/{convention}", model))
    return models


def time_case(rows, typed, table, loci, mutation, theta, repeat, tables, seed) -> dict:
    pedigree = Pedigree([Member(*row) for row in rows])
    rng = np.random.default_rng(seed)
    times, table_times, lrs = [], [], []
    for _ in range(repeat):
        genotypes = simulate(rows, table, loci, rng)
        family = {k: genotypes[k] for k in typed}
        model = KinshipModel(table, mutation, theta)
        start = time.perf_counter()
        try:
            result = compute_pedigree_lr(pedigree, family, "X", genotypes["X"], model=model)
        except PedigreeError as error:
            return {"refused": str(error), "ms": round(1000 * (time.perf_counter() - start), 1)}
        times.append(time.perf_counter() - start)
        lrs.append(round(result.log10_lr, 3))
        if tables:
            model = KinshipModel(table, mutation, theta).covering(list(family.values()))
            start = time.perf_counter()
            pedigree_tables(pedigree, family, "X", model, loci)
            table_times.append(time.perf_counter() - start)
    row = {"ms": round(1000 * float(np.median(times)), 1), "max_ms": round(1000 * max(times), 1)}
    row["log10_lr"] = lrs
    if tables:
        row["tables_ms"] = round(1000 * float(np.median(table_times)), 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--thetas", default="0,0.01")
    parser.add_argument("--mutations", default="none,equal,proportional,stepwise")
    parser.add_argument("--tables", action="store_true", help="also time the per-genotype tables")
    args = parser.parse_args()
    table = default_frequencies()
    loci = list(GLOBALFILER)
    summary = []
    for name in args.families.split(","):
        rows, typed = FAMILIES[name]
        for theta in (float(t) for t in args.thetas.split(",")):
            for label, mutation in mutation_models(args.mutations.split(",")):
                row = time_case(rows, typed, table, loci, mutation, theta, args.repeat, args.tables, seed=1)
                row.update(family=name, theta=theta, mutation=label)
                summary.append(row)
                extra = f"  tables {row['tables_ms']:8.1f} ms" if "tables_ms" in row else ""
                shown = (
                    f"{row['ms']:8.1f} ms (max {row['max_ms']:.1f})" if "refused" not in row else "refused"
                )
                print(f"{name:20s} θ={theta:<5g} {label:20s} {shown}{extra}", flush=True)
    print(
        json.dumps(
            {"loci": len(loci), "members_max": max(len(r) for r, _ in FAMILIES.values()), "cases": summary}
        )
    )


if __name__ == "__main__":
    main()

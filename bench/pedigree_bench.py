"""Time of one reference-pedigree case: 15 members, 3 generations, 21 loci (prints JSON).

Usage: ``python bench/pedigree_bench.py [--theta T] [--mutation stepwise] [--repeat N]``.
The family: both grandparents (typed), their four children (two typed, one is the missing child's
father, untyped) with three untyped spouses, and grandchildren (three typed cousins and siblings);
the missing child is a grandchild.  Loci: the first 21 of the shipped table, so SE33 (76 alleles) is
included when it is among them.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from fanguai.kinship import KinshipModel, MutationModel, default_frequencies
from fanguai.kinship.pedigree import Member, Pedigree, compute_pedigree_lr

ROWS = [
    ("GF", None, None, "male"),
    ("GM", None, None, "female"),
    ("P", "GF", "GM", "male"),  # the missing child's father, untyped
    ("U1", "GF", "GM", "male"),
    ("A1", "GF", "GM", "female"),
    ("U2", "GF", "GM", "male"),
    ("O", None, None, "female"),  # the missing child's mother, untyped
    ("S1", None, None, "female"),
    ("S2", None, None, "male"),
    ("X", "P", "O", "male"),  # missing
    ("SIB", "P", "O", "female"),
    ("C1", "U1", "S1", "male"),
    ("C2", "S2", "A1", "female"),
    ("C3", "U2", "S1", "female"),
    ("C4", "S2", "A1", "male"),
]
TYPED = ("GF", "GM", "U1", "A1", "SIB", "C1", "C2")


def simulate(table, loci, rng):
    genotypes: dict[str, dict] = {}
    for member_id, father, mother, _ in ROWS:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--theta", type=float, default=0.0)
    parser.add_argument("--mutation", default="stepwise")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    table = default_frequencies()
    loci = list(table.loci)[:21]
    mutation = None if args.mutation == "none" else MutationModel.uniform(args.mutation, 0.002)
    pedigree = Pedigree([Member(*row) for row in ROWS])
    rng = np.random.default_rng(1)
    times, results = [], []
    for _ in range(args.repeat):
        genotypes = simulate(table, loci, rng)
        family = {k: genotypes[k] for k in TYPED}
        model = KinshipModel(table, mutation, args.theta)  # fresh: matrices are built inside the timing
        start = time.perf_counter()
        result = compute_pedigree_lr(pedigree, family, "X", genotypes["X"], model=model)
        times.append(time.perf_counter() - start)
        results.append(result.log10_lr)
    print(
        json.dumps(
            {
                "members": len(ROWS),
                "typed": len(TYPED),
                "generations": pedigree.generations(),
                "loci": len(loci),
                "max_alleles": max(table.locus(locus).size for locus in loci),
                "mutation": args.mutation,
                "theta": args.theta,
                "seconds_per_case": {"min": min(times), "median": float(np.median(times)), "max": max(times)},
                "log10_lr_true_relative": results,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Simulated STR profiles drawn from a frequency table (demo data and tests; never real people)."""

import numpy as np

from fanguai.kinship import FrequencyTable, default_frequencies, kit_loci

Profile = dict[str, tuple[str, str]]


def _ordered(table: FrequencyTable, locus: str, a: str, b: str) -> tuple[str, str]:
    index = table.locus(locus).index
    return (a, b) if index[a] <= index[b] else (b, a)


def draw_allele(rng: np.random.Generator, table: FrequencyTable, locus: str) -> str:
    data = table.locus(locus)
    weights = data.frequencies / data.frequencies.sum()
    return data.alleles[int(rng.choice(data.size, p=weights))]


def random_profile(rng: np.random.Generator, loci=None, table: FrequencyTable | None = None) -> Profile:
    table = table or default_frequencies()
    loci = loci or kit_loci("globalfiler")
    return {
        locus: _ordered(table, locus, draw_allele(rng, table, locus), draw_allele(rng, table, locus))
        for locus in loci
    }


def child_of(
    rng: np.random.Generator,
    mother: Profile,
    father: Profile,
    *,
    mutate: str | None = None,
    table: FrequencyTable | None = None,
) -> Profile:
    """A child inheriting one allele from each parent; `mutate` names a locus where the paternal allele
    moves one repeat (a mutation the model must tolerate)."""
    table = table or default_frequencies()
    child: Profile = {}
    for locus in mother:
        maternal = mother[locus][int(rng.integers(2))]
        paternal = father[locus][int(rng.integers(2))]
        if locus == mutate:
            # One whole repeat up (or down at the top of the ladder): a stepwise mutation, never a step
            # into a microvariant (which stepwise models with microvariant rate 0 cannot explain).
            alleles = table.locus(locus).alleles
            up, down = (f"{float(paternal) + step:g}" for step in (1, -1))
            paternal = up if up in alleles else down if down in alleles else paternal
        child[locus] = _ordered(table, locus, maternal, paternal)
    return child


def long_csv(profiles: dict[str, Profile]) -> str:
    lines = ["sample,locus,allele1,allele2"]
    for sample, profile in profiles.items():
        lines.extend(f"{sample},{locus},{a},{b}" for locus, (a, b) in profile.items())
    return "\n".join(lines) + "\n"

"""Command line: ``fanguai kinship lr`` and ``fanguai kinship search`` (a contract other tools rely on).

``lr``: ``--profiles FILE --ids ID1,ID2[,ID3] --relationship parent-child|trio|couple|full-siblings|
half-siblings|grandparent|avuncular [--frequencies FILE] [--sample-size N | --minimum-frequency F]
[--floor-listed] [--mutation none|equal|proportional|stepwise] [--rate R] [--range r]
[--microvariant-rate R2] [--untyped-transmission mutate|plain] [--theta T] [--json]``.  Id order: parent-child ``parent,child``; trio
``mother,alleged-father,child``; couple ``mother,father,child``; the others ``person1,person2``.
With ``--json`` one object is printed with keys ``total_lr``, ``log10_lr`` (``null`` when the LR is 0),
``loci`` (``[{locus, lr}]``), ``inconsistent_loci`` and ``conclusion``.

``search``: one query against every other profile (or the profiles of ``--references FILE``, or the
couples listed in ``--couples FILE``), printing the top k.

``pedigree``: ``--profiles FILE --pedigree FILE --missing ID --candidate ID`` with the model options of
``lr``: the candidate placed at the pedigree member ``--missing`` (pedigree CSV ``id,father,mother,sex``;
members with a profile are typed) against the candidate unrelated to the pedigree; same output as ``lr``.

Errors go to stderr with a non-zero exit status: 1 for invalid data (files, ids not found), 2 for
invalid usage (bad options or option combinations, wrong number of ids, an id named twice).  Warnings
about the input (off-ladder calls that left a locus untyped) go to stderr and do not change the status.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

from .frequencies import DEFAULT_SAMPLE_SIZE, FrequencyFormatError, default_frequencies, load_frequencies
from .lr import KAPPAS, ROLES, KinshipModel, KinshipResult, compute_lr
from .mutation import MODELS, UNTYPED_TRANSMISSIONS, MutationModel
from .pedigree import PedigreeError, compute_pedigree_lr, read_pedigree
from .profiles import Profile, ProfileFormatError, read_profiles
from .search import CoupleIndex, ProfileIndex, SearchHit, SearchQuery, search

LR_RELATIONSHIPS = ("parent-child", "trio", "couple", *KAPPAS)
SEARCH_MODES = ("parent", "couple", "child", "trio", *KAPPAS)


class CommandError(Exception):
    """A problem with the user's input, reported on stderr (exit status 1)."""


class UsageError(CommandError):
    """Invalid usage: options that do not go together, wrong ids (exit status 2, like argparse)."""


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--frequencies", type=Path, help="Locus,Allele,Frequency CSV (default: shipped table)"
    )
    minimum = parser.add_mutually_exclusive_group()
    minimum.add_argument(
        "--sample-size",
        type=int,
        help=f"individuals behind the table: unseen alleles get 5/(2N) (default N = {DEFAULT_SAMPLE_SIZE})",
    )
    minimum.add_argument("--minimum-frequency", type=float, help="fixed frequency of unseen alleles")
    parser.add_argument(
        "--floor-listed",
        action="store_true",
        help="also raise listed alleles rarer than the minimum to it (default: listed values as given)",
    )
    parser.add_argument("--mutation", choices=MODELS, default="none", help="mutation model (default none)")
    parser.add_argument("--rate", type=float, help="mutation rate per meiosis (default 0.002)")
    parser.add_argument(
        "--range", type=float, default=0.5, dest="range_", help="stepwise range (default 0.5)"
    )
    parser.add_argument(
        "--microvariant-rate", type=float, help="stepwise rate to/from microvariants (default 0)"
    )
    parser.add_argument(
        "--untyped-transmission",
        choices=UNTYPED_TRANSMISSIONS,
        default="mutate",
        help="transmissions from untyped parents: mutate (forrel, default) or plain (Familias)",
    )
    parser.add_argument("--theta", type=float, default=0.0, help="Balding-Nichols theta (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fanguai kinship", description="DNA kinship likelihood ratios")
    commands = parser.add_subparsers(dest="command", required=True)

    lr = commands.add_parser("lr", help="likelihood ratio of a relationship against unrelated")
    lr.add_argument("--profiles", type=Path, required=True, help="long CSV or GeneMapper ID-X table")
    lr.add_argument("--ids", required=True, help="comma-separated sample ids, in the relationship's order")
    lr.add_argument("--relationship", required=True, choices=LR_RELATIONSHIPS)
    _add_model_arguments(lr)

    find = commands.add_parser("search", help="search one query against many references")
    find.add_argument("--profiles", type=Path, required=True, help="profiles of the query (and references)")
    find.add_argument(
        "--query", required=True, help="query id (child; parent; or mother,father; mother,child)"
    )
    find.add_argument(
        "--mode",
        choices=SEARCH_MODES,
        default="parent",
        help="what the references are: parent (query is a child), couple (query is a child; "
        "needs --couples), child (query is a parent or mother,father), trio (query is "
        "mother,child; references are alleged fathers), or a relationship",
    )
    find.add_argument("--references", type=Path, help="reference profiles (default: all other samples)")
    find.add_argument(
        "--couples", type=Path, help="CSV with columns mother,father (ids of reference samples)"
    )
    find.add_argument("--top", type=int, default=10, help="number of results (default 10)")
    _add_model_arguments(find)

    pedigree = commands.add_parser(
        "pedigree", help="the missing person placed in a reference pedigree against unrelated"
    )
    pedigree.add_argument("--profiles", type=Path, required=True, help="profiles of the typed members")
    pedigree.add_argument(
        "--pedigree", type=Path, required=True, help="CSV id,father,mother,sex (sex M or F)"
    )
    pedigree.add_argument("--missing", required=True, help="pedigree member whose place is tested")
    pedigree.add_argument("--candidate", required=True, help="profile id tested in that place")
    _add_model_arguments(pedigree)
    return parser


def _model(args: argparse.Namespace) -> KinshipModel:
    sample_size = getattr(args, "sample_size", None)
    minimum = getattr(args, "minimum_frequency", None)
    floor_listed = getattr(args, "floor_listed", False)
    microvariant_rate = getattr(args, "microvariant_rate", None)
    if args.mutation == "none" and args.rate is not None:
        raise UsageError("--rate needs a mutation model (--mutation equal|proportional|stepwise)")
    if args.mutation != "stepwise" and microvariant_rate is not None:
        raise UsageError("--microvariant-rate applies to --mutation stepwise only")
    if sample_size is not None and sample_size <= 0:
        raise UsageError("--sample-size must be a positive number of individuals")
    if minimum is not None and not 0.0 < minimum < 1.0:
        raise UsageError("--minimum-frequency must be between 0 and 1")
    try:
        if args.frequencies or sample_size is not None or minimum is not None or floor_listed:
            table = load_frequencies(
                args.frequencies,
                sample_size=DEFAULT_SAMPLE_SIZE if sample_size is None else sample_size,
                minimum_frequency=minimum,
                floor_listed=floor_listed,
            )
        else:
            table = default_frequencies()
        if args.mutation == "none":
            mutation = None
        else:
            mutation = MutationModel.uniform(
                args.mutation,
                args.rate,
                range=args.range_,
                microvariant_rate=microvariant_rate,
                mutate_untyped=getattr(args, "untyped_transmission", "mutate") == "mutate",
            )
        return KinshipModel(table, mutation, args.theta)
    except FrequencyFormatError as error:
        raise CommandError(
            "\n".join(f"{args.frequencies}: row {r}, {f}: {m}" for r, f, m in error.errors)
        ) from error
    except (OSError, ValueError) as error:
        raise CommandError(str(error)) from error


def _profiles(path: Path, model: KinshipModel) -> dict[str, Profile]:
    try:
        profiles = read_profiles(path)
    except ProfileFormatError as error:
        raise CommandError("\n".join(f"{path}: {e}" for e in error.errors)) from error
    except OSError as error:
        raise CommandError(f"{path}: {error}") from error
    for warning in profiles.warnings:
        print(f"fanguai kinship: warning: {path}: {warning}", file=sys.stderr)
    return profiles


def _pick(profiles: dict[str, Profile], ids: list[str], path: Path) -> list[Profile]:
    missing = [i for i in ids if i not in profiles]
    if missing:
        raise CommandError(f"{path}: no profile for sample(s) {', '.join(missing)}")
    return [profiles[i] for i in ids]


def _split_ids(text: str, option: str = "--ids") -> list[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise UsageError(f"{option} names {', '.join(twice)} more than once; each person once")
    return ids


def _format_lr(value: float) -> str:
    if value == 0:
        return "0"
    if 1e-3 <= value < 1e5:
        return f"{value:.4f}"
    return f"{value:.4e}"


def _print_lr_table(result: KinshipResult, relationship: str, ids: list[str]) -> None:
    roles = ROLES.get(relationship, ("person1", "person2"))
    print(
        f"Relationship: {relationship} vs unrelated ({', '.join(f'{r}={i}' for r, i in zip(roles, ids, strict=True))})"
    )
    print(f"{'Locus':<12} {'LR':>14}  Note")
    for row in result.loci:
        if getattr(row, "partial", False):
            note = "a parent untyped: typed parent and child" + ("; inconsistent" if row.inconsistent else "")
        else:
            note = "untyped" if not row.typed else ("inconsistent" if row.inconsistent else "")
        print(f"{row.locus:<12} {_format_lr(row.lr):>14}  {note}".rstrip())
    log10 = "-inf" if math.isinf(result.log10_lr) else f"{result.log10_lr:.4f}"
    print(f"Combined LR: {_format_lr(result.total_lr)} (log10 {log10})")
    print(
        f"Inconsistent loci ({len(result.inconsistent_loci)}): {', '.join(result.inconsistent_loci) or 'none'}"
    )
    if result.skipped_loci:
        print(f"Loci without frequencies (LR 1): {', '.join(result.skipped_loci)}")
    print(f"Conclusion: {result.conclusion}")
    if result.recommendation:
        print(f"Recommendation: {result.recommendation}")


def _run_lr(args: argparse.Namespace) -> int:
    model = _model(args)
    profiles = _profiles(args.profiles, model)
    ids = _split_ids(args.ids)
    expected = 3 if args.relationship in ("trio", "couple") else 2
    if len(ids) != expected:
        roles = ",".join(ROLES.get(args.relationship, ("person1", "person2")))
        raise UsageError(f"--ids for {args.relationship} needs {expected} ids: {roles}")
    persons = _pick(profiles, ids, args.profiles)
    try:
        result = compute_lr(args.relationship, persons, model=model)
    except ValueError as error:
        raise CommandError(str(error)) from error
    if args.json:
        print(json.dumps(result.to_json_dict()))
    else:
        _print_lr_table(result, args.relationship, ids)
    return 0


def _read_couples(path: Path, references: dict[str, Profile]) -> list[tuple[str, Profile, str, Profile]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise CommandError(f"{path}: {error}") from error
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["mother", "father"]:
        raise CommandError(f"{path}: row 1: expected header mother,father")
    couples, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        mother, father = (row + ["", ""])[0].strip(), (row + ["", ""])[1].strip()
        missing = [i for i in (mother, father) if i not in references]
        if missing:
            problems.append(f"{path}: row {number}: no profile for {', '.join(missing) or 'empty id'}")
            continue
        couples.append((mother, references[mother], father, references[father]))
    if problems:
        raise CommandError("\n".join(problems))
    return couples


def _run_search(args: argparse.Namespace) -> int:
    model = _model(args)
    profiles = _profiles(args.profiles, model)
    query_ids = _split_ids(args.query, "--query")
    persons = tuple(_pick(profiles, query_ids, args.profiles))
    if args.references:
        references = _profiles(args.references, model)
    else:
        references = {k: v for k, v in profiles.items() if k not in query_ids}
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    try:
        query = SearchQuery(args.mode, persons)
        if args.mode == "couple":
            if not args.couples:
                raise UsageError("--mode couple needs --couples FILE (columns mother,father)")
            index: ProfileIndex | CoupleIndex = CoupleIndex.build(
                _read_couples(args.couples, references), model
            )
        else:
            index = ProfileIndex.build(references, model)
        hits = search(index, query, top=args.top) if len(index) else []
    except ValueError as error:
        raise CommandError(str(error)) from error
    if args.json:
        print(
            json.dumps(
                {
                    "query": query_ids,
                    "mode": args.mode,
                    "references": len(index),
                    "results": [hit.to_json_dict() for hit in hits],
                }
            )
        )
    else:
        _print_hits(hits, query_ids, args.mode, len(index))
    return 0


def _print_hits(hits: list[SearchHit], query_ids: list[str], mode: str, count: int) -> None:
    print(f"Query {','.join(query_ids)} ({mode}) against {count} reference(s)")
    print(f"{'Rank':>4}  {'Reference':<24} {'LR':>14} {'log10':>9} {'Incons.':>7}  Conclusion")
    for hit in hits:
        name = ",".join(hit.reference) if isinstance(hit.reference, tuple) else hit.reference
        log10 = "-inf" if math.isinf(hit.log10_lr) else f"{hit.log10_lr:.3f}"
        print(
            f"{hit.rank:>4}  {name:<24} {_format_lr(hit.total_lr):>14} {log10:>9} "
            f"{hit.inconsistent_count:>7}  {hit.conclusion}"
        )


def _run_pedigree(args: argparse.Namespace) -> int:
    """``kinship pedigree``: members with a profile are typed; the candidate fills ``--missing``."""
    model = _model(args)
    profiles = _profiles(args.profiles, model)
    try:
        pedigree = read_pedigree(args.pedigree)
    except PedigreeError as error:
        raise CommandError("\n".join(f"{args.pedigree}: {e}" for e in error.errors)) from error
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{args.pedigree}: {error}") from error
    if args.missing not in pedigree:
        raise CommandError(f"--missing {args.missing!r} is not in the pedigree")
    candidate = _pick(profiles, [args.candidate], args.profiles)[0]
    if args.candidate != args.missing and args.candidate in pedigree:
        # The same person named as candidate and as family: invalid usage, like an id named twice.
        raise UsageError(f"--candidate {args.candidate!r} is a typed member of the pedigree")
    family = {k: v for k, v in profiles.items() if k in pedigree and k != args.missing}
    try:
        result = compute_pedigree_lr(pedigree, family, args.missing, candidate, model=model)
    except ValueError as error:
        raise CommandError(str(error)) from error
    if args.json:
        print(json.dumps(result.to_json_dict()))
    else:
        _print_lr_table(result, "pedigree", [args.missing, args.candidate])
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``fanguai kinship`` with the given arguments (``sys.argv[1:]`` when None)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "pedigree":
            return _run_pedigree(args)
        return _run_lr(args) if args.command == "lr" else _run_search(args)
    except CommandError as error:
        print(f"fanguai kinship: error: {error}", file=sys.stderr)
        return 2 if isinstance(error, UsageError) else 1

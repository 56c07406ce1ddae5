"""Automatic comparison: each new profile is searched against the opposite side by the background task;
couples registered together are searched as a couple; matches, leads and exclusions; a new frequency table
or threshold re-runs everything as one batch job with progress."""

import pytest

from fanguai.dna import comparison, services
from fanguai.dna.models import Candidate, Category, ComparisonRun
from fanguai.dna.simulate import child_of, long_csv, random_profile
from fanguai.kinship import compute_lr, default_frequencies

from .conftest import collect, csv_for


def test_child_finds_the_couple(typed_family):
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    family = typed_family
    assert (match.family_specimen, match.partner_specimen, match.found_specimen) == (
        family["mother"],
        family["father"],
        family["child"],
    )
    assert (
        match.relationship == "couple"
        and match.total_lr >= 10_000
        and match.conclusion == "parentage-supported"
    )
    assert len(match.loci) == 21 and match.inconsistent_loci == []
    profiles = family["profiles"]
    model = comparison.model_for(comparison.active_settings())
    expected = compute_lr(
        "couple",
        [
            profiles[family["mother"].number],
            profiles[family["father"].number],
            profiles[family["child"].number],
        ],
        model=model,
    )
    assert match.total_lr == expected.total_lr
    # The unrelated child is no match; its nearest couple is listed as excluded.
    assert not Candidate.objects.filter(found_specimen=family["other"], kind=Candidate.Kind.MATCH).exists()
    assert Candidate.objects.filter(found_specimen=family["other"], kind=Candidate.Kind.EXCLUDED).exists()
    run = ComparisonRun.objects.get()
    assert run.status == ComparisonRun.Status.DONE and run.total == 4


def test_parents_typed_after_the_child_find_it(family, analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(actor=analyst, text=csv_for(family, "child", "other"), kit="globalfiler")
    assert not Candidate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(actor=analyst, text=csv_for(family, "mother"), kit="globalfiler")
    single = Candidate.objects.get(kind=Candidate.Kind.MATCH)  # the mother alone: a duo
    assert single.relationship == "parent-child" and single.partner_specimen is None
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(actor=analyst, text=csv_for(family, "father"), kit="globalfiler")
    couple = Candidate.objects.get(relationship="couple", kind=Candidate.Kind.MATCH)
    assert couple.found_specimen == family["child"] and couple.total_lr > single.total_lr


def test_a_mutation_keeps_the_match_and_shows_the_inconsistent_locus(
    alice, analyst, rng, django_capture_on_commit_callbacks
):
    mother, father = random_profile(rng), random_profile(rng)
    child = child_of(rng, mother, father, mutate="D18S51")
    _, m = collect(alice, Category.PARENT, name="甲", sex="female")
    _, f = collect(alice, Category.PARENT, name="乙", sex="male", partner=m)
    _, c = collect(alice, Category.RESCUED)
    text = long_csv({m.number: mother, f.number: father, c.number: child})
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(actor=analyst, text=text, kit="globalfiler")
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    if compute_lr("couple", [mother, father, child]).inconsistent_loci:
        assert match.inconsistent_loci == ["D18S51"]
        assert [row["locus"] for row in match.loci if row["inconsistent"]] == ["D18S51"]


def test_a_father_and_a_child_typed_at_few_loci_make_a_lead(
    alice, analyst, rng, django_capture_on_commit_callbacks
):
    mother, father = random_profile(rng), random_profile(rng)
    child = child_of(rng, mother, father)
    few = {locus: child[locus] for locus in list(child)[:5]}
    _, f = collect(alice, Category.PARENT, name="乙", sex="male")
    _, c = collect(alice, Category.UNKNOWN_ORIGIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(
            actor=analyst, text=long_csv({f.number: father, c.number: few}), kit="globalfiler"
        )
    candidate = Candidate.objects.get()
    assert 1 <= candidate.total_lr < 10_000
    assert candidate.kind == Candidate.Kind.LEAD and candidate.conclusion == "inconclusive"
    assert sum(1 for row in candidate.loci if row["typed"]) == 5


def test_relatives_are_compared_with_their_relation(alice, analyst, rng, django_capture_on_commit_callbacks):
    mother, father = random_profile(rng), random_profile(rng)
    first, second = child_of(rng, mother, father), child_of(rng, mother, father)
    _, sibling = collect(alice, Category.RELATIVE, name="姐姐", relation="full-siblings")
    _, found = collect(alice, Category.UNKNOWN_ORIGIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(
            actor=analyst, text=long_csv({sibling.number: first, found.number: second}), kit="globalfiler"
        )
    candidate = Candidate.objects.get()
    assert candidate.relationship == "full-siblings"
    assert (
        candidate.total_lr
        == compute_lr(
            "full-siblings", [second, first], model=comparison.model_for(comparison.active_settings())
        ).total_lr
    )


def test_changing_the_settings_reruns_everything(
    typed_family, analyst, login, django_capture_on_commit_callbacks
):
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    old_lr = match.total_lr
    rows = ["Locus,Allele,Frequency"]
    table = default_frequencies()
    for locus, data in table.loci.items():
        rows.extend(
            f"{locus},{allele},{min(0.99, 1.5 * float(p))}"
            for allele, p in zip(data.alleles, data.frequencies, strict=True)
        )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.change_settings(
            actor=analyst, frequency_csv="\n".join(rows), frequency_name="flat.csv"
        )
    run.refresh_from_db()
    assert run.kind == ComparisonRun.Kind.FULL and run.status == ComparisonRun.Status.DONE
    assert run.done == run.total == 4
    match.refresh_from_db()
    assert match.total_lr != old_lr and match.analysis == comparison.active_settings()
    client = login(analyst)
    page = client.get(f"/dna/lab/runs/{run.pk}/").content.decode()
    assert "progress-bar" in page and "100%" in page
    partial = client.get(f"/dna/lab/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="run-progress"')


def test_a_bad_frequency_table_changes_nothing(typed_family, analyst):
    from fanguai.core.errors import ValidationFailed

    before = comparison.active_settings().pk
    with pytest.raises(ValidationFailed) as caught:
        services.change_settings(actor=analyst, frequency_csv="Locus,Allele,Frequency\nTH01,9,abc\n")
    assert caught.value.errors[0].row == 2
    assert comparison.active_settings().pk == before


def test_a_higher_threshold_turns_the_match_into_a_lead(
    typed_family, analyst, django_capture_on_commit_callbacks
):
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_settings(actor=analyst, match_threshold=match.total_lr * 10)
    match.refresh_from_db()
    assert match.kind == Candidate.Kind.LEAD

"""The kinship engine's options in the analysis settings (minimum frequency, floor on listed alleles,
transmission from untyped parents, microvariant rate): validated, passed to the engine, shown on the
settings page; and every lead above the lead threshold kept beyond the top k, by the local run and by a
re-matching job alike."""

import pytest

from fanguai.core.errors import ValidationFailed
from fanguai.dna import comparison, rematch, services
from fanguai.dna.forms import SettingsForm
from fanguai.dna.models import AnalysisSettings, Candidate, Category
from fanguai.dna.simulate import child_of, long_csv, random_profile
from fanguai.kinship import KinshipModel, MutationModel, compute_lr, default_frequencies, load_frequencies
from fanguai.kinship import distributed as engine

from .conftest import collect

OPTIONS = {
    "mutation": "stepwise",
    "mutation_rate": 0.003,
    "microvariant_rate": 0.0005,
    "untyped_transmission": "plain",
    "minimum_frequency": 0.01,
    "floor_listed": True,
}


def test_default_settings_give_the_default_engine(db):
    model = comparison.model_for(comparison.active_settings())
    assert model.frequencies is default_frequencies()
    assert model.mutation.kind == "stepwise" and model.mutation.mutate_untyped
    assert model.mutation.microvariant_rate == 0.0


def test_the_engine_options_reach_the_kinship_model(typed_family, analyst):
    services.change_settings(actor=analyst, **OPTIONS)
    settings = comparison.active_settings()
    assert {name: getattr(settings, name) for name in OPTIONS} == OPTIONS
    model = comparison.model_for(settings)
    assert model.frequencies.minimum_frequency == 0.01 and model.frequencies.floor_listed
    assert not model.mutation.mutate_untyped
    assert (model.mutation.male_rate, model.mutation.microvariant_rate) == (0.003, 0.0005)
    # A listed allele rarer than the minimum is raised to it (floor_listed).
    locus, allele = next(
        (locus, allele)
        for locus, data in default_frequencies().loci.items()
        for allele, p in zip(data.alleles, data.frequencies, strict=True)
        if p < 0.01
    )
    assert model.frequencies.frequency(locus, allele) == 0.01
    # The numbers are those of the engine built directly with the same options (as the CLI builds it).
    direct = KinshipModel(
        load_frequencies(minimum_frequency=0.01, floor_listed=True),
        MutationModel.uniform("stepwise", 0.003, microvariant_rate=0.0005, mutate_untyped=False),
    )
    profiles = typed_family["profiles"]
    persons = [profiles[typed_family[name].number] for name in ("mother", "child")]
    assert compute_lr("parent-child", persons, model=model).total_lr == (
        compute_lr("parent-child", persons, model=direct).total_lr
    )
    default = comparison.model_for(AnalysisSettings(pk=-1))
    assert compute_lr("parent-child", persons, model=default).total_lr != (
        compute_lr("parent-child", persons, model=model).total_lr
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"mutation": "equal", "microvariant_rate": 0.001}, "microvariant_rate"),
        ({"microvariant_rate": 1.0}, "microvariant_rate"),
        ({"mutation_rate": 1.0}, "mutation_rate"),
        ({"mutation_rate": -0.1}, "mutation_rate"),
        ({"minimum_frequency": 0.0}, "minimum_frequency"),
        ({"minimum_frequency": 0.6}, "minimum_frequency"),
        ({"untyped_transmission": "sometimes"}, "untyped_transmission"),
        ({"theta": 1.0}, "theta"),
        ({"lead_threshold": 0.5}, "lead_threshold"),
    ],
)
def test_invalid_engine_options_change_nothing(db, analyst, values, field):
    before = comparison.active_settings().pk
    with pytest.raises(ValidationFailed) as caught:
        services.change_settings(actor=analyst, **values)
    assert field in {error.field for error in caught.value.errors}
    assert comparison.active_settings().pk == before


def form_data(**changes):
    data = {
        "match_threshold": 10000,
        "lead_threshold": 1,
        "mutation": "stepwise",
        "mutation_rate": 0.002,
        "microvariant_rate": 0,
        "untyped_transmission": "mutate",
        "theta": 0,
        "sample_size": 5000,
        "minimum_frequency": "",
        "top": 10,
    }
    return {**data, **changes}


def test_the_settings_form_checks_the_options_on_their_fields(db):
    settings = comparison.active_settings()
    assert SettingsForm(form_data(), instance=settings).is_valid()
    form = SettingsForm(form_data(mutation="proportional", microvariant_rate=0.001), instance=settings)
    assert not form.is_valid() and list(form.errors) == ["microvariant_rate"]
    form = SettingsForm(form_data(minimum_frequency=0.7, mutation_rate=1), instance=settings)
    assert not form.is_valid() and set(form.errors) == {"minimum_frequency", "mutation_rate"}


def test_the_settings_page_changes_and_shows_the_options(db, analyst, login):
    client = login(analyst)
    page = client.get("/dna/lab/settings/").content.decode()
    for name in ("minimum_frequency", "floor_listed", "untyped_transmission", "microvariant_rate"):
        assert f'name="{name}"' in page
    response = client.post(
        "/dna/lab/settings/",
        form_data(untyped_transmission="plain", microvariant_rate=0.0004, minimum_frequency=0.0025),
    )
    assert response.status_code == 302
    settings = comparison.active_settings()
    assert (settings.untyped_transmission, settings.microvariant_rate, settings.minimum_frequency) == (
        "plain",
        0.0004,
        0.0025,
    )
    history = client.get("/dna/lab/settings/").content.decode()
    assert "Without mutation (as Familias)" in history and "0.0004" in history and "0.0025" in history
    refused = client.post("/dna/lab/settings/", form_data(mutation="equal", microvariant_rate=0.001))
    assert refused.status_code == 200 and "stepwise model only" in refused.content.decode()
    assert comparison.active_settings().pk == settings.pk


# --- Leads beyond the top k -----------------------------------------------------------------------------


@pytest.fixture
def three_children(alice, analyst, rng):
    """A couple with three found children and an unrelated found child; k = 1. No comparison has run."""
    mother_profile, father_profile = random_profile(rng), random_profile(rng)
    _, mother = collect(alice, Category.PARENT, name="母", sex="female")
    _, father = collect(alice, Category.PARENT, name="父", sex="male", partner=mother)
    profiles = {mother.number: mother_profile, father.number: father_profile}
    children = []
    for _ in range(3):
        _, child = collect(alice, Category.UNKNOWN_ORIGIN)
        profiles[child.number] = child_of(rng, mother_profile, father_profile)
        children.append(child)
    _, stranger = collect(alice, Category.RESCUED)
    profiles[stranger.number] = random_profile(rng)
    services.import_profiles(actor=analyst, text=long_csv(profiles), kit="globalfiler")  # run not executed
    settings = comparison.active_settings()
    settings.top = 1
    settings.save()
    assert not Candidate.objects.exists()
    return {"mother": mother, "father": father, "children": children, "stranger": stranger}


def kept():
    return {
        c.pair_key: (c.kind, c.relationship, c.total_lr, c.found_specimen_id) for c in Candidate.objects.all()
    }


def test_every_lead_beyond_the_top_k_is_kept_by_both_engines(three_children, tmp_path):
    s = three_children
    settings = comparison.active_settings()
    comparison.compare([s["mother"].pk], settings)
    local = kept()
    expected = {Candidate.key_for(s["mother"].pk, s["father"].pk, child.pk) for child in s["children"]}
    assert set(local) == expected  # k = 1, yet all three children of the couple
    assert {value[0] for value in local.values()} == {Candidate.Kind.MATCH}
    Candidate.objects.all().delete()

    folder = tmp_path / "job"
    job = rematch.export_job(folder, [s["mother"].pk], settings)
    assert len(job.queries) == 1 and job.top == 1
    assert engine.main([str(folder), "--in-process", "--partitions", "2"]) == 0
    result = engine.read_results(folder)
    assert len(result.top[0]) == 1 and len(result.leads) == 3  # two of the three only among the leads
    rematch.import_results(folder)
    assert kept() == local

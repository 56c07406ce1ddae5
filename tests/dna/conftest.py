"""Shared DNA fixtures: two analysts of the laboratory, a simulated family (mother, father, their child of
unknown origin) and an unrelated child, all collected by alice's unit (霍邱县公安局)."""

from datetime import date

import numpy as np
import pytest

from fanguai.dna import services
from fanguai.dna.models import Category, CustodyEvent, SpecimenLink
from fanguai.dna.simulate import child_of, long_csv, random_profile
from fanguai.people.services import register_person

from ..conftest import make_user


@pytest.fixture
def analyst(db):
    return make_user("lab1", "dna_analyst", "341500-dna-lab")


@pytest.fixture
def analyst2(db):
    return make_user("lab2", "dna_analyst", "341500-dna-lab")


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def collect(officer, category, *, name="", partner=None, sex="unknown", analyst=None, **extra):
    person = register_person(
        actor=officer,
        full_name=name,
        sex=sex,
        identity_status="known" if name else "unknown",
    )
    specimen = services.collect_sample(
        actor=officer,
        person=person,
        category=category,
        collected_on=date(2024, 3, 1),
        legal_basis=SpecimenLink.LegalBasis.STATUTORY_DUTY,
        partner=partner,
        **extra,
    )
    if analyst is not None:
        services.record_custody(actor=analyst, specimen=specimen, kind=CustodyEvent.Kind.RECEIVED)
    return person, specimen


@pytest.fixture
def family(alice, analyst, rng):
    """Specimens and simulated profiles of a couple, their child (unknown origin) and an unrelated child."""
    mother_profile, father_profile = random_profile(rng), random_profile(rng)
    child_profile = child_of(rng, mother_profile, father_profile)
    mother_person, mother = collect(
        alice, Category.PARENT, name="王秘密", sex="female", missing_report_ref="XS-1"
    )
    father_person, father = collect(alice, Category.PARENT, name="陈秘密", sex="male", partner=mother)
    child_person, child = collect(alice, Category.UNKNOWN_ORIGIN)
    other_person, other = collect(alice, Category.UNKNOWN_ORIGIN)
    return {
        "mother": mother,
        "father": father,
        "child": child,
        "other": other,
        "people": {"mother": mother_person, "father": father_person, "child": child_person},
        "profiles": {
            mother.number: mother_profile,
            father.number: father_profile,
            child.number: child_profile,
            other.number: random_profile(rng),
        },
    }


def csv_for(family, *names):
    numbers = [family[name].number for name in names]
    return long_csv({number: family["profiles"][number] for number in numbers})


@pytest.fixture
def typed_family(family, analyst, django_capture_on_commit_callbacks):
    """The family with every profile imported and compared (the task runs at once in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(
            actor=analyst, text=csv_for(family, "mother", "father", "child", "other"), kit="globalfiler"
        )
    return family


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message texts in English (the platform's second language); Chinese is tested apart."""

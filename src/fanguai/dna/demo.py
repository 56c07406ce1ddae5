"""Demo DNA data: simulated families drawn from the shipped Chinese frequency table (fixed seed), some of
whose children sit in the unknown-origin set, so that `make run` shows real matches, leads and exclusions.

- family 1: a couple whose child was found; confirmed by two analysts and the reunion recorded;
- family 2: a couple whose child carries a mutation at one locus: a match awaiting review;
- family 3: a couple whose match awaits the second analyst;
- family 4: a father alone, his child typed at a few loci only: a lead (more loci needed);
- family 5: a couple whose child is not in the database: their nearest candidate is excluded;
- family 6: a couple whose child was sampled but not yet typed: the laboratory file for it is written to
  ``$FANGUAI_DATA_DIR/demo/dna-import.csv`` (import it as user ``dna`` to see the platform find the family).
Idempotent: nothing happens when specimens exist.
"""

from datetime import date, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanguai.accounts.models import User
from fanguai.audit.context import acting
from fanguai.kinship import compute_lr, kit_loci
from fanguai.people.models import Person
from fanguai.people.services import register_person

from . import comparison, services
from .models import Candidate, Category, CustodyEvent, Specimen, SpecimenLink
from .simulate import child_of, long_csv, random_profile

SEED = 2022
SECOND_ANALYST = "dna2"
PARENT_NAMES = [
    ("王秀兰", "陈建华"),
    ("李桂英", "张国强"),
    ("刘红梅", "杨志刚"),
    ("赵丽", "周海"),
    ("孙玉珍", "吴军"),
    ("马小燕", "黄磊"),
]
CHILD_NAMES = ["陈小宝", "张乐乐", "杨明明", "周天天", "吴欢欢", "黄豆豆"]


def import_file_path():
    return settings.DATA_DIR / "demo" / "dna-import.csv"


def _second_analyst() -> User:
    return User.objects.get(username=SECOND_ANALYST)  # created with the other demo users (core.demo)


def _collect(officer, analyst, person, category, *, missing=None, report="", partner=None, basis=None):
    basis = basis or (
        SpecimenLink.LegalBasis.CONSENT
        if category == Category.PARENT
        else SpecimenLink.LegalBasis.STATUTORY_DUTY
    )
    consent = {"consent_given_by": person.full_name or "—", "consent_date": date(2022, 5, 10)}
    specimen = services.collect_sample(
        actor=officer,
        person=person,
        category=category,
        collected_on=date(2022, 5, 10),
        legal_basis=basis,
        place="霍邱县公安局采血室",
        collector="张伟",
        missing_person=missing,
        missing_report_ref=report,
        partner=partner,
        **(consent if basis == SpecimenLink.LegalBasis.CONSENT else {}),
    )
    services.record_custody(actor=officer, specimen=specimen, kind=CustodyEvent.Kind.SENT)
    services.record_custody(actor=analyst, specimen=specimen, kind=CustodyEvent.Kind.RECEIVED)
    return specimen


def create_demo_dna() -> int:
    """Create the demo specimens, profiles and comparisons. Returns the number of specimens created."""
    if Specimen.objects.exists():
        return 0
    officer = User.objects.get(username="investigator")
    analyst = User.objects.get(username="dna")
    with acting(ip_address="127.0.0.1"):
        second = _second_analyst()
        return _create(officer, analyst, second)


def _create(officer, analyst, second) -> int:
    rng = np.random.default_rng(SEED)
    county = officer.unit.region
    profiles: dict[Specimen, dict] = {}
    pending: dict[Specimen, dict] = {}
    created = 0
    found_children = []
    with transaction.atomic():
        for index, (mother_name, father_name) in enumerate(PARENT_NAMES, start=1):
            mother_profile, father_profile = random_profile(rng), random_profile(rng)
            child_profile = child_of(
                rng, mother_profile, father_profile, mutate="vWA" if index == 2 else None
            )
            report = f"XS-2022-{index:04d}"
            missing = register_person(
                actor=officer,
                full_name=CHILD_NAMES[index - 1],
                sex=Person.Sex.MALE if index % 2 else Person.Sex.FEMALE,
                birth_date=date(2016 + index % 4, index, 10),
                region=county,
                notes=f"失踪儿童，报案编号 {report}",
            )
            father = register_person(
                actor=officer,
                full_name=father_name,
                sex=Person.Sex.MALE,
                birth_date=date(1985, index, 3),
                region=county,
            )
            father_specimen = _collect(
                officer, analyst, father, Category.PARENT, missing=missing, report=report
            )
            profiles[father_specimen] = father_profile
            created += 1
            if index != 4:  # family 4: the father alone
                mother = register_person(
                    actor=officer,
                    full_name=mother_name,
                    sex=Person.Sex.FEMALE,
                    birth_date=date(1987, index, 8),
                    region=county,
                )
                mother_specimen = _collect(
                    officer,
                    analyst,
                    mother,
                    Category.PARENT,
                    missing=missing,
                    report=report,
                    partner=father_specimen,
                )
                profiles[mother_specimen] = mother_profile
                created += 1
            if index == 5:  # family 5: their child is not in the database
                continue
            found = register_person(
                actor=officer,
                sex=missing.sex,
                identity_status=Person.IdentityStatus.UNKNOWN,
                region=county,
                notes="来历不明儿童摸排发现",
            )
            child_specimen = _collect(officer, analyst, found, Category.UNKNOWN_ORIGIN)
            created += 1
            if index == 4:
                child_profile = _lead_profile(father_profile, child_profile)
            found_children.append((index, child_specimen))
            (pending if index == 6 else profiles)[child_specimen] = child_profile
        for extra in range(3):  # children of unknown origin and a rescued person whose families are not here
            person = register_person(
                actor=officer,
                identity_status=Person.IdentityStatus.UNKNOWN,
                region=county,
                notes="来历不明儿童",
            )
            specimen = _collect(
                officer, analyst, person, Category.UNKNOWN_ORIGIN if extra < 2 else Category.RESCUED
            )
            profiles[specimen] = random_profile(rng)
            created += 1
        report = services.import_profiles(
            actor=analyst,
            text=long_csv({s.number: p for s, p in profiles.items()}),
            kit="globalfiler",
            file_name="demo-2022-05.csv",
        )
    services.execute_run(report.run.pk)  # at once, so the demo is complete before the worker starts
    by_family = dict(found_children)
    _review(by_family[1], [analyst, second], reunite=officer)
    _review(by_family[3], [analyst])
    path = import_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(long_csv({s.number: p for s, p in pending.items()}), encoding="utf-8")
    return created


def _lead_profile(father: dict, child: dict) -> dict:
    """The child typed at just enough loci for a lead (index between 10 and 10,000), not a match."""
    model = comparison.model_for(comparison.active_settings())
    loci = kit_loci("globalfiler")
    best = {locus: child[locus] for locus in loci[:4]}
    for count in range(4, 12):
        partial = {locus: child[locus] for locus in loci[:count]}
        lr = compute_lr("parent-child", [father, partial], model=model).total_lr
        if lr >= 10_000:
            break
        best = partial
    return best


def _review(found_specimen: Specimen, reviewers, reunite=None) -> None:
    candidate = (
        Candidate.objects.filter(found_specimen=found_specimen, kind=Candidate.Kind.MATCH)
        .order_by("-total_lr")
        .first()
    )
    if candidate is None:
        return
    for reviewer in reviewers:
        candidate = services.review_candidate(
            actor=reviewer, candidate=candidate, outcome="confirmed", note="复核一致"
        )
    if reunite is not None and candidate.status == Candidate.Status.CONFIRMED:
        services.record_reunion(
            actor=reunite,
            reunion=candidate.reunion,
            reunited_on=timezone.localdate() - timedelta(days=3),
            note="已送返家庭",
        )

"""No role but the laboratory reaches a genotype, through pages, the API or exports; the laboratory never
reaches an identity; case officers see only their unit's and county's samples (permission matrix with the
fixed cast: alice, bob, charlie, dave, office and anonymous)."""

import pytest

from fanguai.dna import services
from fanguai.dna.models import (
    Candidate,
    ComparisonRun,
    CustodyEvent,
    Profile,
    Reunion,
    Review,
    Specimen,
)

from ..permissions import SIGNED_IN, Row, attachment, check_matrix, count_of, field_of


@pytest.fixture
def scenario(typed_family, analyst, analyst2, cast):
    alice = cast["alice"]
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    mother, father = typed_family["mother"], typed_family["father"]
    allele = typed_family["profiles"][mother.number]["D3S1358"]
    # the father's relatives asked for his profile to be deleted, and his case is closed
    services.request_profile_deletion(actor=alice, specimen=father)
    services.close_case(actor=alice, specimen=father)
    return {
        **typed_family,
        "match": match,
        "pending": Candidate.objects.filter(status=Candidate.Status.NEW).first(),
        "run": ComparisonRun.objects.first(),
        "reunion": Reunion.objects.get(),
        # The genotype as the profile table prints it: one locus row with its two alleles.
        "genotype": f"<td>D3S1358</td><td>{allele[0]}</td><td>{allele[1]}</td>",
        # the analyst of the cast is the first reviewer of the fixtures
        "users": {**cast, "analyst": analyst},
        "analyst": analyst,
    }


def genotype(s):
    return s["genotype"]


def custody(key):
    return lambda s: CustodyEvent.objects.filter(specimen=s[key]).count()


def specimen_field(key, name):
    return lambda s: Specimen.objects.filter(pk=s[key].pk).values_list(name, flat=True).get()


LAB = frozenset({"analyst"})
STATISTICS = frozenset({"alice", "charlie", "dave", "office", "analyst"})
ALICE = frozenset({"alice"})

MATRIX = [
    Row("lab home", lambda s: "/dna/lab/", LAB, secret=lambda s: s["mother"].number),
    Row("lab specimen", lambda s: f"/dna/lab/specimens/{s['mother'].number}/", LAB, secret=genotype),
    Row(
        "lab custody",
        lambda s: f"/dna/lab/specimens/{s['mother'].number}/custody/",
        LAB,
        method="post",
        data=lambda s: {"kind": "stored", "note": "冷库"},
        effect=custody("mother"),
    ),
    Row(
        "lab delete profile",
        lambda s: f"/dna/lab/specimens/{s['father'].number}/delete-profile/",
        LAB,
        method="post",
        effect=lambda s: Profile.objects.filter(specimen=s["father"]).count(),
    ),
    Row("import form", lambda s: "/dna/lab/import/", LAB),
    Row(
        "candidates",
        lambda s: "/dna/lab/candidates/?kind=match&status=",
        LAB,
        secret=lambda s: s["child"].number,
    ),
    Row("candidate", lambda s: f"/dna/lab/candidates/{s['match'].pk}/", LAB, secret=lambda s: "D3S1358"),
    Row(
        "review",
        lambda s: f"/dna/lab/candidates/{s['pending'].pk}/review/",
        LAB,
        method="post",
        data=lambda s: {"outcome": "rejected", "note": "不符"},
        effect=lambda s: Review.objects.filter(candidate=s["pending"]).count(),
    ),
    Row("settings", lambda s: "/dna/lab/settings/", LAB),
    Row(
        "run start",
        lambda s: "/dna/lab/runs/start/",
        LAB,
        method="post",
        effect=lambda s: ComparisonRun.objects.count(),
    ),
    Row("run", lambda s: f"/dna/lab/runs/{s['run'].pk}/", LAB),
    Row("export", lambda s: "/dna/lab/export.csv", LAB, secret=lambda s: "allele1"),
    Row("samples", lambda s: "/dna/samples/", frozenset({"alice", "charlie"})),
    Row(
        "sample create form",
        lambda s: f"/dna/samples/new/?person={s['people']['child'].pk}",
        ALICE,
    ),
    Row("sample", lambda s: f"/dna/samples/{s['mother'].pk}/", ALICE, secret=lambda s: "王秘密"),
    Row(
        "sample send",
        lambda s: f"/dna/samples/{s['other'].pk}/custody/",
        ALICE,
        method="post",
        data=lambda s: {"kind": "sent", "note": ""},
        effect=custody("other"),
    ),
    Row(
        "sample close",
        lambda s: f"/dna/samples/{s['other'].pk}/close/",
        ALICE,
        method="post",
        effect=specimen_field("other", "case_closed_at"),
    ),
    Row(
        "sample request deletion",
        lambda s: f"/dna/samples/{s['mother'].pk}/request-deletion/",
        ALICE,
        method="post",
        effect=specimen_field("mother", "deletion_requested_at"),
    ),
    Row(
        "sample attach",
        lambda s: f"/dna/samples/{s['mother'].pk}/attach/",
        ALICE,
        method="post",
        data=attachment,
        effect=count_of("files.StoredFile"),
    ),
    Row(
        "sampling request form",
        lambda s: f"/dna/requests/new/?person={s['people']['child'].pk}",
        frozenset({"alice", "office"}),
    ),
    Row("reunions", lambda s: "/dna/reunions/", frozenset({"alice", "charlie"})),
    Row(
        "reunion reveal",
        lambda s: f"/dna/reunions/{s['reunion'].pk}/",
        ALICE,
        method="post",
        secret=lambda s: "王秘密",
        effect=count_of("audit.AuditEvent", action="dna.reunion.reveal"),
    ),
    Row(
        "reunion record",
        lambda s: f"/dna/reunions/{s['reunion'].pk}/record/",
        ALICE,
        method="post",
        data=lambda s: {"reunited_on": "2026-05-01", "note": "已团聚"},
        effect=field_of("reunion", "status"),
    ),
    Row("statistics", lambda s: "/dna/statistics/", STATISTICS),
    # API lists answer everyone signed in (empty when nothing is visible)
    Row(
        "api specimens",
        lambda s: "/api/dna/specimens",
        SIGNED_IN,
        secret=lambda s: s["mother"].number,
        secret_readers=frozenset({"alice", "analyst"}),
    ),
    Row(
        "api profile",
        lambda s: f"/api/dna/specimens/{s['mother'].number}/profile",
        LAB,
        secret=lambda s: "D3S1358",
    ),
    Row(
        "api candidates",
        lambda s: "/api/dna/candidates",
        SIGNED_IN,
        secret=lambda s: s["child"].number,
        secret_readers=frozenset({"alice", "analyst"}),
    ),
    Row("api statistics", lambda s: "/api/dna/statistics", STATISTICS),
]


def test_permission_matrix(scenario):
    """One scenario (a typed and compared family is costly) serves every row."""
    check_matrix(MATRIX, scenario, scenario["users"])


def test_lists_show_only_what_the_caller_may_see(scenario, login):
    users = scenario["users"]
    number = scenario["mother"].number
    charlie = login(users["charlie"])
    assert "王秘密" not in charlie.get("/dna/samples/").content.decode()
    assert f"/dna/reunions/{scenario['reunion'].pk}/" not in charlie.get("/dna/reunions/").content.decode()
    assert number in login(users["alice"]).get("/api/dna/specimens").content.decode()
    for who in ("bob", "charlie", "dave", "office"):
        client = login(users[who])
        assert number not in client.get("/api/dna/specimens").content.decode()
        assert '"items": []' in client.get("/api/dna/candidates").content.decode().replace(
            '"items":[]', '"items": []'
        )


def test_the_case_officer_sees_identity_and_status_but_no_genotype(scenario, login):
    client = login(scenario["users"]["alice"])
    pages = [
        client.get("/dna/samples/").content.decode(),
        client.get(f"/dna/samples/{scenario['mother'].pk}/").content.decode(),
        client.post(f"/dna/reunions/{scenario['reunion'].pk}/").content.decode(),
        client.get("/api/dna/specimens").content.decode(),
        client.get("/dna/statistics/").content.decode(),
    ]
    for page in pages:
        assert "D3S1358" not in page and scenario["genotype"] not in page
    assert "王秘密" in pages[1]


def test_the_laboratory_sees_genotypes_but_no_identity(scenario, login):
    client = login(scenario["analyst"])
    pages = [
        client.get("/dna/lab/").content.decode(),
        client.get(f"/dna/lab/specimens/{scenario['mother'].number}/").content.decode(),
        client.get(f"/dna/lab/candidates/{scenario['match'].pk}/").content.decode(),
        client.get(f"/api/dna/specimens/{scenario['mother'].number}/profile").content.decode(),
        client.get("/dna/lab/export.csv").content.decode(),
    ]
    assert scenario["genotype"] in pages[1]
    assert "D3S1358" in pages[3] and scenario["mother"].number in pages[4]
    for page in pages:
        assert "王秘密" not in page and "陈秘密" not in page and "XS-1" not in page
    for url in (
        "/dna/samples/",
        f"/dna/samples/{scenario['mother'].pk}/",
        "/dna/reunions/",
        f"/dna/reunions/{scenario['reunion'].pk}/",
    ):
        assert client.get(url).status_code in (403, 404)
    assert client.post(f"/dna/reunions/{scenario['reunion'].pk}/").status_code in (403, 404)


def test_consent_files_are_not_reachable_by_the_laboratory(scenario, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fanguai.files.models import StoredFile

    officer = login(scenario["users"]["alice"])
    pdf = SimpleUploadedFile("consent.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    officer.post(f"/dna/samples/{scenario['mother'].pk}/attach/", {"file": pdf})
    stored = StoredFile.objects.get()
    assert officer.get(f"/files/{stored.pk}/").status_code == 200
    assert login(scenario["analyst"]).get(f"/files/{stored.pk}/").status_code in (403, 404)

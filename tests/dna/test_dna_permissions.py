"""No role but the laboratory reaches a genotype, through pages, the API or exports; the laboratory never
reaches an identity; case officers see only their unit's and county's samples (permission matrix with the
fixed cast: alice, bob, charlie, dave, office and anonymous)."""

import pytest

from fanguai.dna import services
from fanguai.dna.models import Candidate, Reunion

from ..permissions import Row, check_row

NOBODY = frozenset()


@pytest.fixture
def scenario(typed_family, analyst, analyst2, alice, bob, charlie, dave, office):
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    mother = typed_family["mother"]
    allele = typed_family["profiles"][mother.number]["D3S1358"]
    return {
        **typed_family,
        "match": match,
        "reunion": Reunion.objects.get(),
        # The genotype as the profile table prints it: one locus row with its two alleles.
        "genotype": f"<td>D3S1358</td><td>{allele[0]}</td><td>{allele[1]}</td>",
        "users": {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave, "office": office},
        "analyst": analyst,
    }


def genotype(s):
    return s["genotype"]


MATRIX = [
    Row("lab home", lambda s: "/dna/lab/", NOBODY, secret=lambda s: s["mother"].number),
    Row("lab specimen", lambda s: f"/dna/lab/specimens/{s['mother'].number}/", NOBODY, secret=genotype),
    Row("import form", lambda s: "/dna/lab/import/", NOBODY),
    Row(
        "candidates",
        lambda s: "/dna/lab/candidates/?kind=match&status=",
        NOBODY,
        secret=lambda s: s["child"].number,
    ),
    Row("candidate", lambda s: f"/dna/lab/candidates/{s['match'].pk}/", NOBODY, secret=lambda s: "D3S1358"),
    Row(
        "review",
        lambda s: f"/dna/lab/candidates/{s['match'].pk}/review/",
        NOBODY,
        method="post",
        data=lambda s: {"outcome": "rejected"},
    ),
    Row("settings", lambda s: "/dna/lab/settings/", NOBODY),
    Row("run start", lambda s: "/dna/lab/runs/start/", NOBODY, method="post"),
    Row("export", lambda s: "/dna/lab/export.csv", NOBODY, secret=lambda s: "allele1"),
    Row("samples", lambda s: "/dna/samples/", frozenset({"alice", "charlie"})),
    Row(
        "sample", lambda s: f"/dna/samples/{s['mother'].pk}/", frozenset({"alice"}), secret=lambda s: "王秘密"
    ),
    Row(
        "sample send",
        lambda s: f"/dna/samples/{s['other'].pk}/custody/",
        frozenset({"alice"}),
        method="post",
        data=lambda s: {"kind": "sent"},
    ),
    Row("reunions", lambda s: "/dna/reunions/", frozenset({"alice", "charlie"})),
    Row(
        "reunion reveal",
        lambda s: f"/dna/reunions/{s['reunion'].pk}/",
        frozenset({"alice"}),
        method="post",
        secret=lambda s: "王秘密",
    ),
    Row("statistics", lambda s: "/dna/statistics/", frozenset({"alice", "charlie", "dave", "office"})),
    Row(
        "api specimens",
        lambda s: "/api/dna/specimens",
        frozenset({"alice", "bob", "charlie", "dave", "office"}),
        secret=lambda s: s["mother"].number,
    ),
    Row(
        "api profile",
        lambda s: f"/api/dna/specimens/{s['mother'].number}/profile",
        NOBODY,
        secret=lambda s: "D3S1358",
    ),
    Row(
        "api candidates",
        lambda s: "/api/dna/candidates",
        frozenset({"alice", "bob", "charlie", "dave", "office"}),
        secret=lambda s: s["child"].number,
    ),
    Row("api statistics", lambda s: "/api/dna/statistics", frozenset({"alice", "charlie", "dave", "office"})),
]


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_permission_matrix(row, scenario):
    check_row(row, scenario, scenario["users"])


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

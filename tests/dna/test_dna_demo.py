"""The demo data shows real matches, leads and exclusions, a confirmed reunion, and leaves a laboratory
file whose import finds the last planted family. Idempotent."""

from fanguai.core.demo import create_demo_users
from fanguai.dna import services
from fanguai.dna.demo import create_demo_dna, import_file_path
from fanguai.dna.models import Candidate, Reunion, Specimen


def test_demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.DATA_DIR = tmp_path
    create_demo_users()
    with django_capture_on_commit_callbacks(execute=True):
        created = create_demo_dna()
    assert created == Specimen.objects.count() > 10
    kinds = set(Candidate.objects.values_list("kind", flat=True))
    assert kinds == {"match", "lead", "excluded"}
    assert Candidate.objects.filter(status="confirmed").count() == 1
    assert Candidate.objects.filter(status="first_reviewed").count() == 1
    assert Reunion.objects.get().status == Reunion.Status.REUNITED
    assert create_demo_dna() == 0
    text = import_file_path().read_text()
    from fanguai.accounts.models import User

    before = Candidate.objects.filter(kind="match").count()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(actor=User.objects.get(username="dna"), text=text, kit="globalfiler")
    assert Candidate.objects.filter(kind="match").count() == before + 1

import logging
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from fanguai.core import crypto, keys
from fanguai.core.logging import redact
from fanguai.people.models import Person
from fanguai.people.services import register_person

ID_CARD = "341502199001010025"  # a valid checksum, not a real person


@pytest.fixture
def key_file(settings, tmp_path):
    settings.ENCRYPTION_KEY_FILE = tmp_path / "keys"
    settings.ENCRYPTION_KEYS = []
    settings.BLIND_INDEX_KEY = ""
    crypto.reset_key_cache()
    yield settings.ENCRYPTION_KEY_FILE
    crypto.reset_key_cache()


def raw_row(person: Person) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, id_card_number FROM people_person WHERE id = %s", [person.pk])
        return cursor.fetchone()


@pytest.fixture
def person(key_file, alice):
    return register_person(actor=alice, full_name="王小明", id_card_number=ID_CARD, sex="male")


def test_identity_fields_are_encrypted_at_rest(person):
    name, id_card = raw_row(person)
    assert "王小明" not in name and ID_CARD not in id_card
    assert Person.objects.get(pk=person.pk).full_name == "王小明"


def test_blind_index_finds_exact_matches_only(person, alice):
    from fanguai.people.selectors import visible_people

    assert list(visible_people(alice, query=ID_CARD.lower())) == [person]
    assert list(visible_people(alice, query="王小")) == []


def test_rotation_re_encrypts_under_a_new_key_and_the_old_key_can_be_retired(person, key_file):
    before = raw_row(person)
    old_fingerprint = keys.list_keys()[0][0]
    with pytest.raises(ValueError, match="primary"):
        keys.retire_key(old_fingerprint)
    new_fingerprint = keys.add_key(primary=True)
    assert keys.list_keys()[0] == (new_fingerprint, True)
    with pytest.raises(ValueError, match="rotate"):
        keys.retire_key(old_fingerprint)  # values still need the old key
    assert keys.rotate_all().rows >= 1
    after = raw_row(person)
    assert after != before
    keys.retire_key(old_fingerprint)
    assert [fp for fp, _ in keys.list_keys()] == [new_fingerprint]
    reloaded = Person.objects.get(pk=person.pk)
    assert (reloaded.full_name, reloaded.id_card_number) == ("王小明", ID_CARD)


def test_a_value_under_an_unknown_key_fails_without_showing_it(person, settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.BLIND_INDEX_KEY = "x" * 32
    crypto.reset_key_cache()
    with pytest.raises(crypto.DecryptionError) as excinfo:
        Person.objects.get(pk=person.pk)
    assert "王小明" not in str(excinfo.value)


def test_sensitive_values_never_reach_the_audit_trail(person):
    from fanguai.audit.models import AuditEvent

    for event in AuditEvent.objects.all():
        text = f"{event.changed_fields} {event.details} {event.object_id}"
        assert "王小明" not in text and ID_CARD not in text


def test_logs_mask_id_card_and_phone_numbers(caplog):
    from fanguai.core.logging import RedactSensitiveFilter

    logger = logging.getLogger("fanguai.test")
    logger.addFilter(RedactSensitiveFilter())
    with caplog.at_level(logging.INFO, logger="fanguai.test"):
        logger.info("lookup %s by %s", ID_CARD, "13912345678")
    assert ID_CARD not in caplog.text and "13912345678" not in caplog.text
    assert redact("id 341502199001010025") == "id [redacted]"


# Files at rest and the start-up key check (issue 11 items 12 and 13).


def stored_pdf(alice):
    from fanguai.files.services import store_upload
    from fanguai.files.tests.samples import pdf_bytes, upload

    return store_upload(actor=alice, upload=upload("a.pdf", pdf_bytes()))


def raw_file(stored) -> bytes:
    from django.core.files.storage import storages

    return storages["private"].read_raw(stored.storage_name)


def test_rotation_re_encrypts_stored_files_and_retire_waits_for_them(key_file, alice):
    from django.core.files.storage import storages

    from fanguai.files.tests.samples import pdf_bytes

    stored = stored_pdf(alice)
    before = raw_file(stored)
    old_fingerprint = keys.list_keys()[0][0]
    keys.add_key(primary=True)
    with pytest.raises(ValueError, match="stored files"):
        keys.retire_key(old_fingerprint)  # the file still needs the old key
    assert keys.rotate_all().files == 1
    after = raw_file(stored)
    assert after != before and crypto.is_current(after)
    keys.retire_key(old_fingerprint)
    assert storages["private"].open(stored.storage_name).read() == pdf_bytes()


def test_rotation_encrypts_legacy_plaintext_files(key_file, alice):
    from django.core.files.storage import storages

    from fanguai.files.tests.samples import pdf_bytes

    storage = storages["private"]
    path = Path(storage.path("0f/legacy"))
    path.parent.mkdir(parents=True)
    path.write_bytes(pdf_bytes())
    assert keys.rotate_all().files == 1
    assert path.read_bytes().startswith(crypto.TOKEN_PREFIX)
    assert storage.open("0f/legacy").read() == pdf_bytes()


def run_key_check() -> list:
    from fanguai.core.checks import check_encryption_keys

    crypto.reset_key_cache()
    return check_encryption_keys()


def test_a_lost_key_file_stops_the_check_and_is_not_replaced(person, key_file):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    assert run_key_check() == []
    key_file.unlink()
    [error] = run_key_check()
    assert error.id == "fanguai.E002" and "missing" in error.msg and "keys import" in error.hint
    with pytest.raises(SystemCheckError, match="fanguai.E002"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured, match="missing"):
        Person.objects.get(pk=person.pk)  # nor does reading make a new key
    assert not key_file.exists()


def test_a_lost_key_file_with_only_stored_files_stops_the_check(key_file, alice):
    stored_pdf(alice)
    key_file.unlink()
    [error] = run_key_check()
    assert error.id == "fanguai.E002"
    assert not key_file.exists()


def test_a_wrong_key_file_stops_the_check(person, key_file):
    key_file.unlink()
    crypto.write_key_file([Fernet.generate_key().decode()], "y" * 43)
    [error] = run_key_check()
    assert error.id == "fanguai.E003" and "cannot decrypt" in error.msg


def test_a_wrong_key_for_the_files_alone_stops_the_check(key_file, alice, settings):
    stored_pdf(alice)
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.BLIND_INDEX_KEY = "x" * 32
    [error] = run_key_check()
    assert error.id == "fanguai.E003" and "stored file" in error.msg


def test_a_fresh_instance_still_creates_its_key_on_first_use(key_file, db):
    assert run_key_check() == []
    assert not key_file.exists()
    crypto.encrypt("x")
    assert key_file.exists()


def test_production_without_a_key_fails_the_check(key_file, settings, db):
    settings.PRODUCTION = True
    [error] = run_key_check()
    assert error.id == "fanguai.E001" and "missing" in error.msg

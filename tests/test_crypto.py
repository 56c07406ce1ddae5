import logging

import pytest
from cryptography.fernet import Fernet
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
    assert keys.rotate_all() >= 1
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

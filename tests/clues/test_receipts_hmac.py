"""Receipt codes are stored as a keyed hash (HMAC-SHA256 under a key derived from the managed blind-index key)
in an indexed column; codes stored the old way (PBKDF2 with a 16-bit bucket) keep working and are upgraded."""

import hashlib
import hmac

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanguai.clues import receipts, selectors
from fanguai.clues.models import Clue
from fanguai.core import crypto

from .helpers import open_with_code, submit

pytestmark = pytest.mark.django_db


def test_the_digest_is_an_hmac_under_a_derived_key_not_the_index_key_itself():
    code = receipts.new_code()
    index_key = crypto._keys()[1]
    stored = receipts.hash_code(code)
    assert stored == receipts.digest(code) and len(stored) == 64
    # Keyed: not a bare hash of the code, and not the blind-index digest under the index key.
    assert stored != hashlib.sha256(code.encode()).hexdigest()
    assert stored != hmac.new(index_key, code.encode(), hashlib.sha256).hexdigest()
    assert stored != crypto.blind_index(code)
    assert receipts.receipt_key() != index_key and len(receipts.receipt_key()) == 32


def test_another_index_key_gives_another_digest(settings):
    code = "1234567812345678"
    before = receipts.digest(code)
    settings.BLIND_INDEX_KEY = "another-index-key-for-this-test-only-0123456789"
    crypto.reset_key_cache()
    try:
        assert receipts.digest(code) != before
    finally:
        crypto.reset_key_cache()


def test_a_new_report_is_found_with_one_indexed_query_and_without_a_slow_hash(monkeypatch):
    _, code = submit(description="新的线索")
    clue = Clue.objects.get()
    assert clue.receipt_digest == receipts.digest(code) and clue.receipt_hash == ""

    def slow_hash_must_not_run(*args, **kwargs):
        raise AssertionError("a new receipt code must not need the slow hash")

    monkeypatch.setattr(receipts, "legacy_matches", slow_hash_must_not_run)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.find_by_receipt(code) == clue
    assert len(queries) == 1
    assert "receipt_digest" in queries[0]["sql"]
    index_columns = [
        info["columns"]
        for info in connection.introspection.get_constraints(
            connection.cursor(), Clue._meta.db_table
        ).values()
        if info["index"]
    ]
    assert ["receipt_digest"] in index_columns


def test_a_wrong_code_finds_nothing():
    _, code = submit()
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert selectors.find_by_receipt(wrong) is None
    assert selectors.find_by_receipt("not a code") is None


def _make_legacy(clue: Clue, code: str) -> None:
    """Store the code the way reports made before the keyed digest were stored."""
    lookup, slow = receipts.legacy_hash(code, iterations=1000)
    Clue.objects.filter(pk=clue.pk).update(receipt_digest="", receipt_lookup=lookup, receipt_hash=slow)


def test_an_old_pbkdf2_receipt_still_opens_its_report_and_is_upgraded():
    _, code = submit(description="旧的报告")
    _, other_code = submit(description="另一个报告")
    clue = Clue.objects.order_by("pk").first()  # descriptions are encrypted: not filterable
    _make_legacy(clue, code)
    clue.refresh_from_db()
    assert clue.receipt_hash.startswith(receipts.LEGACY_PREFIX) and clue.receipt_digest == ""

    page = open_with_code(code).get("/report/follow-up/report/")
    assert page.status_code == 200 and "旧的报告" in page.content.decode()

    clue.refresh_from_db()
    assert clue.receipt_digest == receipts.digest(code)
    assert clue.receipt_hash == "" and clue.receipt_lookup == ""
    assert selectors.find_by_receipt(code) == clue
    assert selectors.find_by_receipt(other_code).description == "另一个报告"


def test_a_wrong_code_in_the_same_legacy_bucket_does_not_open_an_old_report(monkeypatch):
    _, code = submit(description="旧的报告")
    clue = Clue.objects.get()
    _make_legacy(clue, code)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    # Put the wrong code in the same bucket, so that the slow hash is what refuses it.
    monkeypatch.setattr(receipts, "lookup_key", lambda value: Clue.objects.get().receipt_lookup)
    assert selectors.find_by_receipt(wrong) is None
    clue.refresh_from_db()
    assert clue.receipt_hash.startswith(receipts.LEGACY_PREFIX) and clue.receipt_digest == ""

"""Private files are encrypted at rest with the field-encryption key ring and are owner-only on disk."""

import hashlib
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from fanguai.core import crypto
from fanguai.files.services import store_upload

from .samples import image_bytes, pdf_bytes, upload


def on_disk(name: str) -> Path:
    return Path(storages["private"].path(name))


@pytest.mark.django_db
def test_an_upload_is_stored_encrypted_and_read_back_as_plaintext(alice, login):
    data = pdf_bytes()
    stored = store_upload(actor=alice, upload=upload("报告.pdf", data))
    raw = on_disk(stored.storage_name).read_bytes()
    assert raw != data and b"%PDF" not in raw
    assert raw.startswith(crypto.TOKEN_PREFIX)
    assert crypto.decrypt_bytes(raw) == data
    assert storages["private"].open(stored.storage_name).read() == data
    response = login(alice).get(f"/files/{stored.pk}/")
    assert b"".join(response.streaming_content) == data
    assert hashlib.sha256(data).hexdigest() == stored.sha256


@pytest.mark.django_db
def test_uploaded_files_and_their_folders_are_owner_only(alice):
    stored = store_upload(actor=alice, upload=upload("p.png", image_bytes("PNG")))
    path = on_disk(stored.storage_name)
    root = Path(storages["private"].location)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


@pytest.mark.django_db
def test_a_legacy_plaintext_file_is_still_read_until_rotation_encrypts_it():
    storage = storages["private"]
    name = "ab/legacy"
    on_disk(name).parent.mkdir(parents=True, exist_ok=True)
    on_disk(name).write_bytes(pdf_bytes())
    assert storage.open(name).read() == pdf_bytes()
    assert storage.needs_rewrite(name)
    assert storage.reencrypt(name) is True
    assert on_disk(name).read_bytes().startswith(crypto.TOKEN_PREFIX)
    assert storage.open(name).read() == pdf_bytes()
    assert storage.reencrypt(name) is False  # already under the primary key


def test_the_storage_opens_files_for_reading_only(tmp_path):
    storage = storages["private"]
    name = storage.save("cd/x", ContentFile(b"%PDF-1.4"))
    with pytest.raises(ValueError):
        storage.open(name, "wb")

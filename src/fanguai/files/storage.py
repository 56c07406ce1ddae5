"""The private storage encrypts every file at rest with the field-encryption key ring (core.crypto: Fernet,
the first key encrypts, every key decrypts) and keeps files and folders owner-only.

Callers see plaintext: `save` encrypts, `open` decrypts. A file written before encryption was introduced
(no Fernet token prefix) is still read as it is until `fanguai keys rotate` encrypts it in place.
"""

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from fanguai.core import crypto

TEMP_PREFIX = ".rewrite-"


class EncryptedFileSystemStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def _save(self, name, content):
        data = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
        return super()._save(name, ContentFile(crypto.encrypt_bytes(data)))

    def _open(self, name, mode="rb"):
        if mode not in ("r", "rb"):
            raise ValueError("the private storage opens files for reading only")
        raw = self.read_raw(name)
        data = crypto.decrypt_bytes(raw) if crypto.is_token(raw) else raw
        return File(io.BytesIO(data), name=name)

    # For key management (core.keys) and the start-up check (core.checks): raw access to the stored bytes.

    def read_raw(self, name: str) -> bytes:
        return Path(self.path(name)).read_bytes()

    def is_encrypted(self, name: str) -> bool:
        with open(self.path(name), "rb") as handle:
            return crypto.is_token(handle.read(len(crypto.TOKEN_PREFIX)))

    def stored_names(self) -> Iterator[str]:
        """Every stored file, as a storage name, in a stable order."""
        root = Path(self.location)
        if not root.exists():
            return
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for filename in sorted(files):
                if not filename.startswith(TEMP_PREFIX):
                    yield (Path(folder) / filename).relative_to(root).as_posix()

    def write_raw(self, name: str, data: bytes) -> None:
        """Replace a stored file's bytes atomically (a reader sees the old or the new file, never half)."""
        path = Path(self.path(name))
        descriptor, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)  # created 0600
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def needs_rewrite(self, name: str) -> bool:
        """Plaintext, or encrypted under a key that is not the primary."""
        raw = self.read_raw(name)
        return not crypto.is_token(raw) or not crypto.is_current(raw)

    def reencrypt(self, name: str) -> bool:
        """Put a file under the primary key (encrypting a legacy plaintext file); True if it was rewritten."""
        raw = self.read_raw(name)
        if crypto.is_token(raw):
            if crypto.is_current(raw):
                return False
            self.write_raw(name, crypto.rotate_bytes(raw))
        else:
            self.write_raw(name, crypto.encrypt_bytes(raw))
        return True

"""Checks on an upload before anything is written: real type from the bytes, size, and removal of image
metadata. Pure functions (no database), so the form and the service run the same checks."""

import io
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from fanguai.core.errors import RowError, ValidationFailed

# MIME type found by sniffing -> Pillow format name for images (None: stored as uploaded).
ALLOWED_TYPES: dict[str, str | None] = {
    "application/pdf": None,
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": None,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": None,
    "application/msword": None,
    "application/vnd.ms-excel": None,
}
# Keys of Image.info that carry no location or camera data and are needed to keep the picture as it was.
_SAFE_IMAGE_INFO = ("transparency", "duration", "loop", "background", "icc_profile", "disposal")


@dataclass(frozen=True)
class InspectedUpload:
    name: str
    content_type: str
    data: bytes


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed([RowError(0, "file", message)])


def clean_name(name: str) -> str:
    """The file name without any folder part or control characters, at most 255 characters, extension kept."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".") or "file"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) < 16 else name[:255]
    return name


def _read_limited(upload: UploadedFile, limit: int) -> bytes:
    """Read at most limit + 1 bytes, so that a client lying about the size cannot make us read more."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    buffer = io.BytesIO()
    for chunk in upload.chunks():
        buffer.write(chunk)
        if buffer.tell() > limit:
            break
    return buffer.getvalue()


def too_large_message(limit: int) -> str:
    return _("The file is too large: the limit is %(limit)s.") % {"limit": filesizeformat(limit)}


def wrong_type_message() -> str:
    return _("This type of file is not accepted. Allowed: PDF, JPEG, PNG, WebP, GIF, Word and Excel.")


def inspect_upload(upload: UploadedFile) -> InspectedUpload:
    """Return the cleaned bytes and the sniffed type, or raise ValidationFailed with one clear message."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _fail(too_large_message(limit))
    data = _read_limited(upload, limit)
    if len(data) > limit:
        raise _fail(too_large_message(limit))
    if not data:
        raise _fail(_("The file is empty."))
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise _fail(wrong_type_message())
    image_format = ALLOWED_TYPES[kind.mime]
    if image_format:
        data = strip_image_metadata(data, image_format)
    return InspectedUpload(name=clean_name(upload.name or ""), content_type=kind.mime, data=data)


def too_many_pixels_message(limit: int) -> str:
    return _(
        "The picture is too large: at most %(megapixels)s megapixels (width × height) are accepted. "
        "Please send a smaller picture."
    ) % {"megapixels": f"{limit / 1_000_000:g}"}


def check_image_pixels(image: Image.Image) -> None:
    """Refuse a picture whose decoded pixels (all frames together) exceed MAX_IMAGE_PIXELS, from its header
    alone: a few hundred kilobytes of PNG can claim 90 megapixels and cost a worker seconds and a gigabyte."""
    limit = settings.MAX_IMAGE_PIXELS
    width, height = image.size
    if width * height > limit:
        raise _fail(too_many_pixels_message(limit))
    if width * height * getattr(image, "n_frames", 1) > limit:
        raise _fail(too_many_pixels_message(limit))


def strip_image_metadata(data: bytes, image_format: str) -> bytes:
    """Re-encode the picture without EXIF, XMP, comments or text chunks (GPS position, camera, owner).

    The EXIF orientation is applied to the pixels first, so the picture still shows the right way up once
    the tag is gone. Animated GIF and WebP keep their frames.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != image_format:
                raise _fail(wrong_type_message())
            check_image_pixels(image)  # before anything is decoded
            image.load()
            animated = getattr(image, "n_frames", 1) > 1
            kept = {k: image.info[k] for k in _SAFE_IMAGE_INFO if k in image.info}
            out = io.BytesIO()
            if animated:
                image.info = dict(kept)
                image.save(out, format=image_format, save_all=True, **kept)
            else:
                clean = ImageOps.exif_transpose(image) or image
                clean.info = dict(kept)
                options: dict = dict(kept)
                if image_format == "JPEG":
                    options.update(quality=92, optimize=True)
                    if clean.mode not in ("RGB", "L", "CMYK"):
                        clean = clean.convert("RGB")
                elif image_format == "WEBP":
                    options.update(quality=90)
                clean.save(out, format=image_format, **options)
            return out.getvalue()
    except ValidationFailed:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own, larger limit, met while opening
        raise _fail(too_many_pixels_message(settings.MAX_IMAGE_PIXELS)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _fail(_("The image could not be read.")) from exc

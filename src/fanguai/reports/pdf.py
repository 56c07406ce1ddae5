"""PDF documents (WeasyPrint) with the Chinese font that travels with the project: Noto Sans SC, vendored as
woff2 slices under static/vendor/noto-sans-sc/, so a PDF shows Chinese on any machine without system fonts.
WeasyPrint needs Pango from the operating system (Debian: libpango-1.0-0 libpangoft2-1.0-0).

Speed (issue 13): handing WeasyPrint all 101 woff2 slices made it decompress every one of them (fontTools'
pure-Python woff2 decoder, ~0.1 s a slice) on every render, 11–17 s a PDF. Now a document gets only the slices
whose unicode-range covers a character of its HTML (a report needs a few dozen), and each slice is decompressed
once into TrueType under the data folder (``cache/pdf-fonts``), which later renders and the other server
processes read directly. ``prepare_fonts()`` fills that cache ahead of the first PDF."""

import bisect
import hashlib
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

FONT_CSS = "vendor/noto-sans-sc/400.css"
_FACE = re.compile(r"@font-face\s*{(?P<body>[^}]*)}", re.S)
_SRC = re.compile(r"url\(\s*['\"]?(?P<url>[^'\")]+\.woff2)['\"]?\s*\)")
_RANGE = re.compile(r"unicode-range\s*:\s*(?P<ranges>[^;}]+)")
_lock = threading.Lock()
# fontTools logs every woff2 it decompresses at INFO ("Processing <BytesIO> => …"): noise in `fanguai setup`.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class PdfUnavailable(RuntimeError):
    """The system lacks what WeasyPrint needs; the message says what to install."""


@dataclass(frozen=True)
class FontSlice:
    """One woff2 slice of Noto Sans SC: its own font family for WeasyPrint (Pango falls back slice to slice;
    one family with unicode-range slices garbles glyphs) and the code points it covers, as sorted ranges."""

    family: str
    woff2: Path
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def covers_any(self, code_points: list[int]) -> bool:
        """Whether one of the sorted code points falls in one of this slice's ranges."""
        for start, end in zip(self.starts, self.ends, strict=True):
            i = bisect.bisect_left(code_points, start)
            if i < len(code_points) and code_points[i] <= end:
                return True
        return False


def _parse_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in text.split(","):
        part = part.strip().upper().removeprefix("U+")
        if not part:
            continue
        if "?" in part:  # U+4??: a wildcard range
            ranges.append((int(part.replace("?", "0"), 16), int(part.replace("?", "F"), 16)))
        elif "-" in part:
            low, high = part.split("-", 1)
            ranges.append((int(low, 16), int(high, 16)))
        else:
            ranges.append((int(part, 16), int(part, 16)))
    return sorted(ranges)


def _static_root() -> Path:
    return Path(finders.find(FONT_CSS)).parent.parent.parent


@cache
def font_slices() -> tuple[FontSlice, ...]:
    """The slices in the order of the vendored 400.css (the fallback order of the PDF's font-family list)."""
    css_path = Path(finders.find(FONT_CSS))
    slices = []
    for number, face in enumerate(_FACE.finditer(css_path.read_text(encoding="utf-8"))):
        src, ranges = _SRC.search(face["body"]), _RANGE.search(face["body"])
        if not src:
            continue
        pairs = _parse_ranges(ranges["ranges"]) if ranges else [(0, 0x10FFFF)]
        slices.append(
            FontSlice(
                family=f"NotoSansSC{number:03d}",
                woff2=(css_path.parent / src["url"]).resolve(),
                starts=tuple(p[0] for p in pairs),
                ends=tuple(p[1] for p in pairs),
            )
        )
    return tuple(slices)


def slices_for(text: str) -> list[FontSlice]:
    """The slices needed to draw ``text`` (every slice that covers one of its characters), in fallback
    order."""
    code_points = sorted({ord(c) for c in text})
    return [s for s in font_slices() if s.covers_any(code_points)]


def _cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "pdf-fonts"


def truetype_file(font: FontSlice) -> Path:
    """The slice decompressed to TrueType, from the cache (named by the woff2's content hash, so an updated
    font never reads a stale file), decompressing it the first time."""
    data = font.woff2.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = _cache_dir() / f"{font.woff2.name.removesuffix('.woff2')}-{digest}.ttf"
    if target.exists():
        return target
    from fontTools.ttLib import woff2

    out = BytesIO()
    woff2.decompress(BytesIO(data), out)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: another process rendering at the same time never reads half a font.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(out.getvalue())
    os.replace(tmp, target)
    return target


def warm_up() -> None:
    """Import WeasyPrint (and Pango) and render a one-word PDF ahead of the first real one: a web worker calls
    this when it starts (fanguai.wsgi), so no user waits the seconds of the import and of the first render's
    one-time set-up (cffi type parsing, fontconfig). Never fails: without Pango it does nothing."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        with _lock:
            fonts = CSS(string=font_css("PDF 0"), font_config=font_config)
        HTML(string="<p>PDF 0</p>").write_pdf(stylesheets=[fonts], font_config=font_config)
    except Exception:  # noqa: BLE001 - a warm-up; the real render reports its own errors
        logging.getLogger(__name__).debug("PDF warm-up failed", exc_info=True)


def prepare_fonts() -> int:
    """Decompress every slice into the cache (a deployment step or a warm-up); returns how many slices."""
    return len([truetype_file(s) for s in font_slices()])


def font_css(text: str) -> str:
    """@font-face rules for the slices ``text`` needs, and the document's font-family list of them."""
    needed = slices_for(text)
    faces = "".join(
        f"@font-face {{ font-family: '{s.family}'; src: url({truetype_file(s).as_uri()}) format('truetype'); }}\n"
        for s in needed
    )
    families = ", ".join([f'"{s.family}"' for s in needed] + ["sans-serif"])
    # On the root element, so the page's margin boxes (page numbers) inherit it too, not only the body.
    return f"{faces}html, body {{ font-family: {families}; }}\n"


def render_pdf(template: str, context: dict) -> bytes:
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except OSError as exc:  # Pango is missing
        raise PdfUnavailable(
            _("PDF export needs the system packages libpango-1.0-0 and libpangoft2-1.0-0.")
        ) from exc
    html = render_to_string(template, context)
    font_config = FontConfiguration()
    with _lock:  # two threads of one worker never decompress the same slice twice
        fonts = CSS(string=font_css(html), font_config=font_config)
    document = HTML(string=html, base_url=str(_static_root()))
    return document.write_pdf(stylesheets=[fonts], font_config=font_config)

"""The font subset (issue 14 item 5): staff and public pages download one Noto Sans SC subset with the
interface's own characters (``fanguai subset_font``) instead of a dozen slices. Every character of the Chinese
catalogue and of the templates must be in it; a failure here means: run ``fanguai subset_font`` and commit the
two files it writes."""

import re
from pathlib import Path

import polib
import pytest
from fontTools.ttLib import TTFont

SRC = Path(__file__).resolve().parents[1] / "src" / "fanguai"
FONTS = SRC / "static" / "fanguai" / "fonts"
VENDOR = SRC / "static" / "vendor" / "noto-sans-sc"
CATALOGUE = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def subset() -> set[int]:
    return set(TTFont(FONTS / "noto-sans-sc-ui.woff2").getBestCmap())


@pytest.fixture(scope="module")
def noto() -> set[int]:
    """Every code point that some slice of the vendored Noto Sans SC has."""
    covered: set[int] = set()
    for path in (VENDOR / "files").glob("*.woff2"):
        covered |= set(TTFont(path).getBestCmap())
    return covered


def lacking(text: str, subset: set[int], noto: set[int]) -> str:
    """Characters of the text that Noto Sans SC has and the subset lacks (whitespace aside)."""
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) in noto and ord(c) not in subset}))


def test_every_catalogue_translation_is_covered(subset, noto):
    catalogue = polib.pofile(str(CATALOGUE))
    text = "".join(
        entry.msgstr + "".join(entry.msgstr_plural.values()) for entry in catalogue if not entry.obsolete
    )
    assert len(text) > 10000  # the real catalogue, not an empty file
    assert lacking(text, subset, noto) == "", "run `fanguai subset_font`"


def test_every_template_is_covered(subset, noto):
    templates = [p for p in SRC.rglob("*.html") if "templates" in p.parts]
    assert len(templates) > 100
    text = "".join(p.read_text(encoding="utf-8") for p in templates)
    assert lacking(text, subset, noto) == "", "run `fanguai subset_font`"


def test_the_subset_is_small_and_covers_the_basics(subset):
    assert (FONTS / "noto-sans-sc-ui.woff2").stat().st_size < 300 * 1024
    assert all(cp in subset for cp in range(0x20, 0x7F))
    assert all(ord(c) in subset for c in "，。、；：？！（）《》“”…—·")
    assert all(ord(c) in subset for c in "六安市霍邱县城关镇裕安区金安区")


def test_the_stylesheet_declares_exactly_what_the_font_covers(subset):
    css = (FONTS / "noto-sans-sc-ui.css").read_text(encoding="utf-8")
    assert "url(./noto-sans-sc-ui.woff2)" in css
    declared: set[int] = set()
    for start, end in re.findall(r"U\+([0-9a-f]+)(?:-([0-9a-f]+))?", css):
        declared.update(range(int(start, 16), int(end or start, 16) + 1))
    assert declared == subset


def test_the_base_template_declares_the_subset_after_the_slices():
    """A browser takes the last declared face that covers a character: the subset must come after the
    slices, which stay as the fallback for characters of user-entered names."""
    base = (SRC / "templates" / "base.html").read_text(encoding="utf-8")
    slices = base.index("vendor/noto-sans-sc/400.css")
    assert base.index("fanguai/fonts/noto-sans-sc-ui.css") > slices


def test_the_subset_has_the_metrics_of_the_slices():
    subset = TTFont(FONTS / "noto-sans-sc-ui.woff2")
    slice_ = TTFont(VENDOR / "files" / "noto-sans-sc-119-400-normal.woff2")
    for table, fields in {"hhea": ("ascent", "descent", "lineGap"), "head": ("unitsPerEm",)}.items():
        for field in fields:
            assert getattr(subset[table], field) == getattr(slice_[table], field)
    # The same glyph: the advance width of a common character matches the slice that holds it.
    glyph = subset.getBestCmap()[ord("的")]
    assert subset["hmtx"][glyph][0] == slice_["hmtx"][slice_.getBestCmap()[ord("的")]][0]

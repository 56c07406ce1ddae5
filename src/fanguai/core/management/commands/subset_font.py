"""`fanguai subset_font`: the one Noto Sans SC file that staff and public pages download.

The vendored @fontsource package splits Noto Sans SC into 101 woff2 slices by unicode-range; a page fetched
every slice that held one of its characters (417 KiB for a staff page, more as one moves through the menus).
This command writes one subset font with the interface's own characters, and a stylesheet that declares it
after the slices with its exact unicode-range: a browser takes the last declared face that covers a
character, so it fetches the subset for almost every page and a slice only for a rarer character of a name
that a user typed. A tool for a checkout of the repository (it reads ``plans/`` and ``data/``); its output is
committed.

What goes in (``interface_characters``):

- every character of the zh_Hans catalogue's translations (``locale/zh_Hans/LC_MESSAGES/django.po``);
- every character of the templates, the JavaScript and the Python sources of the package (labels written in
  Chinese), without the demo data and the tests: their names are user data, like the names typed in production;
- the plan data (``plans/``) and the reference data: region and unit names (``data/``);
- printable ASCII, Latin-1 punctuation, general punctuation, CJK symbols and punctuation, full-width forms;
- with ``--common``, the 3,755 characters of level 1 of GB 2312, the most frequent characters of written
  Chinese (close to the 3,500 of level 1 of the 通用规范汉字表), taken from Python's own ``gb2312`` codec.
  Not by default: that font weighs 537 KiB, more than the 417 KiB of slices a staff page fetched before; the
  interface's own characters make 160 KiB, and a page of names adds only the slices of their rarer characters
  (the figures are in the design notes);
- the text of any file given with ``--extra-text`` (e.g. translations not yet merged into the catalogue).

The glyphs come from ``noto-sans-sc-chinese-simplified-400-normal.woff2`` of the same package (7,946
characters in one font, the same design and metrics as the slices), completed from the slices for a character
it lacks. Run it after a change to the catalogue or the templates; a test fails when a translated string has
a character the subset lacks. It needs fontTools with brotli (``fonttools[woff]``, which WeasyPrint already
requires)."""

import io
import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PACKAGE_DIR = Path(__file__).resolve().parents[3]
REPO_DIR = PACKAGE_DIR.parent.parent
VENDOR_DIR = PACKAGE_DIR / "static" / "vendor" / "noto-sans-sc"
BASE_FONT = VENDOR_DIR / "files" / "noto-sans-sc-chinese-simplified-400-normal.woff2"
SLICES_CSS = VENDOR_DIR / "400.css"
OUTPUT_DIR = PACKAGE_DIR / "static" / "fanguai" / "fonts"
FONT_NAME = "noto-sans-sc-ui.woff2"
CSS_NAME = "noto-sans-sc-ui.css"
CATALOGUE = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

SOURCE_SUFFIXES = {".html", ".txt", ".js", ".py"}
PUNCTUATION_RANGES = (
    (0x20, 0x7E),  # printable ASCII
    (0xA0, 0xFF),  # Latin-1: ·, ×, °, ±, ¥, «»
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x203B),  # per mille, primes, reference mark
    (0x2103, 0x2103),  # ℃
    (0x2116, 0x2116),  # №
    (0x2160, 0x216B),  # Roman numerals Ⅰ–Ⅻ (plan chapters)
    (0x2190, 0x2193),  # arrows
    (0x2460, 0x2473),  # ①–⑳
    (0x25A0, 0x25CF),  # ■□▲△○●
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE5),  # full-width ￥ and the like
)
_MSGSTR = re.compile(r'^msgstr(?:\[\d+\])?\s+"(.*)"\s*$|^"(.*)"\s*$')


def gb2312_level_one() -> set[str]:
    """Level 1 of GB 2312 (rows 16–55): the 3,755 most frequent characters, ordered by pinyin there."""
    chars = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def catalogue_translations(path: Path = CATALOGUE) -> str:
    """The text of every msgstr of a .po file (continuation lines included), without the msgids."""
    parts, in_msgstr = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            in_msgstr = True
        elif line.startswith(("msgid", "msgctxt", "#")) or not line.strip():
            in_msgstr = False
        if in_msgstr:
            match = _MSGSTR.match(line)
            if match:
                parts.append(match.group(1) if match.group(1) is not None else match.group(2))
    return "".join(parts)  # escapes (\\n, \\") stay as written: their characters are ASCII


def source_text() -> str:
    """Templates, scripts and Python sources of the package (the vendored files excluded), plans and data."""
    parts = []
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if (
            path.suffix in SOURCE_SUFFIXES
            and path.is_file()
            and not {"vendor", "tests", "migrations"} & set(path.parts)
            and path.name != "demo.py"  # made-up names: user data, like the names typed in production
        ):
            parts.append(path.read_text(encoding="utf-8", errors="ignore"))
    for folder in (REPO_DIR / "plans", Path(settings.REFERENCE_DATA_DIR)):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".yaml", ".csv", ".txt", ".md"} and path.is_file():
                parts.append(path.read_text(encoding="utf-8", errors="ignore"))
    return "".join(parts)


def interface_characters(extra: str = "", common: bool = False) -> set[int]:
    code_points = {cp for start, end in PUNCTUATION_RANGES for cp in range(start, end + 1)}
    text = catalogue_translations() + source_text() + extra
    code_points |= {ord(c) for c in text if not c.isspace() and c.isprintable()}
    if common:
        code_points |= {ord(c) for c in gb2312_level_one()}
    return code_points


def unicode_range(code_points: set[int]) -> str:
    """The CSS unicode-range of a set of code points, as compact runs (U+4e00-4e01,U+4e03)."""
    runs: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if runs and cp == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    return ",".join(f"U+{a:x}" if a == b else f"U+{a:x}-{b:x}" for a, b in runs)


def _slices() -> list[Path]:
    names = re.findall(r"url\(\./files/([^)]+\.woff2)\)", SLICES_CSS.read_text(encoding="utf-8"))
    return [VENDOR_DIR / "files" / name for name in names]


def build_subset(code_points: set[int]) -> tuple[bytes, set[int]]:
    """The woff2 bytes of the subset and the code points it really covers."""
    from fontTools import subset
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = ["locl", "vert", "vrt2"]  # what the slices carry
    options.name_IDs = ["*"]  # keep the copyright and licence records of the OFL font
    options.notdef_outline = True

    base = TTFont(BASE_FONT, recalcTimestamp=False)
    base_cmap = set(base.getBestCmap())
    wanted_from_base = code_points & base_cmap
    missing = code_points - base_cmap
    fonts = [_subset(base, wanted_from_base, options)]
    for path in _slices():
        if not missing:
            break
        piece = TTFont(path, recalcTimestamp=False)
        found = missing & set(piece.getBestCmap())
        if found:
            fonts.append(_subset(piece, found, options))
            missing -= found
    if len(fonts) > 1:
        files = []
        for font in fonts:
            buffer = io.BytesIO()
            font.flavor = None
            font.recalcTimestamp = False
            font.save(buffer)
            buffer.seek(0)
            files.append(buffer)
        merged = Merger().merge(files)
        merged.flavor = "woff2"
        font = merged
    else:
        font = fonts[0]
    # The same sources give the same bytes: a rerun changes nothing to commit.
    font.recalcTimestamp = False
    font["head"].created = base["head"].created
    font["head"].modified = base["head"].modified
    out = io.BytesIO()
    font.save(out)
    covered = set(TTFont(io.BytesIO(out.getvalue())).getBestCmap())
    return out.getvalue(), covered


def _subset(font, code_points: set[int], options):
    from fontTools import subset

    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(code_points))
    copy = _copy(font)
    subsetter.subset(copy)
    return copy


def _copy(font):
    from fontTools.ttLib import TTFont

    buffer = io.BytesIO()
    flavor = font.flavor
    font.flavor = None
    font.save(buffer)
    font.flavor = flavor
    buffer.seek(0)
    return TTFont(buffer, recalcTimestamp=False)


def stylesheet(covered: set[int]) -> str:
    return (
        "/* Generated by `fanguai subset_font`: do not edit. Declared after vendor/noto-sans-sc/400.css, so a\n"
        "   browser takes this one face for every character it covers and a slice only for the others. */\n"
        "@font-face {\n"
        "  font-family: 'Noto Sans SC';\n"
        "  font-style: normal;\n"
        "  font-display: swap;\n"
        "  font-weight: 400;\n"
        f"  src: url(./{FONT_NAME}) format('woff2');\n"
        f"  unicode-range: {unicode_range(covered)};\n"
        "}\n"
    )


class Command(BaseCommand):
    help = "Write the Noto Sans SC subset of the interface's characters (static/fanguai/fonts/)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--extra-text",
            type=Path,
            action="append",
            default=[],
            help="A text file whose characters the subset covers too (may be repeated).",
        )
        parser.add_argument(
            "--common",
            action="store_true",
            help="Add level 1 of GB 2312 (3,755 characters; a 537 KiB font instead of about 160 KiB).",
        )
        parser.add_argument(
            "--output", type=Path, default=OUTPUT_DIR, help="Folder for the font and its CSS."
        )

    def handle(self, *args, extra_text, output, common, **options):
        try:
            import brotli  # noqa: F401 - woff2 needs it
        except ImportError as exc:
            raise CommandError("fontTools needs brotli for woff2: pip install 'fonttools[woff]'") from exc
        extra = "".join(path.read_text(encoding="utf-8") for path in extra_text)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        wanted = interface_characters(extra, common=common)
        data, covered = build_subset(wanted)
        output.mkdir(parents=True, exist_ok=True)
        (output / FONT_NAME).write_bytes(data)
        (output / CSS_NAME).write_text(stylesheet(covered), encoding="utf-8")
        ranges = {cp for start, end in PUNCTUATION_RANGES for cp in range(start, end + 1)}
        lacking = sorted(wanted - covered - ranges)  # symbols of the ranges that the font lacks are no loss
        self.stdout.write(
            f"{output / FONT_NAME}: {len(covered)} characters, {len(data) / 1024:.1f} KiB"
            + (f"; not in Noto Sans SC: {''.join(map(chr, lacking))}" if lacking else "")
        )

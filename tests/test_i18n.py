"""The Simplified Chinese catalogue is complete: no untranslated or fuzzy message, every string in the code
is in it (checked by running makemessages on a copy of the source where GNU gettext is installed; .ci/run
installs it), and the compiled .mo matches the .po."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "fanguai"
PO = SOURCE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def untranslated(po: polib.POFile) -> list[str]:
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    return missing + [e.msgid for e in po if "fuzzy" in e.flags and not e.obsolete]


def test_catalogue_has_no_untranslated_or_fuzzy_message():
    po = polib.pofile(str(PO))
    assert len(po) > 100
    assert untranslated(po) == []


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    copy = tmp_path / "fanguai"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("kinship", "__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": ""},
    )
    assert untranslated(polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))) == []

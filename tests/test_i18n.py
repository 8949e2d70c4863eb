"""The ja catalogue is complete and compiled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_message_has_a_japanese_translation():
    catalogue = polib.pofile(str(PO))
    missing = [entry.msgid for entry in catalogue if not entry.translated()]
    assert missing == []
    assert catalogue.fuzzy_entries() == []


def test_compiled_catalogue_matches_the_po_file():
    # Keyed by context too: "results" (a field) and "page title"/"results" differ.
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO)) if e.msgid}
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO)) if not e.msgid_plural}
    assert {k: compiled.get(k) for k in source} == source


def test_no_source_string_is_missing_from_the_catalogue(tmp_path):
    """Every gettext string in code and templates is in django.po.

    makemessages runs on a copy of the sources so the repository is untouched.
    """
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (GNU gettext) is not installed")
    for name in ("cms", "home", "search", "matching", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
    )
    known = {entry.msgid for entry in polib.pofile(str(PO))}
    fresh = tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    generated = {entry.msgid for entry in polib.pofile(str(fresh))}
    assert sorted(generated - known) == []

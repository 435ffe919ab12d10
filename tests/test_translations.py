"""The ja and vi catalogs are complete, real, and keep every placeholder."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# Strings that are the same in every language (codes and product names).
SAME_EVERYWHERE = {"XLSX", "CSV", "JCM", "MRV", "CCUS", "ICS", "%(zone)s (UTC%(offset)s)"}


def catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def template_ids():
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_catalog_is_complete_and_real(lang):
    problems = []
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strs = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        for text in strs:
            if not text:
                problems.append(f"untranslated: {ids[0]!r}")
            elif text == ids[0] and ids[0] not in SAME_EVERYWHERE:
                problems.append(f"copied from English: {ids[0]!r}")
            elif set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(ids[0])):
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    assert problems == []


@pytest.mark.parametrize("lang", ["ja", "vi"])
def test_catalog_covers_every_extracted_string(lang):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(lang) if m.id and m.string}
    assert template_ids() - ids == set()


def test_template_is_up_to_date(tmp_path):
    """The committed .pot holds every string in the code (run `flask translate update` if not)."""
    import subprocess
    import sys

    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "--no-location", "-o", str(out), "."], cwd=ROOT, check=True, capture_output=True)
    with open(out, "rb") as handle:
        fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert fresh - template_ids() == set()

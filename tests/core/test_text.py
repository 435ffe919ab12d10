"""Normalisation and search keys (pure, no app)."""

import subprocess
import sys
import unicodedata

import pytest

from matchmaker.core.text import clean_text, fold_accents, index_text, search_key


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＡＢＣ　ｴﾈﾙｷﾞｰ", "abc エネルギー"),  # full-width Latin, half-width kana
        ("  Hà   Nội ", "hà nội"),
        ("HYDROGEN", "hydrogen"),
        ("ﾊﾟﾈﾙ", "パネル"),
    ],
)
def test_search_key_folds_width_case_and_space(raw, expected):
    assert search_key(raw) == expected


def test_clean_text_composes_vietnamese_diacritics():
    decomposed = unicodedata.normalize("NFD", "Nước thải")
    assert decomposed != "Nước thải"
    assert clean_text(decomposed) == "Nước thải"
    assert clean_text(None) == ""


def test_fold_accents_keeps_japanese_voiced_kana():
    assert fold_accents("hà nội đà nẵng") == "ha noi da nang"
    assert fold_accents("ガスタービン") == "ガスタービン"


def test_index_text_holds_both_accented_and_folded_keys():
    text = index_text("Công ty Nước Sạch", None, "Cần Thơ")
    assert "nước sạch" in text and "nuoc sach" in text and "can tho" in text
    assert index_text("Tokyo") == "tokyo"


def test_core_imports_neither_flask_nor_sqlalchemy():
    code = "import sys, matchmaker.core.text; import matchmaker.core; print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"

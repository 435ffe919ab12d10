"""The ja and vi catalogs say each concept with the one word TERMS.md gives it.

TERMS.md lives in ``shared/`` beside the repository. Two rules hold the catalogs to it:

* where an English msgid names a concept of the table, its translation uses that concept's word;
* the variants a translator might reach for instead (主催者, cuộc gặp, "bạn"…) never appear.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("ja", "vi")

# Phrases that name the concept of a table row without its exact English words.
ALIASES = {
    "meeting request": [r"request(?:s|ed)? (?:a |more )?meetings?", r"asked you for a meeting", r"\brequests?\b(?= (?:accepted|declined|sent|has been sent))"],
    "organisers": [r"\borganisers?\b", r"\bsecretariat\b"],
    "matchmaking session": [r"(?:matchmaking|meeting) sessions?"],
    "interpreter": [r"\binterpreters?\b"],
}
# Accepted forms of a term where grammar bends it (Japanese verb form of 商談の申し込み).
FORMS = {
    "商談の申し込み": r"商談(?:の|を)?申し?込",
    "đề nghị gặp gỡ": r"đề nghị gặp",
    "インポート": r"インポート",
}
# msgids where the English word is not the concept: "needs correcting" is no company's need,
# "Offer or need" labels a choice whose two options are named elsewhere.
OTHER_SENSE = {
    "need": re.compile(r"needs? (?:correcting|at least|a look|approval)|needed|\bneed to\b|what you need|you need|"
                       r"kind: offer or need", re.I),
    "offer": re.compile(r"what others offer|what you offer|kind: offer or need", re.I),
    "meeting": re.compile(r"meeting length|meetings? in:|hold meetings|business meetings", re.I),
    "Programme": re.compile(r"programme import|import the programme|programme file", re.I),
}
FORBIDDEN = {
    "ja": {
        "主催者": "事務局 (organisers)",
        "マイスケジュール": "マイアジェンダ (My agenda)",
        "個人スケジュール": "マイアジェンダ (My agenda)",
        "提供内容": "提供できること (offer)",
        "取り込み": "インポート (import)",
        "ミーティング": "面談 (meeting)",
        r"商談(?!の申し込み|を申し込|申し込|を希望)": "面談 (a meeting); 商談 only in 商談の申し込み",
        r"面談(?:の|を)?申し込": "商談の申し込み (meeting request)",
    },
    "vi": {
        r"\b[Bb]ạn\b": "Quý doanh nghiệp, or no pronoun",
        r"[Qq]uý khách|[Aa]nh/chị": "Quý doanh nghiệp, or no pronoun (one register)",
        r"[Cc]uộc gặp": "buổi gặp (meeting)",
        r"[Cc]uộc họp": "buổi gặp (meeting)",
        r"(?<!B)ban tổ chức": "Ban tổ chức, capital B",
        r"[Nn]hà tổ chức": "Ban tổ chức (organisers)",
        r"[Ll]ịch (?:của tôi|cá nhân)": "Lịch trình của tôi (My agenda)",
    },
}


def terms_file() -> Path:
    """shared/TERMS.md beside the repository (or beside the folder of work trees)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "TERMS.md").is_file():
            return base / "shared" / "TERMS.md"
    pytest.fail("shared/TERMS.md is missing beside the repository")


def load_terms() -> dict[str, dict[str, str]]:
    """English term -> {"ja": ..., "vi": ...}, read from the table of TERMS.md."""
    terms = {}
    for line in terms_file().read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("concept", "") or set(cells[0]) <= set("- "):
            continue
        _, english, japanese, vietnamese = cells
        terms[english] = {"ja": japanese, "vi": re.sub(r"\s*\([^)]*\)$", "", vietnamese)}
    return terms


def catalog(lang: str) -> list[tuple[str, list[str]]]:
    """(msgid, [msgstr…]) of every message of *lang*."""
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        messages = [m for m in read_po(handle) if m.id]
    return [(m.id if isinstance(m.id, str) else m.id[0], list(m.string if isinstance(m.string, tuple) else (m.string,)))
            for m in messages]


def _patterns(english: str, terms: dict) -> list[re.Pattern]:
    return [re.compile(p, re.I) for p in [rf"\b{re.escape(english)}s?\b", *ALIASES.get(english, [])]]


def _names_concept(msgid: str, english: str, terms: dict) -> bool:
    """Whether *msgid* names the concept *english*, once longer terms and other senses are taken out."""
    text = re.sub(r"%\(\w+\)[sd]", " ", msgid)  # placeholders are not words of the message
    for longer in sorted(terms, key=len, reverse=True):
        if longer != english and (english.lower() in longer.lower() or longer in ALIASES):
            for pattern in _patterns(longer, terms):
                text = pattern.sub(" ", text)
    if english in OTHER_SENSE:
        text = OTHER_SENSE[english].sub(" ", text)
    return any(p.search(text) for p in _patterns(english, terms))


def _uses(text: str, term: str) -> bool:
    return re.search(FORMS.get(term, re.escape(term)), text, re.I) is not None


def test_terms_file_has_the_table():
    terms = load_terms()
    assert terms["meeting"] == {"ja": "面談", "vi": "buổi gặp"}
    assert terms["organisers"]["vi"] == "Ban tổ chức"
    assert len(terms) >= 15


@pytest.mark.parametrize("lang", LANGS)
def test_each_concept_has_its_one_word(lang):
    terms = load_terms()
    missing = [f"{msgid!r} -> {text!r} lacks {wanted[lang]!r}"
               for english, wanted in terms.items()
               for msgid, texts in catalog(lang) if _names_concept(msgid, english, terms)
               for text in texts if not _uses(text, wanted[lang])]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_variant_a_reader_would_take_for_another_thing(lang):
    found = [f"{msgid!r} -> {text!r}: use {instead}"
             for variant, instead in FORBIDDEN[lang].items()
             for msgid, texts in catalog(lang) for text in texts if re.search(variant, text)]
    assert found == []


def test_japanese_uses_full_width_punctuation():
    """No ASCII comma or half-width bracket next to Japanese text (「ベトナム時間（UTC+7）」)."""
    japanese = r"[\u3040-\u30ff\u4e00-\u9fff]"
    pattern = re.compile(rf"{japanese}\s*[,(]|[,)]\s*{japanese}|{japanese}[^()（）]*\([^)]*\)")
    found = [f"{msgid!r} -> {text!r}" for msgid, texts in catalog("ja") for text in texts
             if pattern.search(re.sub(r"%\(\w+\)[sd]", "X", text))]
    assert found == []


def test_labels_of_a_field_in_another_language_read_x_tieng_y():
    """Vietnamese labels like "Title in Japanese" read "Tiêu đề (tiếng Nhật)"."""
    languages = {"Japanese": "tiếng Nhật", "Vietnamese": "tiếng Việt", "English": "tiếng Anh"}
    wrong = [f"{msgid!r} -> {texts[0]!r}" for msgid, texts in catalog("vi")
             for english, vietnamese in languages.items()
             if re.fullmatch(rf"[\w ]+ in {english}", msgid) and not texts[0].endswith(f"({vietnamese})")]
    assert wrong == []


def test_offer_and_company_descriptions_have_their_own_words():
    """The profile's descriptions and an offer's description are different fields with different labels."""
    for lang in LANGS:
        texts = dict(catalog(lang))
        assert texts["Company description in Japanese"] != texts["Description in Japanese"]

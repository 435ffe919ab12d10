"""The concept glossary and detection (pure, no app)."""

import json

import pytest

from matchmaker.core.concepts import (
    LANGUAGES,
    GlossaryError,
    build_glossary,
    detect,
    find_in,
    load_glossary,
    read_entries,
    tokens,
    written_tokens,
)
from matchmaker.services.categories import DEFAULT_CATEGORIES

CATEGORIES = [key for key, *_ in DEFAULT_CATEGORIES]


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(CATEGORIES)


def entry(key, en=None, ja=None, vi=None, broader=(), category="hydrogen"):
    def given(forms, default):
        return [default] if forms is None else forms

    return {"key": key, "category": category, "en": given(en, f"{key} en"), "ja": given(ja, f"{key}語"),
            "vi": given(vi, f"{key} vi"), "broader": list(broader)}


# ----------------------------------------------------------------------------- the shipped data


def test_every_concept_has_all_three_languages_and_a_known_category():
    entries = read_entries()
    assert len(entries) >= 400
    for e in entries:
        assert all(e[lang] and all(f.strip() for f in e[lang]) for lang in LANGUAGES), e["key"]
        assert e["category"] in CATEGORIES, e["key"]
    assert {e["category"] for e in entries} == set(CATEGORIES)  # every cooperation area has concepts


def test_no_two_concepts_share_a_surface_form():
    owner = {}
    for e in read_entries():
        for lang in LANGUAGES:
            for form in e[lang]:
                key = tokens(form)  # the normalised form: width, case and diacritics folded
                assert owner.setdefault(key, e["key"]) == e["key"], f"{form!r}: {e['key']} and {owner[key]}"


def test_shipped_glossary_loads_with_acyclic_broader_links(glossary):
    assert len(glossary) == len(read_entries())
    assert glossary.closure(["landfill-gas-power"]) == {
        "landfill-gas-power": 0, "landfill-gas-recovery": 1, "waste-to-energy": 1, "landfill-gas": 2,
        "methane-capture": 3, "landfill": 3, "solid-waste-management": 4,
    }
    assert glossary.label("landfill-gas-power", "ja") == "埋立地ガス発電"
    assert glossary.label("landfill-gas-power", "vi") == "phát điện từ khí bãi chôn lấp"
    assert glossary.label("landfill-gas-power", "en") == "landfill gas power generation"


# ----------------------------------------------------------------------------- detection


@pytest.mark.parametrize("text", [
    "埋立地ガス（LFG）回収・発電システム",  # the Japanese offer of the issue
    "thu hồi khí mê-tan từ bãi chôn lấp để phát điện",  # the Vietnamese need of the issue
    "thu hoi khi me-tan tu bai chon lap de phat dien",  # typed without diacritics
    "Landfill gas power generation for a municipal site",
    "ＬＦＧ発電",  # full-width abbreviation
])
def test_the_issues_examples_are_landfill_gas_power(glossary, text):
    assert "landfill-gas-power" in detect(glossary, text)


def test_vietnamese_need_and_japanese_offer_meet_on_the_same_concepts(glossary):
    need = detect(glossary, "Chúng tôi cần thu hồi khí mê-tan từ bãi chôn lấp để phát điện.")
    offer = detect(glossary, "埋立地ガス（LFG）回収・発電システムを提供します。")
    assert set(glossary.closure(need)) & set(glossary.closure(offer)) >= {"landfill-gas-power", "methane-capture"}


def test_latin_abbreviations_match_whole_words_only(glossary):
    assert "solar-pv" in detect(glossary, "PV panels for factories")
    assert "solar-pv" not in detect(glossary, "PVC pipes and fittings")
    assert "solar-pv" not in detect(glossary, "a pvc floor")


def test_longest_match_wins_and_spans_do_not_overlap(glossary):
    found = find_in(glossary, "landfill gas power generation")
    assert [f.key for f in found] == ["landfill-gas-power"]
    assert (found[0].start, found[0].stop) == (0, 4)
    assert detect(glossary, "landfill gas") == ("landfill-gas",)


def test_japanese_is_matched_inside_words_and_half_width_kana_is_folded(glossary):
    assert "methane-capture" in detect(glossary, "工場排水からではなく畜舎のメタン回収装置")
    assert detect(glossary, "ﾒﾀﾝ回収") == detect(glossary, "メタン回収")


def test_detection_reads_every_text_and_keeps_first_appearance_order(glossary):
    keys = detect(glossary, "PV panels", None, "", "メタン回収", "solar PV")
    assert keys == ("solar-pv", "methane-capture")


def test_a_word_written_with_diacritics_matches_only_forms_written_the_same_way(glossary):
    assert "nitrogen-fertiliser" in detect(glossary, "bón phân hóa học quá nhiều")
    assert "nitrogen-fertiliser" not in detect(glossary, "phân tích thành phần hóa học từng lô")  # phần = part
    assert "nitrogen-fertiliser" in detect(glossary, "bon phan hoa hoc qua nhieu")  # typed without diacritics
    assert "public-private-partnership" not in detect(glossary, "bột sắn")  # bột (flour) is not BOT


def test_written_tokens_keep_the_diacritics_index_for_index():
    assert written_tokens("Phần hóa-học ＣＯ₂回収") == (("phan", "hoa", "hoc", "co2", "回", "収"),
                                                  ("phần", "hóa", "học", "co2", "回", "収"))


@pytest.mark.parametrize("text, key", [
    ("畜舎のメタンの回収装置", "methane-capture"),
    ("排ガスからCO2を回収します", "co2-capture"),
    ("工場の排熱を回収して", "waste-heat-recovery"),
    ("冷蔵庫から冷媒を回収し", "refrigerant-recovery"),  # also a form 冷媒を抜き取 goes on from 冷媒を
])
def test_a_japanese_particle_inside_a_compound_is_passed_over(glossary, text, key):
    assert key in detect(glossary, text)


def test_a_particle_is_passed_over_only_inside_a_form(glossary):
    found = find_in(glossary, "メタンの利用")  # no form continues after メタン: the particle is not taken
    assert [(f.key, f.start, f.stop) for f in found] == [("methane", 0, 3)]


@pytest.mark.parametrize("text", ["a project led by the city", "concrete steps towards 2050", "a proven methodology"])
def test_common_english_words_are_not_topics(glossary, text):
    assert detect(glossary, text) == ()


def test_a_full_stop_stops_a_form(glossary):
    assert "landfill-gas-power" not in detect(glossary, "landfill gas. power generation")


@pytest.mark.parametrize("text, expected", [
    ("Mê-tan", ("me", "tan")),
    ("me tan", ("me", "tan")),
    ("ĐIỆN rác", ("dien", "rac")),
    ("ＣＯ₂回収", ("co2", "回", "収")),
    ("ﾒﾀﾝ", ("メ", "タ", "ン")),
])
def test_tokens_fold_width_case_diacritics_and_joiners(text, expected):
    assert tokens(text) == expected


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("entries, problem", [
    ([entry("a", vi=[])], "a: no vi form"),
    ([entry("a", category="space-travel")], "a: unknown category 'space-travel'"),
    ([entry("a", broader=["b"])], "a: broader concept 'b' does not exist"),
    ([entry("a", broader=["a"])], "a: a concept cannot be broader than itself"),
    ([entry("a"), entry("a")], "a: given twice"),
    ([entry("a", en=["Mê-tan"]), entry("b", en=["ME TAN"])], "b and a share the form 'ME TAN'"),
    ([entry("a", ja=["ﾒﾀﾝ"]), entry("b", ja=["メタン"])], "b and a share the form 'メタン'"),
    ([entry("a", en=["..."])], "a: the form '...' has no letters"),
    ([{"en": ["x"]}], "entry 1: no key"),
])
def test_invalid_glossaries_are_refused_with_the_reason(entries, problem):
    with pytest.raises(GlossaryError) as raised:
        build_glossary(entries, CATEGORIES)
    assert problem in raised.value.problems


def test_a_cycle_of_broader_links_is_refused():
    with pytest.raises(GlossaryError) as raised:
        build_glossary([entry("a", broader=["c"]), entry("b", broader=["a"]), entry("c", broader=["b"])], CATEGORIES)
    assert any("lead back to it" in p for p in raised.value.problems)


def test_version_follows_the_content():
    one = build_glossary([entry("a"), entry("b", broader=["a"])], CATEGORIES)
    same = build_glossary(json.loads(json.dumps(one.entries())), CATEGORIES)
    changed = build_glossary([entry("a"), entry("b", en=["bee"], broader=["a"])], CATEGORIES)
    assert one.version == same.version != changed.version
    assert same.entries() == one.entries()


@pytest.mark.parametrize("text, key", [
    ("ごみの掘り起こしや焼却は行わないため、住民の理解を得やすい", "incineration"),  # the demo's LFG offer
    ("Công nghệ của chúng tôi không cần đốt rác", "incineration"),
    ("khong can dot rac", "incineration"),
    ("Sludge drying without incineration", "incineration"),
])
def test_a_concept_the_text_says_it_does_not_do_is_not_found(glossary, text, key):
    assert key in detect(glossary, text.replace("は行わない", "").replace("không cần ", "").replace("khong can ", "")
                         .replace("without ", ""))
    assert key not in detect(glossary, text)


@pytest.mark.parametrize("text, key", [
    ("当工業団地には排水処理設備がない", "wastewater-treatment"),
    ("Chúng tôi chưa có hệ thống xử lý nước thải", "wastewater-treatment"),
    ("ô nhiễm không khí do đốt rác", "incineration"),
])
def test_lacking_something_is_what_a_need_asks_for_not_a_negation(glossary, text, key):
    assert key in detect(glossary, text)


@pytest.mark.parametrize("older, newer", [
    ("điều hoà không khí", "điều hòa không khí"),  # older tone placement
    ("thuỷ điện nhỏ", "thủy điện nhỏ"),
    ("chuyển hoá", "chuyển hóa"),
    ("kĩ thuật", "kỹ thuật"),  # final i or y
    ("quản lí chất thải", "quản lý chất thải"),
])
def test_two_vietnamese_spellings_of_a_word_are_one_token(glossary, older, newer):
    assert written_tokens(older) == written_tokens(newer)
    assert detect(glossary, older) == detect(glossary, newer)


@pytest.mark.parametrize("word", ["hoàng", "toán", "quý", "quỳ", "ngoài", "y"])
def test_other_syllables_keep_their_spelling(word):
    assert written_tokens(word)[1] == (word,)


def test_detection_rules_are_part_of_the_glossary_version():
    from matchmaker.core.concepts import surface
    from matchmaker.core.concepts.glossary import build_glossary

    entries = [{"key": "x", "en": ["x"], "ja": ["エックス"], "vi": ["ích"], "broader": [], "category": "water"}]
    before = build_glossary(entries, ["water"]).version
    surface.RULES += 1
    try:
        assert build_glossary(entries, ["water"]).version != before
    finally:
        surface.RULES -= 1


def test_a_drone_is_not_a_loan(glossary):
    # Japanese forms match inside words: ローン (loan) was found inside ドローン (drone)
    assert "loan" not in detect(glossary, "ドローンで海岸の漂着ごみを調査します")
    assert "loan" in detect(glossary, "設備導入のための融資を受けたい")

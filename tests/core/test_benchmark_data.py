"""The matching benchmark's evaluation files: well formed, so a figure printed from them means what it says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from matchmaker.services.categories import DEFAULT_CATEGORIES

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
CATEGORIES = {key for key, *_ in DEFAULT_CATEGORIES}
# A letter only Vietnamese writes (a vowel with a hook, horn, breve or tone mark, or đ): a text without
# one is Vietnamese typed without diacritics, which the sets do not mean to test.
VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", re.IGNORECASE)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SCRIPT = {"vi": VIETNAMESE, "ja": JAPANESE}
BLIND = {"matching_blind_vj.json": ("vi", "ja"), "matching_blind_jv.json": ("ja", "vi"),
         "matching_blind2_vj.json": ("vi", "ja"), "matching_blind2_jv.json": ("ja", "vi")}


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(BLIND))
def test_blind_sets_are_well_formed(name):
    data = _load(name)
    need_lang, offer_lang = BLIND[name]
    pairs, distractors = data["pairs"], data["distractors"]
    ids = [p["id"] for p in pairs] + [d["id"] for d in distractors]
    assert len(pairs) >= 60 and len(distractors) >= 15
    assert len(ids) == len(set(ids)), "ids repeat"
    pair_ids = {p["id"] for p in pairs}
    for p in pairs:
        assert 1 <= len(p["categories"]) <= 2 and set(p["categories"]) <= CATEGORIES, p["id"]
        assert set(p.get("near_miss", [])) <= pair_ids - {p["id"]}, p["id"]
        assert SCRIPT[need_lang].search(p["need"][need_lang]), p["id"]
        assert SCRIPT[offer_lang].search(p["offer"][offer_lang]), p["id"]
        assert p["need"]["en"].strip() and p["offer"]["en"].strip(), p["id"]
        assert not JAPANESE.search(p["need"]["en"] + p["offer"]["en"]), p["id"]
    for d in distractors:
        assert set(d["categories"]) <= CATEGORIES and SCRIPT[offer_lang].search(d[offer_lang]) and d["en"].strip(), d["id"]
    # every category of the plan is asked for at least twice, so no area goes untested
    assert all(sum(key in p["categories"] for p in pairs) >= 2 for key in CATEGORIES)


def test_blind_sets_share_no_text_with_the_earlier_sets():
    """Each blind set shares no text with any set written before it (the second with the first too)."""
    def texts(name):
        return {text for p in _load(name)["pairs"] for side in ("need", "offer") for text in p[side].values()}

    earlier = texts("matching_eval.json") | texts("matching_eval_jv.json")
    for name in ("matching_blind_vj.json", "matching_blind_jv.json", "matching_blind2_vj.json", "matching_blind2_jv.json"):
        assert not earlier & texts(name), name
        earlier |= texts(name)

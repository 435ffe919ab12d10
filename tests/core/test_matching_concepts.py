"""The concept term of the item score and the shared concepts of suggestions (pure, no app)."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.core.concepts import build_glossary
from matchmaker.core.matching import Pool, Weights, item_scores, suggest
from tests.core.test_matching import reference_pair_scores

CONCEPTS_ONLY = Weights(similarity=0.0, category=0.0, cross_border=0.0, hubness="none", language_balance=False,
                        concept=1.0, concept_decay=0.5)


def entry(key, broader=()):
    return {"key": key, "category": "waste-to-energy", "en": [key.replace("-", " ")], "ja": [f"{key}語"],
            "vi": [f"{key} tieng viet"], "broader": list(broader)}


@pytest.fixture(scope="module")
def glossary():
    """waste-to-energy ← methane-capture ← landfill-gas ← landfill-gas-power; hydrogen apart."""
    return build_glossary([
        entry("waste-to-energy"), entry("methane-capture", ["waste-to-energy"]), entry("landfill-gas", ["methane-capture"]),
        entry("landfill-gas-power", ["landfill-gas"]), entry("incineration", ["waste-to-energy"]), entry("hydrogen"),
    ], ["waste-to-energy"])


def scores(glossary, need_concepts, offer_concepts, weights=CONCEPTS_ONLY):
    dim = 4
    needs = np.tile(np.eye(dim, dtype=np.float32)[0], (len(need_concepts), 1))
    offers = np.tile(np.eye(dim, dtype=np.float32)[0], (len(offer_concepts), 1))
    return item_scores(needs, offers, weights=weights, need_concepts=need_concepts, offer_concepts=offer_concepts,
                       glossary=glossary)


def test_the_term_is_the_cosine_of_idf_weighted_concept_vectors(glossary):
    got = scores(glossary, [("landfill-gas-power",)], [("landfill-gas",), ("hydrogen",)])
    # closures: need {lgp: 1, lg: .5, mc: .25, wte: .125}; offer 0 {lg: 1, mc: .5, wte: .25}; offer 1 {h2: 1}
    # df over the three tagged items: lgp 1, lg 2, mc 2, wte 2, hydrogen 1 -> idf = log(1 + 3/df)
    idf = {k: np.log1p(3 / df) for k, df in {"lgp": 1, "lg": 2, "mc": 2, "wte": 2}.items()}
    need = np.array([1 * idf["lgp"], 0.5 * idf["lg"], 0.25 * idf["mc"], 0.125 * idf["wte"]])
    offer = np.array([0.0, 1 * idf["lg"], 0.5 * idf["mc"], 0.25 * idf["wte"]])
    expected = need @ offer / np.linalg.norm(need) / np.linalg.norm(offer)
    np.testing.assert_allclose(got[0], [expected, 0.0], rtol=1e-5)


def test_same_concepts_score_one_and_broader_links_give_partial_credit(glossary):
    got = scores(glossary, [("landfill-gas",)], [("landfill-gas",), ("landfill-gas-power",), ("incineration",), ("hydrogen",), ()])[0]
    assert got[0] == pytest.approx(1.0, abs=1e-6)
    assert got[0] > got[1] > got[2] > got[3] == got[4] == 0.0  # narrower, then a sibling under waste-to-energy


def test_a_rare_concept_counts_more_than_a_common_one(glossary):
    # every offer mentions incineration; only one mentions hydrogen
    offers = [("incineration",)] * 5 + [("hydrogen",)]
    got = scores(glossary, [("incineration", "hydrogen")], offers)[0]
    assert got[5] > got[0]


def test_without_concepts_or_weight_the_score_is_unchanged(glossary):
    rng = np.random.default_rng(3)
    needs, offers = rng.standard_normal((4, 8)).astype(np.float32), rng.standard_normal((5, 8)).astype(np.float32)
    needs /= np.linalg.norm(needs, axis=1, keepdims=True)
    offers /= np.linalg.norm(offers, axis=1, keepdims=True)
    plain = item_scores(needs, offers, weights=Weights())
    tagged = {"need_concepts": [("hydrogen",)] * 4, "offer_concepts": [("hydrogen",)] * 5, "glossary": glossary}
    np.testing.assert_array_equal(item_scores(needs, offers, weights=Weights(concept=0.0), **tagged), plain)
    np.testing.assert_array_equal(item_scores(needs, offers, weights=Weights(), need_concepts=tagged["need_concepts"]), plain)
    np.testing.assert_allclose(item_scores(needs, offers, weights=Weights(), **tagged), plain + Weights().concept, atol=1e-6)


def concept_pool(n_companies: int, seed: int, glossary) -> Pool:
    rng = np.random.default_rng(seed)
    company = np.repeat(np.arange(n_companies), rng.integers(0, 6, n_companies))
    vectors = rng.standard_normal((len(company), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = list(glossary.concepts)
    concepts = tuple(tuple(rng.choice(keys, rng.integers(0, 3), replace=False)) for _ in company)
    return Pool(company, rng.random(len(company)) < 0.5, vectors, rng.random((len(company), 5)) < 0.3,
                rng.choice(["JP", "VN", "TH"], n_companies), tuple(frozenset({"en"}) for _ in range(n_companies)),
                item_language=rng.choice(["ja", "vi", "en"], len(company)), item_concepts=concepts, glossary=glossary)


def test_blocked_suggestions_with_concepts_equal_the_definition(glossary):
    pool = concept_pool(40, 5, glossary)
    weights = Weights(concept=0.05)
    raw = reference_pair_scores(pool, weights)
    for size in (4, 4096):
        found = suggest(pool, weights, top_k=5, block_size=size)
        for company, lists in found.items():
            expected = [int(p) for p in np.argsort(-raw[company], kind="stable")[:5] if np.isfinite(raw[company, p])]
            assert [s.partner for s in lists] == expected
            np.testing.assert_allclose([s.score for s in lists], weights.bar(raw[company, expected]), atol=1e-5)


def test_suggestions_name_the_shared_concepts_best_first(glossary):
    vector = np.eye(4, dtype=np.float32)[0]
    pool = Pool(
        item_company=[0, 1, 1, 2], item_is_need=[True, False, False, False], vectors=[vector] * 4,
        item_categories=np.zeros((4, 1), bool), company_country=["VN", "JP", "JP"],
        company_languages=(frozenset({"vi"}), frozenset({"ja"}), frozenset({"ja"})),
        item_concepts=(("landfill-gas-power", "hydrogen"), ("landfill-gas-power",), ("hydrogen", "incineration"), ()),
        glossary=glossary,
    )
    found = suggest(pool, Weights(), top_k=2)[0]
    assert found[0].partner == 1
    # landfill gas power (shared exactly) is named; its broader concepts are not; hydrogen comes from the second reason
    assert found[0].shared_concepts == ("landfill-gas-power", "hydrogen")
    assert found[1].partner == 2 and found[1].shared_concepts == ()


def test_a_broader_concept_one_side_was_tagged_with_is_named_alone(glossary):
    vector = np.eye(4, dtype=np.float32)[0]
    pool = Pool(
        item_company=[0, 1], item_is_need=[True, False], vectors=[vector] * 2, item_categories=np.zeros((2, 1), bool),
        company_country=["VN", "JP"], company_languages=(frozenset({"vi"}), frozenset({"ja"})),
        item_concepts=(("landfill-gas",), ("landfill-gas-power",)), glossary=glossary,
    )
    assert suggest(pool, Weights(), top_k=1)[0][0].shared_concepts == ("landfill-gas",)


def test_item_concepts_must_have_one_entry_per_item(glossary):
    with pytest.raises(ValueError, match="item_concepts must have 1 entries"):
        Pool([0], [True], [[1.0, 0.0]], np.zeros((1, 1), bool), ["JP"], (frozenset(),), item_concepts=((), ()))


def test_concept_decay_must_lie_in_0_1():
    with pytest.raises(ValueError, match="concept_decay"):
        Weights(concept_decay=1.5)


@pytest.mark.parametrize("dense", [0, 1, 3])
def test_the_sparse_part_of_the_concept_term_changes_no_score(glossary, monkeypatch, dense):
    """Concepts beyond the dense columns are added as a sparse product, tile by tile and in the
    explanations: the scores and suggestions are those of all-dense rows."""
    from matchmaker.core.matching import concepts as concept_module

    pool = concept_pool(40, 6, glossary)
    weights = Weights(concept=0.05)
    all_dense = suggest(pool, weights, top_k=5, block_size=7)
    needs, offers = np.flatnonzero(pool.item_is_need), np.flatnonzero(~pool.item_is_need)
    tagged = {"need_concepts": [pool.item_concepts[i] for i in needs], "glossary": glossary,
              "offer_concepts": [pool.item_concepts[i] for i in offers]}
    dense_scores = item_scores(pool.vectors[needs], pool.vectors[offers], weights=weights, **tagged)
    monkeypatch.setattr(concept_module, "DENSE_COLUMNS", dense)
    np.testing.assert_allclose(item_scores(pool.vectors[needs], pool.vectors[offers], weights=weights, **tagged),
                               dense_scores, atol=1e-6)
    split = suggest(pool, weights, top_k=5, block_size=7)
    for company in all_dense:
        assert [s.partner for s in split[company]] == [s.partner for s in all_dense[company]]
        np.testing.assert_allclose([s.score for s in split[company]], [s.score for s in all_dense[company]], atol=1e-6)
        assert [s.shared_concepts for s in split[company]] == [s.shared_concepts for s in all_dense[company]]
    assert raw_equals_definition(pool, weights)


def raw_equals_definition(pool, weights) -> bool:
    raw = reference_pair_scores(pool, weights)
    found = suggest(pool, weights, top_k=5, block_size=5)
    for company, lists in found.items():
        expected = [int(p) for p in np.argsort(-raw[company], kind="stable")[:5] if np.isfinite(raw[company, p])]
        if [s.partner for s in lists] != expected:
            return False
    return True

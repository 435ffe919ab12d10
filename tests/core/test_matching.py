"""Partner matching (pure, no app, no model): hand-made vectors with known answers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from matchmaker.core.matching import Pool, Weights, hub_stats, item_scores, pair_scores_above, suggest
from matchmaker.core.matching.topk import RunningTopK

TEXT_ONLY = Weights(category=0.0, cross_border=0.0)
DIM = 8


def unit(*pairs: tuple[int, float]) -> np.ndarray:
    """A unit vector from (axis, weight) pairs, e.g. unit((0, 0.6), (5, 0.8))."""
    vector = np.zeros(DIM)
    for axis, weight in pairs:
        vector[axis] += weight
    return vector / np.linalg.norm(vector)


@pytest.fixture
def make_pool():
    """Factory: ``make_pool([(company, "need"|"offer", vector, {categories}), ...], countries=..., languages=...)``."""

    def make(items, *, countries=None, languages=None, n_categories=4):
        n_companies = 1 + max((company for company, *_ in items), default=-1)
        if countries is not None:
            n_companies = max(n_companies, len(countries))
        countries = countries or ["JP"] * n_companies
        languages = languages or [{"en"}] * n_companies
        categories = np.zeros((len(items), n_categories), dtype=bool)
        for row, item in enumerate(items):
            categories[row, list(item[3] if len(item) > 3 else ())] = True
        return Pool(
            item_company=np.array([item[0] for item in items], dtype=np.int64),
            item_is_need=np.array([item[1] == "need" for item in items], dtype=bool),
            vectors=np.array([item[2] for item in items], dtype=np.float32).reshape(len(items), DIM),
            item_categories=categories,
            company_country=np.array(countries, dtype=object),
            company_languages=tuple(frozenset(langs) for langs in languages),
        )

    return make


def random_pool(n_companies: int, seed: int, dim: int = 16) -> Pool:
    """Companies with 0-7 items each, random kinds, vectors, categories, countries, languages."""
    rng = np.random.default_rng(seed)
    company = np.repeat(np.arange(n_companies), rng.integers(0, 8, n_companies))
    vectors = rng.standard_normal((len(company), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    languages = [set(rng.choice(["ja", "vi", "en"], rng.integers(0, 3), replace=False)) for _ in range(n_companies)]
    return Pool(
        company, rng.random(len(company)) < 0.5, vectors, rng.random((len(company), 5)) < 0.3,
        rng.choice(["JP", "VN", "TH"], n_companies), tuple(frozenset(x) for x in languages),
        item_language=rng.choice(["ja", "vi", "en"], len(company)),
    )


def partners(found, company):
    return [s.partner for s in found[company]]


def reference_pair_scores(pool: Pool, weights: Weights) -> np.ndarray:
    """raw(A, B) straight from the definition, with loops: max over both directions' item pairs."""
    needs, offers = np.flatnonzero(pool.item_is_need), np.flatnonzero(~pool.item_is_need)
    cats, langs, concepts = pool.item_categories, pool.item_language, pool.item_concepts
    tagged = {} if concepts is None else {"need_concepts": [concepts[i] for i in needs], "glossary": pool.glossary,
                                          "offer_concepts": [concepts[i] for i in offers]}
    items = item_scores(pool.vectors[needs], pool.vectors[offers], cats[needs], cats[offers], weights, langs[needs], langs[offers],
                        **tagged)
    raw = np.full((pool.n_companies,) * 2, -np.inf)
    for row, i in enumerate(needs):
        for col, j in enumerate(offers):
            a, b = pool.item_company[i], pool.item_company[j]
            border = weights.cross_border * ({pool.company_country[a], pool.company_country[b]} == {"JP", "VN"})
            raw[a, b] = max(raw[a, b], items[row, col] + border)
    raw = np.maximum(raw, raw.T)
    np.fill_diagonal(raw, -np.inf)
    return raw


# --------------------------------------------------------------------------- ranking


def test_best_partner_comes_first(make_pool):
    pool = make_pool([
        (0, "need", unit((0, 1.0))),
        (1, "offer", unit((0, 0.9), (1, 0.1))),
        (2, "offer", unit((0, 0.5), (2, 0.5))),
        (3, "offer", unit((3, 1.0))),
    ])
    found = suggest(pool, TEXT_ONLY)
    assert partners(found, 0) == [1, 2, 3]
    assert [s.score for s in found[0]] == sorted((s.score for s in found[0]), reverse=True)


def hub_pool(make_pool):
    """Needs 0-3 along axes 0-3; company 4+i offers a weak but specific match to need i; company
    8 offers a hub that is a little closer to every need than any specific offer."""
    items = [(i, "need", unit((i, 1.0))) for i in range(4)]
    items += [(4 + i, "offer", unit((i, 0.45), (4, np.sqrt(1 - 0.45**2)))) for i in range(4)]
    items += [(8, "offer", unit((0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0)))]
    return make_pool(items)


def test_hubness_correction_demotes_a_hub_offer(make_pool):
    pool = hub_pool(make_pool)
    raw = suggest(pool, Weights(category=0.0, cross_border=0.0, hubness="none"), top_k=1)
    corrected = suggest(pool, TEXT_ONLY, top_k=1)
    assert [partners(raw, i) for i in range(4)] == [[8]] * 4
    assert [partners(corrected, i) for i in range(4)] == [[4], [5], [6], [7]]


def test_item_scores_apply_the_same_correction(make_pool):
    pool = hub_pool(make_pool)
    needs, offers = pool.vectors[:4], pool.vectors[4:]
    plain = item_scores(needs, offers, weights=Weights(category=0.0, hubness="none"))
    corrected = item_scores(needs, offers, weights=Weights(category=0.0))
    assert plain.argmax(axis=1).tolist() == [4, 4, 4, 4]
    assert corrected.argmax(axis=1).tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(plain, needs @ offers.T, atol=1e-6)


def test_category_overlap_breaks_a_tie(make_pool):
    same_text = unit((0, 0.8), (1, 0.6))
    pool = make_pool([
        (0, "need", unit((0, 1.0)), {2}),
        (1, "offer", same_text, {1}),
        (2, "offer", same_text, {2, 3}),
    ])
    assert partners(suggest(pool, Weights(category=0.0, cross_border=0.0)), 0) == [1, 2]  # tie: by index
    found = suggest(pool, Weights(cross_border=0.0))
    assert partners(found, 0) == [2, 1]
    assert found[0][0].score > found[0][1].score
    assert found[0][0].shared_categories == (2,)
    assert found[0][1].shared_categories == ()


def test_cross_border_bonus_prefers_a_japan_vietnam_pair(make_pool):
    same_text = unit((0, 0.8), (1, 0.6))
    items = [(0, "need", unit((0, 1.0))), (1, "offer", same_text), (2, "offer", same_text)]
    pool = make_pool(items, countries=["JP", "TH", "VN"])
    assert partners(suggest(pool, Weights(cross_border=0.0)), 0) == [1, 2]
    assert partners(suggest(pool, Weights()), 0) == [2, 1]
    swapped = make_pool(items, countries=["VN", "JP", "TH"])
    assert partners(suggest(swapped, Weights()), 0) == [1, 2]


def test_a_company_with_only_offers_or_only_needs_gets_suggestions(make_pool):
    pool = make_pool([
        (0, "offer", unit((0, 1.0))),
        (1, "need", unit((0, 0.9), (1, 0.1))),
        (2, "need", unit((2, 1.0))),
        (3, "offer", unit((3, 1.0))),
    ])
    found = suggest(pool, TEXT_ONLY)
    assert partners(found, 0) == [1, 2]
    assert partners(found, 1) == [0, 3]
    assert found[0][0].reasons[0].need_item == 1 and found[0][0].reasons[0].offer_item == 0


def test_companies_without_a_possible_pair_get_empty_lists(make_pool):
    pool = make_pool([(0, "offer", unit((0, 1.0))), (1, "offer", unit((0, 1.0)))], countries=["JP", "VN", "VN"])
    assert suggest(pool) == {0: [], 1: [], 2: []}
    assert pair_scores_above(pool, threshold=0.0) == []


# --------------------------------------------------------------------------- exclusions and pins


def test_excluded_pairs_and_the_same_company_are_never_suggested(make_pool):
    pool = make_pool([
        (0, "need", unit((0, 1.0))),
        (0, "offer", unit((0, 1.0))),  # its own perfect match
        (1, "offer", unit((0, 0.95), (1, 0.05))),
        (2, "offer", unit((0, 0.7), (2, 0.3))),
        (3, "need", unit((0, 0.8), (3, 0.2))),
    ])
    found = suggest(pool, TEXT_ONLY, exclude=[(1, 0)])
    assert partners(found, 0) == [3, 2]
    assert 0 not in partners(found, 1)
    everything = pair_scores_above(pool, TEXT_ONLY, 0.0, exclude=[(0, 1)])
    pairs = {(s.company, s.partner) for s in everything}
    assert (0, 1) not in pairs and all(a < b for a, b in pairs)
    assert pairs == {(0, 2), (0, 3), (1, 3), (2, 3)}


def test_pins_come_first_on_both_sides_even_when_excluded(make_pool):
    pool = make_pool([
        (0, "need", unit((0, 1.0))),
        (1, "offer", unit((0, 1.0))),
        (2, "offer", unit((2, 1.0))),
        (3, "offer", unit((3, 1.0))),
    ])
    found = suggest(pool, TEXT_ONLY, top_k=1, pins=[(3, 0)], exclude=[(0, 3)])
    assert [(s.partner, s.pinned) for s in found[0]] == [(3, True), (1, False)]
    assert [(s.partner, s.pinned) for s in found[3]] == [(0, True)]
    listed = pair_scores_above(pool, TEXT_ONLY, 0.99, pins=[(3, 0)])
    assert [(s.company, s.partner, s.pinned) for s in listed] == [(0, 1, False), (0, 3, True)]


@pytest.mark.parametrize("kwargs", [
    {"pins": [(1, 1)]},
    {"exclude": [(0, 9)]},
    {"companies": [5]},
    {"top_k": -1},
])
def test_malformed_requests_are_refused(make_pool, kwargs):
    pool = make_pool([(0, "need", unit((0, 1.0))), (1, "offer", unit((0, 1.0)))])
    with pytest.raises(ValueError):
        suggest(pool, **kwargs)


def test_malformed_pools_are_refused(make_pool):
    good = make_pool([(0, "need", unit((0, 1.0))), (1, "offer", unit((0, 1.0)))])
    with pytest.raises(ValueError, match="item_language"):
        Pool(good.item_company, good.item_is_need, good.vectors, good.item_categories,
             good.company_country, good.company_languages, item_language=["ja"])
    pool = make_pool([(0, "need", unit((0, 1.0))), (1, "offer", unit((0, 1.0)))])
    with pytest.raises(ValueError, match="vectors"):
        Pool(pool.item_company, pool.item_is_need, pool.vectors[:1], pool.item_categories,
             pool.company_country, pool.company_languages)
    with pytest.raises(ValueError, match="item_company"):
        Pool(pool.item_company + 5, pool.item_is_need, pool.vectors, pool.item_categories,
             pool.company_country, pool.company_languages)
    with pytest.raises(ValueError, match="hubness"):
        Weights(hubness="mean")


# --------------------------------------------------------------------------- explanations


def test_reasons_point_at_the_driving_items_best_first(make_pool):
    pool = make_pool([
        (1, "offer", unit((0, 0.6), (5, 0.8))),  # item 0
        (0, "need", unit((0, 1.0))),  # item 1
        (1, "offer", unit((1, 0.9), (5, 0.1))),  # item 2
        (0, "need", unit((1, 1.0))),  # item 3
        (0, "offer", unit((7, 1.0))),  # item 4
        (1, "need", unit((7, 0.5), (6, 0.5))),  # item 5
    ])
    (suggestion,) = suggest(pool, Weights(hubness="none", category=0.0, cross_border=0.0))[0]
    got = [(r.need_item, r.offer_item, round(r.similarity, 4)) for r in suggestion.reasons]
    assert got == [(3, 2, 0.9939), (5, 4, 0.7071), (1, 0, 0.6)]
    assert [r.score for r in suggestion.reasons] == sorted((r.score for r in suggestion.reasons), reverse=True)
    assert suggestion.score == pytest.approx(Weights(hubness="none", category=0.0).bar(suggestion.reasons[0].score))


@pytest.mark.parametrize("mine, theirs, needed", [
    ({"ja"}, {"vi"}, True),
    ({"ja", "en"}, {"vi", "en"}, False),
    (set(), {"vi"}, True),
])
def test_interpreter_needed_when_no_common_language(make_pool, mine, theirs, needed):
    pool = make_pool([(0, "need", unit((0, 1.0))), (1, "offer", unit((0, 1.0)))], languages=[mine, theirs])
    assert suggest(pool)[0][0].interpreter_needed is needed


def test_scores_lie_in_0_1_and_follow_the_raw_score():
    pool = random_pool(40, seed=3)
    found = suggest(pool, top_k=40)
    scores = [s.score for lst in found.values() for s in lst]
    assert scores and all(0.0 <= x <= 1.0 for x in scores)
    bars = Weights().bar(np.linspace(-1, 1, 201))
    assert np.all(np.diff(bars) >= 0) and bars[0] >= 0 and bars[-1] <= 1
    assert Weights().raw_from_bar(float(Weights().bar(0.02))) == pytest.approx(0.02)


# --------------------------------------------------------------------------- languages


def language_pool(n_topics: int = 12) -> Pool:
    """Vietnamese needs, their answers written in Japanese, and Vietnamese offers on other topics.

    Every text carries a strong component of its language (axis 0 for Vietnamese, 1 for
    Japanese) and a weaker one of its topic, as multilingual encoders do: need k (company k)
    is about topic k; the Japanese offer of company n_topics + k answers it; the Vietnamese
    offer of company 2 n_topics + k is about topic n_topics + k, which nobody needs.
    """
    dim = 2 + 2 * n_topics

    def text(language_axis: int, topic: int) -> np.ndarray:
        vector = np.zeros(dim)
        vector[language_axis], vector[2 + topic] = 0.8, 0.6
        return vector

    vectors = [text(0, k) for k in range(n_topics)]
    vectors += [text(1, k) for k in range(n_topics)]
    vectors += [text(0, n_topics + k) for k in range(n_topics)]
    n = len(vectors)
    return Pool(
        item_company=np.arange(n), item_is_need=np.arange(n) < n_topics, vectors=np.array(vectors),
        item_categories=np.zeros((n, 1), dtype=bool), company_country=np.array(["VN"] * n, dtype=object),
        company_languages=tuple(frozenset({"vi", "ja"}) for _ in range(n)),
        item_language=["vi"] * n_topics + ["ja"] * n_topics + ["vi"] * n_topics,
    )


def test_language_balance_lets_the_answer_in_another_language_win():
    pool, n_topics = language_pool(), 12
    plain = suggest(pool, Weights(hubness="none", language_balance=False), top_k=1, companies=range(n_topics))
    # the raw cosine prefers any Vietnamese text (0.64) to the Japanese answer (0.36)
    assert all(partners(plain, k)[0] >= 2 * n_topics for k in range(n_topics))
    for weights in (Weights(hubness="none"), Weights()):
        found = suggest(pool, weights, top_k=1, companies=range(n_topics))
        assert all(partners(found, k) == [n_topics + k] for k in range(n_topics))
    balanced = found
    reason = balanced[0][0].reasons[0]
    assert (reason.need_item, reason.offer_item) == (0, n_topics)
    assert reason.similarity == pytest.approx(0.36, abs=1e-6)  # reasons show the raw cosine


def test_language_balance_needs_languages_on_both_sides():
    pool = language_pool()
    needs, offers = np.flatnonzero(pool.item_is_need), np.flatnonzero(~pool.item_is_need)
    vectors, langs = pool.vectors, np.asarray(pool.item_language)
    plain = item_scores(vectors[needs], vectors[offers], weights=TEXT_ONLY)
    one_side = item_scores(vectors[needs], vectors[offers], weights=TEXT_ONLY, need_languages=langs[needs])
    off = item_scores(vectors[needs], vectors[offers], weights=Weights(category=0.0, cross_border=0.0, language_balance=False),
                      need_languages=langs[needs], offer_languages=langs[offers])
    np.testing.assert_array_equal(plain, one_side)
    np.testing.assert_array_equal(plain, off)


def test_a_lone_text_in_its_language_is_not_centred_on_itself():
    from matchmaker.core.matching.items import LANGUAGE_PRIOR, language_centred

    vectors = np.array([unit((0, 1.0)), unit((1, 1.0)), unit((1, 0.6), (2, 0.8))], dtype=np.float32)
    centred = language_centred(vectors, ["en", "vi", "vi"])
    side_mean = vectors.mean(axis=0)
    expected_en_mean = (vectors[0] + LANGUAGE_PRIOR * side_mean) / (1 + LANGUAGE_PRIOR)
    np.testing.assert_allclose(centred[0], vectors[0] - expected_en_mean, atol=1e-6)
    assert np.linalg.norm(centred[0]) > 0.5
    with pytest.raises(ValueError, match="one entry per item"):
        language_centred(vectors, ["en"])


# --------------------------------------------------------------------------- the blocked computation


@pytest.mark.parametrize("seed", [0, 1])
def test_blocked_computation_equals_the_definition(seed):
    pool = random_pool(45, seed)
    weights = Weights()
    raw = reference_pair_scores(pool, weights)
    results = [suggest(pool, weights, top_k=6, block_size=size) for size in (1, 5, 23, 4096)]
    for company in range(pool.n_companies):
        row = raw[company]
        expected = [int(p) for p in np.argsort(-row, kind="stable")[:6] if np.isfinite(row[p])]
        for found in results:
            assert partners(found, company) == expected
            np.testing.assert_allclose([s.score for s in found[company]], weights.bar(row[expected]), atol=1e-5)
        assert all(found[company] == results[0][company] for found in results)


def test_pairs_above_a_threshold_equal_the_definition_whatever_the_blocks():
    pool = random_pool(45, seed=2)
    raw = reference_pair_scores(pool, Weights())
    low, high = np.triu_indices(pool.n_companies, 1)
    keep = Weights().bar(raw[low, high]) >= 0.6
    expected = set(zip(low[keep].tolist(), high[keep].tolist()))
    for size in (3, 4096):
        found = pair_scores_above(pool, Weights(), 0.6, block_size=size)
        assert {(s.company, s.partner) for s in found} == expected
        assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_suggestions_for_some_companies_equal_those_for_all():
    pool = random_pool(30, seed=4)
    everyone = suggest(pool, top_k=5, exclude=[(0, 1), (2, 7)], pins=[(3, 4)])
    some = suggest(pool, top_k=5, exclude=[(0, 1), (2, 7)], pins=[(3, 4)], companies=[0, 3, 7], block_size=7)
    assert set(some) == {0, 3, 7}
    for company in some:
        assert [s.partner for s in some[company]] == [s.partner for s in everyone[company]]


def test_hub_stats_equal_a_full_sort():
    rng = np.random.default_rng(5)
    needs, offers = rng.standard_normal((37, 6)).astype(np.float32), rng.standard_normal((29, 6)).astype(np.float32)
    sims = needs @ offers.T
    for k, size in [(4, 5), (4, 4096), (40, 7)]:
        near_offers, near_needs = hub_stats(needs, offers, k, block_size=size)
        np.testing.assert_allclose(near_offers, np.sort(sims, axis=1)[:, -min(k, 29):].mean(axis=1), atol=1e-6)
        np.testing.assert_allclose(near_needs, np.sort(sims, axis=0)[-min(k, 37):].mean(axis=0), atol=1e-6)


def test_running_top_k_keeps_the_largest_values_and_their_ids():
    rng = np.random.default_rng(6)
    values = rng.standard_normal((50, 300)).astype(np.float32)
    values[values < -1.5] = -np.inf
    top = RunningTopK(50, 7)
    for start in range(0, 300, 40):
        block = np.ascontiguousarray(values[:, start : start + 40])
        top.offer_rows(np.arange(50), np.arange(start, start + block.shape[1]), block)
    np.testing.assert_array_equal(np.sort(top.values, axis=1), np.sort(values, axis=1)[:, -7:])
    np.testing.assert_array_equal(np.take_along_axis(values, top.ids, axis=1), top.values)


def test_importing_matching_loads_no_web_or_model_library():
    code = (
        "import sys, matchmaker.core.matching; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'torch', 'sentence_transformers'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

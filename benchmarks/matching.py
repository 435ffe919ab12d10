"""Benchmark partner matching: cross-lingual retrieval quality, and speed against a bare product.

    python benchmarks/matching.py [--sizes 1000,5000,20000] [--repeat 2] [--skip-quality]
    python benchmarks/matching.py --sizes 50000 --repeat 1 --skip-quality --after-only   # suggest at 50,000 (about 15 minutes on 2 cores)

Quality, on benchmarks/data/matching_eval.json (pairs of one offer in ja/en and one need in
vi/en, each offer the intended answer to its need); mixed pools add
benchmarks/data/matching_distractors.json (offers written in Vietnamese by Vietnamese companies
and needs written in Japanese by Japanese companies, none the answer to an evaluation need). "A→B" means: each text in language A is
a query and ranks every candidate text of the other side in language B; the right answer is
its pair. Needs are encoded as e5 queries, offers as passages, whatever the direction:
VI→JA, VI→EN and EN→EN rank offers for a need; JA→EN ranks needs (in English) for a Japanese
offer, as a Japanese company looking for who needs what it offers. Scores, all from
``matchmaker.core.matching.item_scores``, each text tagged with its language: raw cosine;
hub-corrected (CSLS over the set); hub-corrected + categories + the Japan–Vietnam preference
without language balance; full (default Weights: language balance, CSLS, categories, JP–VN);
full with noisy categories (each side's
categories independently perturbed: with probability 1/4 one of two or more is dropped, with
probability 1/4 a random one is added; mean over 20 seeds) because in the set both sides of
a pair carry the same categories, which real companies tagging separately will not.

Mixed pools, as at the event, where one language's texts crowd together: "VI→JA among VI
offers" ranks, for each Vietnamese need, the Japanese offers of the set together with the
Vietnamese distractor offers (the Japanese distractor needs join the pool, so they count in the
hub terms; the set's needs and the distractor offers come from Vietnamese companies, its
offers and the distractor needs from Japanese ones, so the Japan–Vietnam preference applies
where the weights have it). In the single-language rows that preference is
the same for every candidate and changes nothing; "VI→JA/EN" gives each pair's offer in Japanese or English (alternating), so a
need must find its answer whichever of the two it is written in; "each JA offer also in EN"
adds every Japanese offer's English text as a second version of the same offer (the better of
the two texts counts, as versions do in the product). "and N JA near-miss offers" adds the
distractors' 'offers_ja' when the file has them: Japanese offers that share words or a topic
with offers of the set but are another technology (solvent recovery beside refrigerant
reclamation, hydrogen water beside hydrogen fuel), so words alone do not find the answer.

Concepts (``benchmarks/concept_eval.py``): the concept term before and after, text-only and with
categories, VI→JA and JA→VI among near-miss offers and their English-only twins, with the
concept weight tuned on one half of the pairs and the other half reported apart.

Speed: synthetic pools of N companies with 4 items each (random unit vectors, d=384; exactly
half of the items are needs, assigned at random; 17 categories, each on an item with p=0.12;
countries JP/VN/TH; 0-3 glossary concepts per item, drawn with Zipf-like frequencies, 1/rank).
"bare" is one ``needs @ offers.T`` of the same pool, timed in the same process, alternating
with ``suggest`` (top 10 per company, reasons and all) before (no concepts) and after (with
concepts and the concept term): each suggest() is divided by the mean of the bare products
just before and after it, since the machine is shared and its speed drifts (--repeat rounds
for 20,000 companies, at least 5 below). Peak MB: tracemalloc peak during the call (numpy
buffers included), in a separate round.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.concept_eval import concept_report  # noqa: E402
from matchmaker.core.concepts import DATA_DIR, load_glossary  # noqa: E402
from matchmaker.core.matching import Pool, Weights, item_scores, suggest  # noqa: E402

EVAL = ROOT / "benchmarks" / "data" / "matching_eval.json"
DISTRACTORS = ROOT / "benchmarks" / "data" / "matching_distractors.json"
DIRECTIONS = {  # name: (need language, offer language, the offer is the query)
    "VI→JA": ("vi", "ja", False),
    "VI→EN": ("vi", "en", False),
    "JA→EN": ("en", "ja", True),
    "EN→EN": ("en", "en", False),
}
VARIANTS = {
    "raw cosine": Weights(hubness="none", category=0.0, cross_border=0.0, language_balance=False),
    "hub-corrected (CSLS)": Weights(category=0.0, cross_border=0.0, language_balance=False),
    "CSLS + categories + JP–VN, no language balance": Weights(language_balance=False),
    "full (language balance + CSLS + categories + JP–VN)": Weights(),
}
FULL = "full (language balance + CSLS + categories + JP–VN)"
NOISE_SEEDS = 20
DIM, ITEMS_PER_COMPANY, N_CATEGORIES = 384, 4, 17


# --------------------------------------------------------------------------- quality


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of the diagonal entry in each row (ties counted against it)."""
    return 1 + (scores > np.diag(scores)[:, None]).sum(axis=1)


def retrieval(scores: np.ndarray) -> tuple[float, float, float]:
    """recall@1, recall@3 and MRR when row i's right answer is column i."""
    r = ranks(scores)
    return float((r == 1).mean()), float((r <= 3).mean()), float((1.0 / r).mean())


def noisy(categories: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The categories with one of two or more dropped (p=1/4) and a random one added (p=1/4)."""
    out = categories.copy()
    for row in out:
        on = np.flatnonzero(row)
        if len(on) > 1 and rng.random() < 0.25:
            row[rng.choice(on)] = False
        if rng.random() < 0.25:
            row[rng.integers(len(row))] = True
    return out


def direction_scores(needs, offers, need_cats, offer_cats, weights, offer_is_query, need_lang, offer_lang) -> np.ndarray:
    scores = item_scores(needs, offers, need_cats, offer_cats, weights, [need_lang] * len(needs), [offer_lang] * len(offers))
    return scores.T if offer_is_query else scores


def category_keys(*groups: list[dict]) -> list[str]:
    return sorted({c for group in groups for entry in group for c in entry["categories"]})


def categories_of(entries: list[dict], keys: list[str]) -> np.ndarray:
    """bool (entries, categories): the categories of each entry (both sides of a pair carry the same)."""
    return np.array([[k in e["categories"] for k in keys] for e in entries], dtype=bool).reshape(len(entries), len(keys))


def quality(pairs: list[dict], vectors: dict[str, np.ndarray]) -> tuple[list[str], dict]:
    """Markdown rows (direction, scores, recall@1, recall@3, MRR) and the figures by key."""
    cats = categories_of(pairs, category_keys(pairs))
    rows, figures = [], {}
    for name, (need_lang, offer_lang, offer_is_query) in DIRECTIONS.items():
        needs, offers = vectors[f"need-{need_lang}"], vectors[f"offer-{offer_lang}"]
        langs = (need_lang, offer_lang)
        for label, weights in VARIANTS.items():
            used = cats if weights.category > 0 else None
            figures[name, label] = retrieval(direction_scores(needs, offers, used, used, weights, offer_is_query, *langs))
            rows.append(_row(name, label, figures[name, label]))
        runs = []
        for seed in range(NOISE_SEEDS):
            rng = np.random.default_rng(seed)
            runs.append(retrieval(direction_scores(needs, offers, noisy(cats, rng), noisy(cats, rng), Weights(), offer_is_query, *langs)))
        rows.append(_row(name, f"full, noisy categories (mean of {NOISE_SEEDS})", np.mean(runs, axis=0)))
    return rows, figures


def mixed_quality(pairs: list[dict], distractors: dict, vectors: dict[str, np.ndarray]) -> tuple[list[str], dict]:
    """Rows for the mixed pools (see the module docstring): rank among all offers of the pool."""
    near = distractors.get("offers_ja", [])
    keys = category_keys(pairs, distractors["offers_vi"], distractors["needs_ja"], near)
    cats = categories_of(pairs, keys)
    n = len(pairs)
    n_vi, n_ja = len(distractors["offers_vi"]), len(distractors["needs_ja"])
    pools = {
        f"VI→JA among {n_vi} VI offers": (
            np.vstack([vectors["need-vi"], vectors["distractor-need-ja"]]), ["vi"] * n + ["ja"] * n_ja,
            np.vstack([cats, categories_of(distractors["needs_ja"], keys)]), ["VN"] * n + ["JP"] * n_ja,
            np.vstack([vectors["offer-ja"], vectors["distractor-offer-vi"]]), ["ja"] * n + ["vi"] * n_vi,
            np.vstack([cats, categories_of(distractors["offers_vi"], keys)]), ["JP"] * n + ["VN"] * n_vi,
        ),
    }
    # the same pool where every Japanese offer was also written in English by its company: a
    # candidate offer scores by the better of its two texts (as the product scores versions)
    among = pools[f"VI→JA among {n_vi} VI offers"]
    pools[f"VI→JA among {n_vi} VI offers, each JA offer also in EN"] = (
        *among[:4], np.vstack([among[4], vectors["offer-en"]]), among[5] + ["en"] * n,
        np.vstack([among[6], cats]), among[7] + ["JP"] * n,
    )
    if near:
        pools[f"VI→JA among {n_vi} VI and {len(near)} JA near-miss offers"] = (
            *among[:4], np.vstack([among[4], vectors["distractor-offer-ja"]]), among[5] + ["ja"] * len(near),
            np.vstack([among[6], categories_of(near, keys)]), among[7] + ["JP"] * len(near),
        )
    english = np.arange(n) % 2 == 1
    pools["VI→JA/EN (offers alternate)"] = (
        vectors["need-vi"], ["vi"] * n, cats, ["VN"] * n,
        np.where(english[:, None], vectors["offer-en"], vectors["offer-ja"]), np.where(english, "en", "ja").tolist(),
        cats, ["JP"] * n,
    )
    rows, figures = [], {}
    for name, (needs, need_langs, need_cats, need_countries, offers, offer_langs, offer_cats, offer_countries) in pools.items():
        border = {"need_border": _border(need_countries), "offer_border": _border(offer_countries)}
        candidates = n + n_vi if "also in EN" in name else len(offers)
        for label, weights in VARIANTS.items():
            used = (need_cats, offer_cats) if weights.category > 0 else (None, None)
            scores = item_scores(needs, offers, *used, weights, need_langs, offer_langs, **border)[:n]
            figures[name, label] = retrieval(_best_text(scores, candidates))
            rows.append(_row(name, label, figures[name, label]))
    return rows, figures


def _best_text(scores: np.ndarray, candidates: int) -> np.ndarray:
    """Columns beyond *candidates* are second texts of the first ones (column c + candidates is
    candidate c again): each candidate keeps its better score."""
    best = scores[:, :candidates].copy()
    extra = scores[:, candidates:]
    np.maximum(best[:, : extra.shape[1]], extra, out=best[:, : extra.shape[1]])
    return best


def _border(countries: list[str]) -> np.ndarray:
    """(in Japan, in Vietnam) per text, by its company's country."""
    return np.array([[country == "JP", country == "VN"] for country in countries], dtype=np.float32)


def _row(direction: str, label: str, figures) -> str:
    return f"| {direction} | {label} | " + " | ".join(f"{x:.3f}" for x in figures) + " |"


def encode_eval(pairs: list[dict], distractors: dict) -> tuple[dict[str, np.ndarray], float, int]:
    """Vectors of every text of the set and of the distractors, and the encoding throughput (texts/s)."""
    from matchmaker.embeddings import encode

    encode(["warm-up"], kind="query")
    texts = {f"offer-{lang}": ([p["offer"][lang] for p in pairs], "passage") for lang in ("ja", "en")}
    texts |= {f"need-{lang}": ([p["need"][lang] for p in pairs], "query") for lang in ("vi", "en")}
    texts["distractor-offer-vi"] = ([d["text"] for d in distractors["offers_vi"]], "passage")
    texts["distractor-need-ja"] = ([d["text"] for d in distractors["needs_ja"]], "query")
    if distractors.get("offers_ja"):
        texts["distractor-offer-ja"] = ([d["text"] for d in distractors["offers_ja"]], "passage")
    started = time.perf_counter()
    vectors = {key: encode(batch, kind=kind) for key, (batch, kind) in texts.items()}
    seconds = time.perf_counter() - started
    count = sum(len(batch) for batch, _ in texts.values())
    return vectors, count / seconds, count


# --------------------------------------------------------------------------- speed


def synthetic_pool(n_companies: int, seed: int, concepts: bool = False) -> Pool:
    """The synthetic pool described in the module docstring (with concepts when asked)."""
    rng = np.random.default_rng(seed)
    n_items = n_companies * ITEMS_PER_COMPANY
    vectors = rng.standard_normal((n_items, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    is_need = rng.permutation(np.arange(n_items) < n_items // 2)
    languages = [frozenset(rng.choice(["ja", "vi", "en"], rng.integers(1, 3), replace=False)) for _ in range(n_companies)]
    tagged = {}
    if concepts:
        glossary = load_glossary([path.stem for path in DATA_DIR.glob("*.json")])
        keys = np.array(list(glossary.concepts), dtype=object)
        odds = 1.0 / np.arange(1, len(keys) + 1)
        keys = keys[rng.permutation(len(keys))]
        drawn = [tuple(rng.choice(keys, rng.integers(0, 4), replace=False, p=odds / odds.sum())) for _ in range(n_items)]
        tagged = {"item_concepts": tuple(drawn), "glossary": glossary}
    return Pool(
        np.repeat(np.arange(n_companies), ITEMS_PER_COMPANY), is_need, vectors,
        rng.random((n_items, N_CATEGORIES)) < 0.12, rng.choice(["JP", "VN", "TH"], n_companies), tuple(languages),
        **tagged,
    )


BARE_BLOCK_MB = 1024  # past this, the bare product is taken in row blocks of this size (result dropped block by block)


class Timed(NamedTuple):
    """Wall seconds and this process's CPU seconds (all threads) of one call. On a shared machine
    the CPU time moves far less with the others' load than the wall time: a ratio of CPU times
    compares the work of two calls."""

    wall: float
    cpu: float


def bare_product(pool: Pool) -> Timed:
    """Seconds (wall, CPU) for one needs @ offers.T of the pool (the result is dropped).

    At 50,000 companies the whole product would be 40 GB: it is then computed in blocks of
    needs, each dropped before the next, the same arithmetic in bounded memory.
    """
    needs = np.ascontiguousarray(pool.vectors[pool.item_is_need])
    offers = np.ascontiguousarray(pool.vectors[~pool.item_is_need])
    rows = max(1, int(BARE_BLOCK_MB * 2**20 // (4 * max(1, len(offers)))))
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(needs), rows):
        product = needs[start:start + rows] @ offers.T
        del product
    return Timed(time.perf_counter() - started, time.process_time() - cpu)


def ours(pool: Pool) -> Timed:
    """Seconds (wall, CPU) for suggest() on the whole pool."""
    started, cpu = time.perf_counter(), time.process_time()
    found = suggest(pool, top_k=10)
    timed = Timed(time.perf_counter() - started, time.process_time() - cpu)
    del found
    return timed


def peak_mb(task, pool: Pool) -> float:
    """tracemalloc peak growth (MB) while *task(pool)* runs."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    task(pool)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2**20


def _ratios(times: list[Timed], around: list[tuple[Timed, Timed]], field: str) -> list[float]:
    """Each suggest() against the mean of the bare products just before and just after it."""
    return [getattr(t, field) / ((getattr(a, field) + getattr(b, field)) / 2) for t, (a, b) in zip(times, around)]


def _median(values: list[float]) -> str:
    return f"{float(np.median(values)):.2f}" if values else "–"


def speed_row(n_companies: int, rounds: int, peaks: bool = True, variants: tuple[str, ...] = ("before", "after")) -> str:
    """Markdown row for one pool size: bare, before, bare, after, bare, before, ... (see the docstring)."""
    pools = {"before": synthetic_pool(n_companies, seed=n_companies) if "before" in variants else None,
             "after": synthetic_pool(n_companies, seed=n_companies, concepts=True)}
    first = pools["after"]
    n_needs = int(first.item_is_need.sum())
    n_offers = len(first.item_is_need) - n_needs
    bare_times = [bare_product(first)]
    times: dict[str, list[Timed]] = {"before": [], "after": []}
    around: dict[str, list[tuple[Timed, Timed]]] = {"before": [], "after": []}
    for _ in range(rounds):
        for label in variants:
            gc.collect()
            times[label].append(ours(pools[label]))
            gc.collect()
            bare_times.append(bare_product(pools[label]))
            around[label].append((bare_times[-2], bare_times[-1]))
    wall = {label: _ratios(times[label], around[label], "wall") for label in times}
    cpu = {label: _ratios(times[label], around[label], "cpu") for label in times}
    # tracemalloc slows the call severalfold: at 50,000 the peak is the process's (ru_maxrss) instead
    peak = ({label: peak_mb(ours, pools[label]) for label in variants} if peaks
            else {"after": _maxrss_mb()})
    columns = prepare_columns(first)
    print(f"N={n_companies}: bare {_rounded(bare_times)}, before {_rounded(times['before'])}, "
          f"after {_rounded(times['after'])}", file=sys.stderr)
    best = {label: f"{min(t.wall for t in times[label]):.2f}" if times[label] else "–" for label in times}
    return (f"| {n_companies:,} | {n_needs:,} × {n_offers:,} | {columns} | {min(t.wall for t in bare_times):.2f} "
            f"| {best['before']} | {best['after']} "
            f"| {_median(wall['before'])} | {_median(wall['after'])} | {_median(cpu['before'])} | {_median(cpu['after'])} "
            f"| {peak.get('before', float('nan')):,.0f} | {peak['after']:,.0f} |")


def prepare_columns(pool: Pool) -> int:
    """The columns the concept term adds to the item rows (concepts on both sides of the pool)."""
    from matchmaker.core.matching import prepare

    return len(prepare(pool).sides.concepts.keys)


def _maxrss_mb() -> float:
    """This process's peak resident memory so far (MB): pool, product blocks and suggest() together."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rounded(times: list[Timed]) -> list[tuple[float, float]]:
    return [(round(t.wall, 3), round(t.cpu, 3)) for t in times]


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the quality and speed measurements, print markdown."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--after-only", action="store_true",
                        help="time suggest() with the concept term only (at 50,000 a round of each takes long)")
    parser.add_argument("--vectors-cache", type=Path, default=None,
                        help="an .npz file keeping the concept sets' vectors between runs (made when missing)")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}\n")
    if not args.skip_quality:
        pairs = json.loads(EVAL.read_text(encoding="utf-8"))["pairs"]
        distractors = json.loads(DISTRACTORS.read_text(encoding="utf-8"))
        vectors, per_second, count = encode_eval(pairs, distractors)
        print(f"### Retrieval quality ({len(pairs)} pairs; multilingual-e5-small)\n")
        print("| query → candidates | scores | recall@1 | recall@3 | MRR |")
        print("|---|---|---|---|---|")
        rows, figures = quality(pairs, vectors)
        print("\n".join(rows))
        near = f"; {len(distractors['offers_ja'])} Japanese near-miss offers in one pool" if distractors.get("offers_ja") else ""
        print(f"\n### Mixed pools ({len(distractors['offers_vi'])} Vietnamese offers and "
              f"{len(distractors['needs_ja'])} Japanese needs as distractors{near})\n")
        print("| pool | scores | recall@1 | recall@3 | MRR |")
        print("|---|---|---|---|---|")
        rows, mixed = mixed_quality(pairs, distractors, vectors)
        print("\n".join(rows))
        full = figures["VI→JA", FULL][0]
        verdict = "met" if full >= 0.85 else "NOT met"
        print(f"\nTarget VI→JA recall@1 ≥ 0.85 with the full score: {full:.3f}, {verdict}; "
              f"among Vietnamese offers: {mixed[next(iter(mixed))[0], FULL][0]:.3f}.")
        print(f"\nEncoding: {count} texts in batches of 32 at {per_second:.1f} texts/s.\n")
        print("### The concept term (issue 15)\n")
        print("\n".join(concept_report(args.vectors_cache)) + "\n")
    print("### Speed: suggest() (top 10 per company, with reasons) against one bare product, before and after "
          "the concept term\n")
    print("| companies | needs × offers | concept columns | bare s | suggest s before | suggest s after "
          "| ratio before (median) | ratio after (median) | CPU ratio before | CPU ratio after "
          "| peak MB before | peak MB after |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    variants = ("after",) if args.after_only else ("before", "after")
    for n in (int(s) for s in args.sizes.split(",")):
        print(speed_row(n, args.repeat if n >= 20000 else max(args.repeat, 5), peaks=n < 50000, variants=variants),
              flush=True)
    print(f"\nLoad average at the end {os.getloadavg()[0]:.2f}. Times: best round (wall); ratio: suggest / mean of "
          "the bare products timed just before and after it (median round), in wall time and in this process's "
          "CPU time (all threads: it moves far less with the machine's other load); concept columns: concepts "
          "on both sides of the pool, the columns the concept term adds to the item rows.")


if __name__ == "__main__":
    main()

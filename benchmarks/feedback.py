"""Does re-weighting from pair feedback help? Simulated feedback on the tuning half, judged on the held-out half.

    python benchmarks/feedback.py [--cache /tmp/concept-vectors.npz] [--shown 5]

On each cross-lingual set of ``benchmarks/concept_eval.py`` (VI→JA, JA→VI, and their EN→EN
twins), the even pairs play companies that gave feedback: each was shown its ``--shown`` best
offers under the product's ``Weights()`` (categories and concepts on), accepted its right
partner (shown or found elsewhere, as a company that asks for a meeting) and declined or hid
the others it was shown. ``core.matching.feedback.reweight`` then picks the category and
concept weights (the product's scaled by 0.5–3) that order that feedback best. The table gives
recall@1 and MRR of the odd (held-out) pairs before and after, and the verdict: the re-weighting
is kept only if it raises the mean held-out recall@1 of the cross-lingual sets without lowering
their MRR.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from concept_eval import VectorCache, eval_sets, prepare_set, retrieval, scores  # noqa: E402

from matchmaker.core.concepts import DATA_DIR, load_glossary  # noqa: E402
from matchmaker.core.matching import Weights  # noqa: E402
from matchmaker.core.matching.feedback import reweight  # noqa: E402


def simulated_feedback(matrix: np.ndarray, queries: np.ndarray, shown: int) -> tuple[list, list]:
    """(accepted, rejected) pairs: each query accepts its answer and rejects the others it was shown."""
    accepted, rejected = [], []
    for q in queries.tolist():
        top = np.argsort(-matrix[q], kind="stable")[:shown].tolist()
        accepted.append((q, q))
        rejected += [(q, c) for c in top if c != q]
    return accepted, rejected


def feedback_report(cache_path: Path | None, shown: int) -> list[str]:
    """Markdown lines: per set, the feedback, the chosen weights and the held-out figures."""
    glossary = load_glossary([path.stem for path in DATA_DIR.glob("*.json")])
    cache = VectorCache(cache_path)
    prepared = [prepare_set(s, cache, glossary) for s in eval_sets()]
    cache.save()
    base = Weights()
    lines = ["| set | feedback (accepted / declined) | pairwise accuracy before → after | w_cat, w_con after "
             "| held-out recall@1 before → after | held-out MRR before → after |", "|---|---|---|---|---|---|"]
    cross = []
    for p in prepared:
        queries = np.arange(len(p.arrays["needs"]["concepts"]))
        tuning, held = queries[queries % 2 == 0], queries[queries % 2 == 1]
        accepted, rejected = simulated_feedback(scores(p, base, True), tuning, shown)
        chosen, after, before = reweight(lambda w: scores(p, w, True), accepted, rejected, base)
        old, new = retrieval(scores(p, base, True), held), retrieval(scores(p, chosen, True), held)
        lines.append(f"| {p.name} | {len(accepted)} / {len(rejected)} | {before:.3f} → {after:.3f} "
                     f"| {chosen.category:.3f}, {chosen.concept:.3f} | {old[0]:.3f} → {new[0]:.3f} | {old[2]:.3f} → {new[2]:.3f} |")
        if not p.name.startswith("EN"):
            cross.append((old, new))
    gain = float(np.mean([n[0] - o[0] for o, n in cross]))
    mrr = float(np.mean([n[2] - o[2] for o, n in cross]))
    keep = gain > 0 and mrr >= 0
    lines += ["", f"Mean held-out change on the cross-lingual sets: recall@1 {gain:+.3f}, MRR {mrr:+.3f}. "
              + ("Verdict: re-weighting helps — keep it." if keep else "Verdict: re-weighting does not help — not kept; "
                 "the product's weights stay as they are (the feedback is still stored, and declined pairs stay out).")]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="an .npz file keeping the vectors between runs")
    parser.add_argument("--shown", type=int, default=5, help="suggestions each simulated company saw")
    args = parser.parse_args()
    print("\n".join(feedback_report(args.cache, args.shown)))


if __name__ == "__main__":
    main()

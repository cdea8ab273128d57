"""How well suggested TALENT links (R1-R16) match what institutions and a reader say.

    python benchmarks/bench_suggest.py

Leave-one-institution-out on the asserted links (Northumbria's (R#) codes,
Manchester Met's rows through the crosswalk): learn from the other institution,
predict the held-out one. Then learn from both and predict the hand-labelled
actions of the three plans that state no links (benchmarks/relevance/
talent-labels.json). Zero-shot and the learned method side by side.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_search import iri
from kg.store import open_store, state_home
from search.documents import read_documents
from search.encoder import load_encoder
from search.suggest import LinkSuggester, PillarSuggester

LABELS = Path(__file__).resolve().parent / "relevance" / "talent-labels.json"
THRESHOLD = 0.3


def asserted(documents) -> dict[str, set[str]]:
    """Action IRI -> the R-codes its institution links it to (directly or via the crosswalk)."""
    return {d.action: {c for c in d.recommendation_closure if c.startswith("R")}
            for d in documents if any(c.startswith("R") for c in d.recommendation_closure)}


def report(label: str, scores: np.ndarray, gold: list[set[str]], codes: list[str],
           threshold: float | None) -> None:
    order = np.argsort(-scores, axis=1)
    top = [[codes[j] for j in row[:3]] for row in order]
    top1 = np.mean([t[0] in g for t, g in zip(top, gold)])
    top3 = np.mean([bool(set(t) & g) for t, g in zip(top, gold)])
    line = f"{label:<52} n={len(gold):>3}  top-1 {top1:.2f}  top-3 {top3:.2f}"
    if threshold is not None:
        chosen = scores >= threshold
        truth = np.array([[c in g for c in codes] for g in gold])
        hits = (chosen & truth).sum()
        precision = hits / chosen.sum() if chosen.sum() else float("nan")
        line += (f"  precision@{threshold} {precision:.2f}  recall@{threshold} "
                 f"{hits / truth.sum():.2f}  ({chosen.sum()} links)")
    print(line)


def per_recommendation(scores, gold, codes) -> None:
    found = defaultdict(lambda: [0, 0])
    for row, g in zip(np.argsort(-scores, axis=1), gold):
        top3 = {codes[j] for j in row[:3]}
        for code in g:
            found[code][0] += code in top3
            found[code][1] += 1
    print("  per recommendation, gold found in the top 3: " + ", ".join(
        f"{c} {found[c][0]}/{found[c][1]}" for c in codes if c in found))


def pillars(encoder, documents, vectors) -> None:
    """Pillars hidden and suggested, one institution held out at a time (all five
    plans give pillars); the whole action set is the evaluation."""
    suggester = PillarSuggester(encoder)
    learned, zero, gold = [], [], []
    for held_out in sorted({d.institution for d in documents}):
        train = [d for d in documents if d.institution != held_out]
        test = [d for d in documents if d.institution == held_out]
        suggester.fit(np.array([vectors[d.action] for d in train]),
                      [set(d.pillars) for d in train], [d.institution for d in train])
        matrix = np.array([vectors[d.action] for d in test])
        learned.append(suggester.scores(matrix, [held_out] * len(test)))
        zero.append(suggester.zero_shot(matrix))
        gold += [set(d.pillars) for d in test]
    report("pillars, each institution held out: zero-shot", np.vstack(zero), gold,
           suggester.codes, None)
    report("pillars, each institution held out: learned", np.vstack(learned), gold,
           suggester.codes, 0.5)


def main() -> None:
    encoder = load_encoder()
    documents = read_documents(open_store(state_home()))
    by_iri = {d.action: d for d in documents}
    links = asserted(documents)
    vectors = {d.action: v for d, v in zip(documents, encoder.encode([d.text for d in documents]))}
    suggester = LinkSuggester(encoder)
    codes = suggester.codes
    institutions = sorted({by_iri[a].institution for a in links})
    all_scores, all_zero, all_gold = [], [], []
    for held_out in institutions:
        train = [a for a in links if by_iri[a].institution != held_out]
        test = [a for a in links if by_iri[a].institution == held_out]
        suggester.fit(np.array([vectors[a] for a in train]), [links[a] for a in train],
                      [by_iri[a].institution for a in train])
        test_vectors = np.array([vectors[a] for a in test])
        gold = [links[a] for a in test]
        scores = suggester.scores(test_vectors, [held_out] * len(test))
        zero = suggester.zero_shot(test_vectors)
        report(f"held out {held_out}: zero-shot", zero, gold, codes, None)
        report(f"held out {held_out}: learned", scores, gold, codes, THRESHOLD)
        all_scores.append(scores)
        all_zero.append(zero)
        all_gold += gold
    report("both held out in turn: zero-shot", np.vstack(all_zero), all_gold, codes, None)
    report("both held out in turn: learned", np.vstack(all_scores), all_gold, codes, THRESHOLD)
    per_recommendation(np.vstack(all_scores), all_gold, codes)

    labels = {iri(k): set(v) for k, v in json.loads(LABELS.read_text())["labels"].items()}
    suggester.fit(np.array([vectors[a] for a in links]), list(links.values()),
                  [by_iri[a].institution for a in links])
    hand = list(labels)
    hand_vectors = np.array([vectors[a] for a in hand])
    gold = [labels[a] for a in hand]
    report("hand-labelled (Leicester, Portsmouth, NTU): zero-shot",
           suggester.zero_shot(hand_vectors), gold, codes, None)
    scores = suggester.scores(hand_vectors, [by_iri[a].institution for a in hand])
    report("hand-labelled: learned", scores, gold, codes, THRESHOLD)
    per_recommendation(scores, gold, codes)
    pillars(encoder, documents, vectors)


if __name__ == "__main__":
    main()

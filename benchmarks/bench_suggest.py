"""How well suggested TALENT links (R1-R16) and pillars match what institutions
and a careful reader say, on institutions the suggester has never seen.

    python benchmarks/bench_suggest.py          # quality
    python benchmarks/bench_suggest.py speed    # the assistant's load and answer times

Both build what `tckg build` makes in a temporary folder (never $TCKG_HOME).

Labelled actions: the links Northumbria ((R#) codes) and Manchester Met (its
rows, through the crosswalk) assert, and the curated labels of Leicester,
Portsmouth and NTU actions (data/talent-labels.json). Each institution is held
out in turn: the suggester learns from the other institutions' labels and
predicts the held-out one's. Side by side: zero-shot (cosine to each
recommendation's text), learned from asserted links only, and learned from
asserted links and curated labels (the method `tckg build` uses). Then precision
and recall at thresholds, how well the score is calibrated, figures per
recommendation, and pillars (hidden and suggested, each institution held out).
The headline table scores the curated actions against their main (first-listed)
code, as the issue's held-out labels do: top-1, top-3 and recall@3 averaged over
the main codes (macro), for the links as stored in the built graph and for the
suggester refitted with the action's institution held out.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from benchmarks.homes import built_home
from kg.store import open_store
from search.documents import read_documents
from search.encoder import load_encoder
from search.linking import asserted_summary_codes, curated_labels, curated_primary
from search.suggest import LinkSuggester, PillarSuggester, action_text

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.01)


def top_k(scores: np.ndarray, gold: list[set[str]], codes: list[str]) -> tuple[float, float]:
    order = np.argsort(-scores, axis=1)
    top1 = np.mean([codes[row[0]] in g for row, g in zip(order, gold)])
    top3 = np.mean([bool({codes[j] for j in row[:3]} & g) for row, g in zip(order, gold)])
    return top1, top3


def truth(gold: list[set[str]], codes: list[str]) -> np.ndarray:
    return np.array([[c in g for c in codes] for g in gold])


def at_threshold(scores, gold, codes, threshold) -> tuple[float, float, int]:
    chosen, right = scores >= threshold, truth(gold, codes)
    hits = (chosen & right).sum()
    return hits / max(chosen.sum(), 1), hits / right.sum(), int(chosen.sum())


def line(label: str, scores, gold, codes) -> None:
    top1, top3 = top_k(scores, gold, codes)
    print(f"  {label:<46} n={len(gold):>3}  top-1 {top1:.2f}  top-3 {top3:.2f}")


def held_out_scores(suggester, vectors, labels, institution_of, train_labels, pillars_of):
    """Each labelled institution held out in turn; `train_labels` are the labels
    the suggester may learn from. Returns (action, learned row, zero-shot row)."""
    out = []
    for held_out in sorted({institution_of[a] for a in labels}):
        train = [a for a in train_labels if institution_of[a] != held_out]
        suggester.fit(np.array([vectors[a] for a in train]), [train_labels[a] for a in train],
                      [institution_of[a] for a in train], [pillars_of[a] for a in train])
        test = [a for a in labels if institution_of[a] == held_out]
        matrix = np.array([vectors[a] for a in test])
        learned = suggester.scores(matrix, [held_out] * len(test), [pillars_of[a] for a in test])
        out += list(zip(test, learned, suggester.zero_shot(matrix)))
    return out


def report_links(encoder, documents, vectors) -> None:
    institution_of = {d.action: d.institution for d in documents}
    asserted = {d.action: asserted_summary_codes(d) for d in documents if asserted_summary_codes(d)}
    curated = curated_labels()
    labels = {**curated, **asserted}
    suggester = LinkSuggester(encoder)
    codes = suggester.codes
    pillars_of = {d.action: d.pillars for d in documents}
    full = held_out_scores(suggester, vectors, labels, institution_of, labels, pillars_of)
    asserted_only = {a: s for a, s, _ in held_out_scores(
        suggester, vectors, labels, institution_of, asserted, pillars_of)}
    # Round 3's method: no pillars known, so the pillar prior is 0 throughout
    no_prior = {a: s for a, s, _ in held_out_scores(
        suggester, vectors, labels, institution_of, labels, dict.fromkeys(pillars_of, ()))}
    print("TALENT links, each institution held out (learning from the others' labels)")
    for name, subset in (("asserted links (Northumbria, Manchester Met)", asserted),
                         ("curated labels (Leicester, Portsmouth, NTU)", curated),
                         ("all labelled actions", labels)):
        rows = [r for r in full if r[0] in subset]
        gold = [labels[a] for a, _, _ in rows]
        print(f" {name}")
        line("zero-shot", np.array([z for _, _, z in rows]), gold, codes)
        line("learned from asserted links only", np.array([asserted_only[a] for a, _, _ in rows]),
             gold, codes)
        line("asserted + curated, no pillar prior (round 3)",
             np.array([no_prior[a] for a, _, _ in rows]), gold, codes)
        line("learned from asserted + curated (tckg build)", np.array([s for _, s, _ in rows]),
             gold, codes)
    headline(documents, full, codes, no_prior)
    scores, gold = np.array([s for _, s, _ in full]), [labels[a] for a, _, _ in full]
    print(" precision / recall of links at or above a threshold (all labelled actions):")
    for threshold in THRESHOLDS:
        precision, recall, n = at_threshold(scores, gold, codes, threshold)
        print(f"  >= {threshold}: precision {precision:.2f}  recall {recall:.2f}  ({n} links)")
    print(" calibration: links by score band, and the share that is right:")
    right = truth(gold, codes)
    for low, high in itertools.pairwise(BINS):
        band = (scores >= low) & (scores < high)
        if band.sum():
            print(f"  [{low:.1f}, {min(high, 1):.1f}): {band.sum():>5} links, mean score "
                  f"{scores[band].mean():.2f}, right {right[band].mean():.2f}")
    per_recommendation(scores, gold, codes)


def main_code_figures(ranked: dict[str, list[str]], primary: dict[str, str]) -> tuple[float, ...]:
    """Top-1, top-3 and macro recall@3 against each action's main code (actions
    with no ranking are left out; the macro mean is over the main codes present)."""
    rows = [(ranked[a][:3], code) for a, code in primary.items() if a in ranked]
    per_code: dict[str, list[bool]] = defaultdict(list)
    for top, code in rows:
        per_code[code].append(code in top)
    return (float(np.mean([top[0] == code for top, code in rows])),
            float(np.mean([code in top for top, code in rows])),
            float(np.mean([np.mean(found) for found in per_code.values()])))


def headline(documents, full, codes, no_prior) -> None:
    """The curated actions against their main code: as stored, and refitted blind."""
    primary = curated_primary()
    stored = {d.action: [s["code"] for s in d.suggested] for d in documents}
    refitted = {a: [codes[j] for j in np.argsort(-s, kind="stable")] for a, s, _ in full}
    zero = {a: [codes[j] for j in np.argsort(-z, kind="stable")] for a, _, z in full}
    before = {a: [codes[j] for j in np.argsort(-s, kind="stable")] for a, s in no_prior.items()}
    print(f"curated actions against their main code ({len(primary)} actions, "
          f"{len(set(primary.values()))} main codes)")
    print("| links | top-1 | top-3 | macro recall@3 |")
    for label, ranked in (("zero-shot", zero), ("refitted, no pillar prior (round 3)", before),
                          ("as stored in the graph", stored),
                          ("refitted, institution held out", refitted)):
        print(f"| {label} | " + " | ".join(f"{f:.3f}" for f in main_code_figures(ranked, primary))
              + " |")


def per_recommendation(scores, gold, codes) -> None:
    from kg.suggested import THRESHOLD

    found = defaultdict(lambda: [0, 0])
    for row, g in zip(np.argsort(-scores, axis=1), gold):
        top3 = {codes[j] for j in row[:3]}
        for code in g:
            found[code][0] += code in top3
            found[code][1] += 1
    chosen, right = scores >= THRESHOLD, truth(gold, codes)
    print(f" per recommendation: gold found in the top 3; precision and recall at {THRESHOLD}")
    for j, code in enumerate(codes):
        hits = (chosen[:, j] & right[:, j]).sum()
        precision = f"{hits / chosen[:, j].sum():.2f}" if chosen[:, j].sum() else "  - "
        recall = f"{hits / right[:, j].sum():.2f}" if right[:, j].sum() else "  - "
        print(f"  {code:<4} top-3 {found[code][0]:>2}/{found[code][1]:<2}  "
              f"precision {precision}  recall {recall}")


def report_pillars(encoder, documents, vectors) -> None:
    """Pillars hidden and suggested, one institution held out at a time (all five
    plans give pillars); the whole action set is the evaluation."""
    suggester = PillarSuggester(encoder)
    pillars = {d.action: set(d.pillars) for d in documents}
    institution_of = {d.action: d.institution for d in documents}
    rows = held_out_scores(suggester, vectors, pillars, institution_of, pillars, pillars)
    gold = [pillars[a] for a, _, _ in rows]
    print("pillars, each institution held out")
    line("zero-shot", np.array([z for _, _, z in rows]), gold, suggester.codes)
    learned = np.array([s for _, s, _ in rows])
    line("learned", learned, gold, suggester.codes)
    precision, recall, n = at_threshold(learned, gold, suggester.codes, 0.5)
    print(f"  >= 0.5: precision {precision:.2f}  recall {recall:.2f}  ({n} pillars)")


def speed(home: Path) -> None:
    """`tckg suggest` in process: loading the kept suggesters and the query encoder,
    then answering each of the relevance queries as if it were a draft."""
    import statistics
    import time

    from benchmarks.bench_search import load_judgements
    from search.assistant import Assistant

    started = time.perf_counter()
    assistant = Assistant.open(home)
    assistant.searcher.encoder  # noqa: B018 - load it now, as the server does
    print(f"assistant loaded in {time.perf_counter() - started:.2f} s")
    times = []
    for query, _ in load_judgements():
        assistant.searcher.query_vector.cache_clear()
        started = time.perf_counter()
        assistant.suggest(query)
        times.append((time.perf_counter() - started) * 1000)
    print(f"suggest: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
          f"over {len(times)} drafts")


def main() -> None:
    encoder = load_encoder()
    with built_home(encoder) as home:
        if sys.argv[1:] == ["speed"]:
            speed(home)
            return
        documents = read_documents(open_store(home))
        vectors = dict(zip((d.action for d in documents),
                           encoder.encode([action_text(d.text) for d in documents])))
        report_links(encoder, documents, vectors)
        report_pillars(encoder, documents, vectors)


if __name__ == "__main__":
    main()

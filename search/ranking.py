"""Hybrid ranking: a dense (cosine) ranking and a BM25 ranking fused into one.

Two fusions, compared on benchmarks/relevance by benchmarks/bench_search.py:
reciprocal rank fusion (RRF, Cormack et al. 2009), which needs no score
calibration, and a weighted sum of the cosine and the BM25 score scaled by the
best BM25 score of the query. The default is the one the relevance set favours.

Then parents: an action with sub-actions (Leicester's "Professional registration"
over its sub-action that says what will be done) is ranked just beneath its best
sub-action among the candidates, so a short heading never pushes the actions that
carry the substance down; with no sub-action among them it keeps its own score.
"""
from __future__ import annotations

import numpy as np

RRF_K = 60
# The weighted sum's share for BM25 (cosine gets the rest).
LEXICAL_WEIGHT = 0.25
# How far beneath its best child a parent is placed: enough to order them, too
# little to show in a score rounded to four places.
PARENT_GAP = 1e-6


def top_positions(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray:
    """Positions of the k best scores among the allowed positions, best first."""
    candidates = np.arange(len(scores)) if allowed is None else allowed
    if len(candidates) <= k:
        best = candidates
    else:
        best = candidates[np.argpartition(-scores[candidates], k)[:k]]
    return best[np.lexsort((best, -scores[best]))]


def rrf(rankings: list[np.ndarray], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion of position lists (best first)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, position in enumerate(ranking.tolist()):
            fused[position] = fused.get(position, 0.0) + 1.0 / (k + rank + 1)
    return fused


def weighted(dense: dict[int, float], lexical: dict[int, float],
             weight: float = LEXICAL_WEIGHT) -> dict[int, float]:
    """(1 - w) * cosine + w * BM25 / best BM25, over the union of both candidate lists.

    A candidate missing from a list scores that list's lowest value, not zero,
    so one ranking's cut-off does not decide the other's.
    """
    top = max(lexical.values(), default=0.0)
    floor_dense = min(dense.values(), default=0.0)
    floor_lexical = min(lexical.values(), default=0.0)
    fused = {}
    for position in dense.keys() | lexical.keys():
        cosine = dense.get(position, floor_dense)
        bm25 = lexical.get(position, floor_lexical) / top if top > 0 else 0.0
        fused[position] = (1 - weight) * cosine + weight * bm25
    return fused


def beneath_children(fused: dict[int, float],
                     children: dict[int, list[int]]) -> dict[int, float]:
    """Each parent's score capped just under its best-scored child among the
    candidates (a parent whose children are all absent keeps its score)."""
    capped = dict(fused)
    for parent, kids in children.items():
        scores = [fused[k] for k in kids if k in fused]
        if parent in fused and scores and max(scores) <= fused[parent]:
            capped[parent] = max(scores) - PARENT_GAP
    return capped


def ordered(fused: dict[int, float]) -> list[tuple[int, float]]:
    """Best first; ties by position, so the order is stable across runs."""
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))

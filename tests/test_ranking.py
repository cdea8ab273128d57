"""The ranking rules alone, on made-up scores (fast: what mutation testing runs
per mutant of search/ranking.py). Each result is compared whole; the search
itself, on the real model and index, is tested in tests/test_search.py."""
from __future__ import annotations

import numpy as np
import pytest

from search import ranking


def positions(scores, k, allowed=None):
    allowed = None if allowed is None else np.array(allowed, dtype=np.int64)
    return ranking.top_positions(np.array(scores), k, allowed).tolist()


@pytest.mark.parametrize("k, expected", [
    (1, [1]),
    (2, [1, 3]),
    (3, [1, 3, 0]),         # one fewer than there are: the partition path
    (4, [1, 3, 0, 2]),      # exactly as many: all of them, sorted
    (9, [1, 3, 0, 2]),      # more than there are
])
def test_top_positions_best_first_at_each_k(k, expected):
    assert positions([0.5, 0.9, 0.1, 0.7], k) == expected


def test_top_positions_ties_by_position():
    assert positions([0.5, 0.5, 0.9, 0.5], 4) == [2, 0, 1, 3]


@pytest.mark.parametrize("allowed, k, expected", [
    ([0, 2], 1, [0]),
    ([0, 2], 2, [0, 2]),
    ([0, 2, 3], 2, [3, 0]),
    ([2], 5, [2]),
    ([], 3, []),
])
def test_top_positions_only_among_the_allowed(allowed, k, expected):
    assert positions([0.5, 0.9, 0.1, 0.7], k, allowed) == expected


def test_rrf_sums_one_over_k_plus_rank():
    fused = ranking.rrf([np.array([3, 1]), np.array([1, 2])])
    assert fused == pytest.approx({3: 1 / 61, 1: 1 / 62 + 1 / 61, 2: 1 / 62})
    assert ranking.RRF_K == 60
    assert ranking.rrf([np.array([5, 4])], k=0) == pytest.approx({5: 1.0, 4: 0.5})
    assert ranking.rrf([]) == {}


def test_weighted_default_share_and_floors():
    # dense floor 0.2 for position 3 (absent there), BM25 floor 1 (of a best 5) for position 0
    fused = ranking.weighted({0: 0.9, 1: 0.2}, {1: 5.0, 3: 1.0})
    assert fused == pytest.approx({0: 0.75 * 0.9 + 0.25 * 0.2, 1: 0.75 * 0.2 + 0.25 * 1.0,
                                   3: 0.75 * 0.2 + 0.25 * 0.2}, abs=1e-12)
    assert ranking.LEXICAL_WEIGHT == 0.25


def test_weighted_with_an_empty_list_on_either_side():
    assert ranking.weighted({0: 0.9, 1: 0.4}, {}) == pytest.approx({0: 0.75 * 0.9, 1: 0.75 * 0.4})
    assert ranking.weighted({}, {2: 4.0, 5: 2.0}) == pytest.approx({2: 0.25, 5: 0.125})
    assert ranking.weighted({}, {}) == {}


def test_weighted_with_no_positive_bm25_gives_it_nothing():
    assert ranking.weighted({0: 0.8}, {0: 0.0, 1: 0.0}, weight=0.5) == pytest.approx(
        {0: 0.4, 1: 0.4})


@pytest.mark.parametrize("best", [0.5, 1.0, 1.5])
def test_weighted_scales_by_the_best_bm25_whatever_its_size(best):
    assert ranking.weighted({0: 0.4}, {0: best, 1: best / 2}) == pytest.approx(
        {0: 0.75 * 0.4 + 0.25, 1: 0.75 * 0.4 + 0.125})


def test_weighted_at_the_ends_of_the_share():
    dense, lexical = {0: 0.9, 1: 0.3}, {1: 2.0}
    assert ranking.weighted(dense, lexical, weight=0.0) == pytest.approx({0: 0.9, 1: 0.3})
    assert ranking.weighted(dense, lexical, weight=1.0) == pytest.approx({0: 1.0, 1: 1.0})


def test_beneath_children_with_two_parents_and_a_lone_child():
    fused = {0: 0.9, 1: 0.5, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.3}
    children = {0: [1, 2], 3: [4], 5: [9], 6: [7]}
    fused |= {6: 0.2, 7: 0.2}  # a tie: the child goes first
    assert ranking.beneath_children(fused, children) == pytest.approx(
        {0: 0.8 - 1e-6, 1: 0.5, 2: 0.8, 3: 0.4 - 1e-6, 4: 0.4, 5: 0.3, 6: 0.2 - 1e-6, 7: 0.2},
        abs=1e-12)
    assert ranking.PARENT_GAP == 1e-6
    assert fused == {0: 0.9, 1: 0.5, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.3, 6: 0.2, 7: 0.2}  # unchanged


def test_ordered_best_first_ties_by_position():
    assert ranking.ordered({7: 0.5, 2: 0.9, 4: 0.5, 1: 0.1}) == [(2, 0.9), (4, 0.5), (7, 0.5),
                                                                (1, 0.1)]
    assert ranking.ordered({}) == []

"""The filter rules alone, on a handful of made-up documents: each rule on both
sides of its edge, without a built index (tests/test_filters.py runs the same
filters over the real graph, HTTP and the CLI)."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from kg.suggested import THRESHOLD
from search.documents import Document
from search.filters import NO_FILTERS, FilterError, Filters, allowed_positions


def doc(n: int, **fields) -> Document:
    base = {"action": f"https://w3id.org/tckg/id/uni-{n % 2}/action/{n}", "local_id": str(n),
                "institution": ("University of Alpha", "Beta University")[n % 2],
                "institution_iri": f"https://w3id.org/tckg/id/uni-{n % 2}", "text": f"action {n}"}
    return Document(**{**base, **fields})


DOCS = [
    doc(0, pillars=["Visibility"], recommendation_closure=["R5"], due_by="2024-01-31",
        owner_types=["Human resources"], suggested=[{"code": "R11", "score": 0.4}]),
    doc(1, pillars=["Recognition", "Career Development"], recommendation_closure=["E3", "R11"],
        due_by="2024-12-31", suggested=[{"code": "R5", "score": 0.39}]),
    doc(2, pillars=["Sustainability"], due_by="2025-01-01",
        suggested=[{"code": "R11", "score": 1.0}, {"code": "R5", "score": 0.0}]),
    doc(3, pillars=["Visibility", "Sustainability"], due_by=""),
    doc(4, pillars=["Career Development"], due_by="2023-12-31", owner_types=["Technical managers"],
        recommendation_closure=["R16", "E23"]),
]


def allowed(**filters) -> list[int]:
    positions = allowed_positions(DOCS, Filters(**filters))
    assert positions is not None and positions.dtype == np.int64
    return positions.tolist()


def test_no_filter_is_no_restriction():
    assert allowed_positions(DOCS, NO_FILTERS) is None
    assert Filters().is_empty() and not Filters(pillar="Visibility").is_empty()
    assert not Filters(due_to=date(2024, 1, 1)).is_empty()


@pytest.mark.parametrize("start, end, expected", [
    ("2024-01-31", "2024-12-31", [0, 1]),   # both ends land on a deadline: both kept
    ("2024-02-01", "2024-12-30", []),       # one day inside each: both dropped
    ("2024-01-30", "2025-01-01", [0, 1, 2]),
    ("2024-01-31", "2024-01-31", [0]),      # a one-day window
    ("2024-06-01", "2024-06-30", []),       # an empty window
    ("2023-12-31", "2023-12-31", [4]),
])
def test_deadline_window_is_inclusive_at_both_ends(start, end, expected):
    assert allowed(due_from=date.fromisoformat(start), due_to=date.fromisoformat(end)) == expected


def test_each_end_alone_and_undated_documents():
    assert allowed(due_from=date(2024, 12, 31)) == [1, 2]
    assert allowed(due_from=date(2025, 1, 1)) == [2]
    assert allowed(due_from=date(2025, 1, 2)) == []
    assert allowed(due_to=date(2024, 1, 31)) == [0, 4]
    assert allowed(due_to=date(2024, 1, 30)) == [4]
    assert allowed(due_to=date(2023, 12, 30)) == []
    assert 3 not in allowed(due_from=date(1900, 1, 1)) + allowed(due_to=date(2100, 1, 1))


def test_a_reversed_window_is_refused_and_an_equal_one_is_not():
    with pytest.raises(FilterError, match="due_from 2024-01-02 is after due_to 2024-01-01"):
        allowed(due_from=date(2024, 1, 2), due_to=date(2024, 1, 1))
    assert allowed(due_from=date(2024, 1, 1), due_to=date(2024, 1, 1)) == []


@pytest.mark.parametrize("value", ["uni-0", "University of Alpha", "university of alpha",
                                   "UNIVERSITY-OF-ALPHA"])
def test_institution_by_slug_or_name_in_any_case(value):
    assert allowed(institution=value) == [0, 2, 4]


def test_unknown_institution_lists_the_known_ones_sorted():
    with pytest.raises(FilterError) as err:
        allowed(institution="Gamma")
    assert str(err.value) == ("unknown institution 'Gamma'; known values: "
                              "Beta University, University of Alpha")


@pytest.mark.parametrize("value, expected", [
    ("Visibility", [0, 3]), ("visibility", [0, 3]), ("Career Development", [1, 4]),
    ("career-development", [1, 4]), ("Sustainability", [2, 3]), ("Recognition", [1]),
])
def test_pillar_by_label_or_slug(value, expected):
    assert allowed(pillar=value) == expected


def test_unknown_pillar_names_the_four():
    with pytest.raises(FilterError) as err:
        allowed(pillar="Wellbeing")
    assert str(err.value) == ("unknown pillar 'Wellbeing'; known values: Career Development, "
                              "Recognition, Sustainability, Visibility")


@pytest.mark.parametrize("code, expected", [
    ("R5", [0]), ("r5", [0]), ("R11", [1]), ("E3", [1]), ("R16", [4]), ("E23", [4]), ("R1", []),
])
def test_asserted_recommendations_by_code(code, expected):
    assert allowed(recommendation=code) == expected
    assert allowed(recommendation=code, links="asserted") == expected


@pytest.mark.parametrize("code", ["R0", "R17", "E0", "E24", "X1", "5"])
def test_unknown_codes_are_refused(code):
    with pytest.raises(FilterError, match=f"unknown recommendation code '{code}'"):
        allowed(recommendation=code)


@pytest.mark.parametrize("least, r11, r5", [
    (None, [0, 2], []),        # the default threshold
    (0.4, [0, 2], []),         # a score equal to the least is kept
    (0.39, [0, 2], [1]),
    (0.0, [0, 2], [1, 2]),     # the lowest least keeps a zero score
    (1.0, [2], []),            # the highest keeps only a perfect score
    (0.41, [2], []),
])
def test_suggested_links_at_the_least_score(least, r11, r5):
    assert THRESHOLD == 0.4
    assert allowed(recommendation="R11", links="suggested", min_score=least) == r11
    assert allowed(recommendation="R5", links="suggested", min_score=least) == r5


def test_any_links_is_the_union_of_asserted_and_suggested():
    assert allowed(recommendation="R11", links="any") == [0, 1, 2]
    assert allowed(recommendation="R5", links="any", min_score=0.0) == [0, 1, 2]
    assert allowed(recommendation="R5", links="any") == [0]


@pytest.mark.parametrize("least", [-0.01, 1.01, -1.0, 2.0])
def test_min_score_outside_zero_to_one_is_refused(least):
    with pytest.raises(FilterError, match=f"min_score {least} is outside 0-1"):
        allowed(recommendation="R11", links="suggested", min_score=least)


def test_links_and_min_score_need_a_recommendation():
    for filters in ({"links": "suggested"}, {"min_score": 0.5}, {"links": "any", "min_score": 0.0}):
        with pytest.raises(FilterError) as err:
            allowed(**filters)
        assert str(err.value) == ("links and min_score say how a recommendation filter matches: "
                                  "give a recommendation too")


def test_known_values_are_listed_ignoring_case():
    docs = [*DOCS, doc(5, institution="alpha college", institution_iri="https://w3id.org/tckg/id/ac")]
    with pytest.raises(FilterError) as err:
        allowed_positions(docs, Filters(institution="Gamma"))
    assert str(err.value).endswith("known values: alpha college, Beta University, University of Alpha")
    assert allowed_positions(docs, Filters(institution="ac")).tolist() == [5]


def test_unknown_links_value_is_refused():
    with pytest.raises(FilterError, match="unknown links 'maybe'; known values: asserted, suggested, any"):
        allowed(recommendation="R5", links="maybe")


@pytest.mark.parametrize("value, expected", [
    ("Human resources", [0]), ("human-resources", [0]), ("Technical managers", [4]),
])
def test_owner_type_by_label_or_slug(value, expected):
    assert allowed(owner_type=value) == expected


def test_unknown_owner_type_is_refused():
    with pytest.raises(FilterError, match="unknown owner type 'Wizards'; known values: "):
        allowed(owner_type="Wizards")


def test_filters_intersect():
    assert allowed(pillar="Visibility", due_to=date(2024, 12, 31)) == [0]
    assert allowed(pillar="Career Development", institution="uni-1") == [1]
    assert allowed(pillar="Career Development", institution="uni-1",
                   due_from=date(2025, 1, 1)) == []

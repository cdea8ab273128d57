"""kg/catalog.py on a small graph made here (two plans, suggested links either
side of the threshold), so every count is worked out by hand and every result
compared whole. Fast and in process: what mutation testing runs per mutant of
kg/catalog.py. The same functions on the five plans are tested through the
HTTP routes (tests/test_api.py, tests/test_web.py)."""
from __future__ import annotations

from datetime import datetime

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg import catalog
from kg.model import Action, Deadline, Plan
from kg.ontology import ontology_graph
from kg.rdf import add_plan, new_graph
from kg.store import memory_store
from kg.suggested import THRESHOLD, Run, Suggestion, suggestion_graph
from kg.vocab import TCID, action_iri, institution_iri, plan_iri

ALPHA_1, ALPHA_11, BETA_7 = (str(action_iri(s, i)) for s, i in
                             (("alpha", "1"), ("alpha", "1.1"), ("beta", "7")))


def plans() -> list[Plan]:
    showcase = Action(
        local_id="1", text="Run a technician showcase every year", source_text="Run a *showcase*",
        lines=(3, 5), title="Showcase", pillars=["Visibility", "Recognition"],
        pillar_wording="Visible and recognised", recommendations=["R1", "E1"],
        deadline=Deadline("2024-06", "June 2024", start="2024-01"), owners=["Head of HR"],
        owner_wording="HoHR", success_measures=["two events", "a web page"], status="Complete",
        progress="held twice", comment="well attended", supporting_actions="book rooms",
        institutional_goal="people first")
    hall = Action(local_id="1.1", text="Book the hall for the showcase", source_text="Book the hall",
                  lines=(6, 6), parent_id="1", deadline=Deadline("2024-02-29", "29 Feb 2024"))
    alpha = Plan(slug="alpha", institution="Alpha University", title="Alpha plan",
                 source_file="alpha.txt", period_start="2024-01", period_end="2025-12",
                 period_wording="2024 to 2025", actions=[showcase, hall])
    beta = Plan(slug="beta", institution="Beta College", title="", source_file="beta.txt",
                actions=[Action(local_id="7", text="Map technical roles across faculties",
                                source_text="Map roles", lines=(1, 1), recommendations=["E1"])])
    return [alpha, beta]


def suggestions() -> list[Suggestion]:
    return [Suggestion(ALPHA_1, "R2", THRESHOLD, 1),          # at the threshold: counts
            Suggestion(ALPHA_11, "R2", THRESHOLD - 0.0001, 1),  # just under: does not
            Suggestion(BETA_7, "R5", 0.5, 1),
            Suggestion(BETA_7, "R2", 0.41, 2),
            Suggestion(BETA_7, "R3", 0.39, 3)]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(the rdflib graph, the same graph in an Oxigraph store)."""
    folder = tmp_path_factory.mktemp("small-sources")
    (folder / "alpha.txt").write_text("alpha's plan\n", encoding="utf-8")
    graph = new_graph()
    alpha, beta = plans()
    add_plan(graph, alpha, folder / "alpha.txt")
    add_plan(graph, beta)
    when = datetime(2026, 1, 1)
    graph += suggestion_graph(suggestions(), Run("a-model", "a-method 1", when, when))
    data = graph + ontology_graph()
    return data, memory_store(data.serialize(format="nt", encoding="utf-8"))


def test_threshold_is_what_the_catalog_counts_from():
    assert THRESHOLD == 0.4  # the expectations below put links on both sides of it


def test_institutions_with_their_counts(small):
    _, store = small
    assert catalog.institutions(store) == [
        {"institution": str(institution_iri("alpha")), "name": "Alpha University",
         "plan": str(plan_iri("alpha")), "title": "Alpha plan", "period_start": "2024-01",
         "period_end": "2025-12", "actions": 2,
         "summary_recommendations_addressed": 2,   # R1, and R4 through E1
         "summary_recommendations_suggested": 1,   # R2 at 0.4 (1.1's 0.3999 does not count)
         "suggestion_threshold": 0.4},
        {"institution": str(institution_iri("beta")), "name": "Beta College",
         "plan": str(plan_iri("beta")), "title": None, "period_start": None, "period_end": None,
         "actions": 1, "summary_recommendations_addressed": 1,  # R4 through E1
         "summary_recommendations_suggested": 2,  # R5, R2 at 0.41, not R3 at 0.39
         "suggestion_threshold": 0.4},
    ]


def expected_recommendations(graph: Graph) -> list[dict]:
    asserted = {"R1": (1, 1), "R4": (2, 2), "E1": (2, 2)}
    suggested = {"R2": {"actions": 2, "institutions": 2}, "R5": {"actions": 1, "institutions": 1}}
    found = []
    for kind, letter, last in (("summary", "R", 16), ("employer", "E", 23)):
        for n in range(1, last + 1):
            code = f"{letter}{n}"
            iri = TCID[f"talent-{code}"]
            actions, institutions = asserted.get(code, (0, 0))
            found.append({
                "recommendation": str(iri), "code": code,
                "label": str(graph.value(iri, SKOS.prefLabel)),
                "definition": str(graph.value(iri, SKOS.definition)), "kind": kind,
                "asserted": {"actions": actions, "institutions": institutions},
                "suggested": dict(suggested.get(code, {"actions": 0, "institutions": 0}),
                                  min_score=0.4)})
    return found


def test_recommendations_in_order_with_their_coverage(small):
    graph, store = small
    assert catalog.recommendations(store) == expected_recommendations(graph)


def test_one_action_in_full(small):
    _, store = small
    assert catalog.action(store, ALPHA_1) == {
        "action": ALPHA_1, "institution": "Alpha University",
        "institution_iri": str(institution_iri("alpha")), "plan": str(plan_iri("alpha")),
        "local_id": "1", "text": "Run a technician showcase every year", "title": "Showcase",
        "deadline": "2024-06", "due_by": "2024-06-30", "timeframe_wording": "June 2024",
        "start_date": "2024-01", "status_wording": "Complete", "progress": "held twice",
        "comment": "well attended", "supporting_actions": "book rooms", "owner_wording": "HoHR",
        "pillar_wording": "Visible and recognised", "institutional_goal": "people first",
        "source_text": "Run a *showcase*", "source_line_start": 3, "source_line_end": 5,
        "part_of": None, "status": "Complete",
        "pillars": ["Recognition", "Visibility"], "recommendations": ["E1", "R1"],
        "success_measures": ["a web page", "two events"], "owners": ["Head of HR"],
        "source": ["alpha.txt"],
        "suggested_recommendations": [{"code": "R2", "score": 0.4, "rank": 1}],
    }


def test_a_sub_action_and_an_action_with_little(small):
    _, store = small
    hall = catalog.action(store, ALPHA_11)
    assert {k: v for k, v in hall.items() if v not in (None, [])} == {
        "action": ALPHA_11, "institution": "Alpha University",
        "institution_iri": str(institution_iri("alpha")), "plan": str(plan_iri("alpha")),
        "local_id": "1.1", "text": "Book the hall for the showcase", "deadline": "2024-02-29",
        "due_by": "2024-02-29", "timeframe_wording": "29 Feb 2024",
        "source_text": "Book the hall", "source_line_start": 6, "source_line_end": 6,
        "part_of": ALPHA_1, "source": ["alpha.txt"],
        "suggested_recommendations": [{"code": "R2", "score": 0.3999, "rank": 1}],
    }
    beta = catalog.action(store, BETA_7)
    assert beta["source"] == [] and beta["source_line_start"] is None
    assert beta["suggested_recommendations"] == [{"code": "R5", "score": 0.5, "rank": 1},
                                                 {"code": "R2", "score": 0.41, "rank": 2},
                                                 {"code": "R3", "score": 0.39, "rank": 3}]


@pytest.mark.parametrize("iri", [
    str(plan_iri("alpha")),                        # in the graph, not an action
    str(action_iri("alpha", "9")),                 # an action IRI the graph does not hold
    "not an iri at all",                           # not an IRI
])
def test_what_is_not_an_action_gives_none(small, iri):
    _, store = small
    assert catalog.action(store, iri) is None


def test_describe_gives_outgoing_and_incoming_triples(small):
    graph, store = small
    node = URIRef(BETA_7)
    expected = {(s, p, o) for s, p, o in graph if node in (s, o)}
    found = catalog.describe(store, BETA_7)
    assert len(found) == len(expected)  # no triple twice
    assert {(URIRef(t.subject.value), URIRef(t.predicate.value), t.object.value)
            for t in found} == {(s, p, str(o)) for s, p, o in expected}
    assert {t for t in found if t.subject == ox.NamedNode(BETA_7)} and \
        {t for t in found if t.object == ox.NamedNode(BETA_7)}  # both directions present


@pytest.mark.parametrize("iri", [str(action_iri("beta", "8")), "not an iri at all"])
def test_describe_of_nothing_is_empty(small, iri):
    _, store = small
    assert catalog.describe(store, iri) == []

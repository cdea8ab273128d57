"""Every shape against a conforming plan and a non-conforming one, whose exact
results (focus, shape, severity) are written down beside it in tests/shapes/."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF
from rdflib.namespace import SH

from kg.validate import shapes_graph, validate

SHAPES_DIR = Path(__file__).parent / "shapes"
CASES = sorted(p for p in SHAPES_DIR.glob("*.ttl") if p.name != "valid-plan.ttl")


def result_set(report) -> set[tuple[str, str, str]]:
    return {(r.focus, r.shape.rsplit("#", 1)[-1], r.severity) for r in report.results}


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
def test_the_valid_plan_conforms_with_no_warnings(engine):
    report = validate((SHAPES_DIR / "valid-plan.ttl").read_bytes(), "turtle", engine=engine)
    assert report.conforms
    assert report.results == []


@pytest.mark.parametrize("engine", ["turbo", "pyshacl"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_each_fault_gives_exactly_its_results(case, engine):
    """On the default engine and on pySHACL, the reference."""
    expected = {(r["focus"], r["shape"], r["severity"]) for r in
                json.loads(case.with_suffix(".expected.json").read_text(encoding="utf-8"))}
    report = validate(case.read_bytes(), "turtle", engine=engine)
    assert result_set(report) == expected
    assert report.conforms == (not any(sev == "Violation" for *_, sev in expected))
    assert all(r.message for r in report.results)


def test_every_shape_has_a_non_conforming_example():
    graph = shapes_graph()
    named = {str(s).rsplit("#", 1)[-1] for kind in (SH.PropertyShape, SH.SPARQLConstraint)
             for s in graph.subjects(RDF.type, kind)}
    exercised = {r["shape"] for case in CASES
                 for r in json.loads(case.with_suffix(".expected.json").read_text(encoding="utf-8"))}
    assert named - exercised == set()


def test_every_shape_is_named_documented_and_has_a_message():
    graph = shapes_graph()
    from rdflib import RDFS, BNode
    for kind in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint):
        for shape in graph.subjects(RDF.type, kind):
            assert not isinstance(shape, BNode)
            assert graph.value(shape, RDFS.comment), shape
            if kind != SH.NodeShape:
                assert graph.value(shape, SH.message), shape
                assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape


def test_hard_rules_and_recommendations_live_in_separate_files():
    from rdflib import Graph
    for name, severity in (("violations.ttl", SH.Violation), ("warnings.ttl", SH.Warning)):
        graph = Graph().parse(Path(__file__).parents[1] / "ontology" / "shapes" / name)
        assert set(graph.objects(None, SH.severity)) == {severity}


@pytest.mark.parametrize("case", CASES[:6], ids=lambda p: p.stem)
def test_both_engines_give_the_same_messages(case):
    turbo, reference = (validate(case.read_bytes(), "turtle", engine=e) for e in ("turbo", "pyshacl"))
    assert sorted(map(repr, turbo.results)) == sorted(map(repr, reference.results))


def test_plan_level_results_name_their_field_and_no_value():
    """The plan-level checks are SPARQL constraints that select no ?value (a
    path over all of a plan's actions cost pyshacl-turbo time in the square of
    their number); SHACL then gives the plan itself as the value, which the
    report leaves out, as when they were property shapes. Both engines alike."""
    from kg.validation_text import render_text
    data = (SHAPES_DIR / "edge-plan-advice-per-plan.ttl").read_bytes()
    messages = {"actions": "The plan has no actions: add at least one action.",
                "recommendations": "No action links to a TALENT recommendation: say which "
                                   "recommendations (R1-R16 or E1-E23) your actions address."}
    pillar = "No action serves the {} pillar: the Technician Commitment asks for all four."
    expected = {("empty", "Violation", "actions", messages["actions"], "PlanHasActions")}
    for plan, pillars in (("empty", ("Visibility", "Recognition", "Career Development", "Sustainability")),
                          ("narrow", ("Visibility", "Career Development", "Sustainability"))):
        expected.add((plan, "Warning", "recommendations", messages["recommendations"],
                      "PlanLinksRecommendations"))
        expected |= {(plan, "Warning", "pillars", pillar.format(p), "PlanCovers" + p.replace(" ", ""))
                     for p in pillars}
    reports = [validate(data, "turtle", engine=engine) for engine in ("turbo", "pyshacl")]
    for report in reports:
        assert {(r.focus.rsplit("/", 1)[-1], r.severity, r.path, r.message, r.shape.rsplit("#", 1)[-1])
                for r in report.results} == expected
        assert all(r.value is None and r.action_id is None and r.row is None for r in report.results)
        text = render_text(report)
        assert "The plan:\n  error   actions: The plan has no actions" in text
        assert "[given:" not in text
    assert list(map(repr, reports[0].results)) == list(map(repr, reports[1].results))

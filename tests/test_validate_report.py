"""The validation report for a person and as JSON (kg/validation_text.py render_text,
grouped_results, Report.to_json) on reports made here, compared whole; and which
format a submission is read as (kg/submission.detect_format), at each edge.
Fast: what mutation testing runs per mutant. Reports of real plans, through the
CLI and HTTP, are tested in tests/test_validate.py and tests/test_plans_http.py."""
from __future__ import annotations

import pytest

from kg.model import UnreadablePlan
from kg.submission import detect_format
from kg.validate import Report, Result
from kg.validation_text import grouped_results, render_text

ID = "https://w3id.org/tckg/id/"
LONG = "x" * 61


def result(severity="Violation", action_id="3", row=None, path="deadline", message="bad",
           value=None, focus=f"{ID}acme/action/3") -> Result:
    return Result(severity=severity, action_id=action_id, row=row, focus=focus, path=path,
                  message=message, value=value, shape=f"{ID}shape")


def report(results, missing=None) -> Report:
    violations = sum(r.severity == "Violation" for r in results)
    return Report(conforms=violations == 0, violations=violations,
                  warnings=len(results) - violations, results=results,
                  not_addressed=missing or {"pillars": [], "recommendations": []},
                  report_ntriples="<x:a> <x:b> <x:c> .\n", without_pillar={"x": "y"},
                  institution="Acme")


RESULTS = [
    result(value="2024-13"),
    result("Warning", path=None, message="no owner", value="ignored: no path"),
    result(action_id="4", row=7, path="text", message="too short", value="x" * 60,
           focus=f"{ID}acme/action/4"),
    result(action_id=None, row=9, path="pillar", message="unknown", value=f"{ID}pillar-{LONG}",
           focus=f"{ID}acme/row/9"),
    result(action_id=None, row=None, path="actions", message="no actions", value="0",
           focus=f"{ID}acme/plan"),
    result(action_id="5", row=None, path="owner", message="long", value=LONG,
           focus=f"{ID}acme/action/5"),
    result(action_id="5", row=None, path="see", message="elsewhere", value="http://e.org/a/b",
           focus=f"{ID}acme/action/5"),
]


def test_results_grouped_by_where_they_point():
    groups = grouped_results(report(RESULTS))
    assert [(where, [RESULTS.index(r) for r in rs]) for where, rs in groups] == [
        ("Action 3", [0, 1]), ("Action 4 (row 7)", [2]), ("Row 9", [3]), ("The plan", [4]),
        ("Action 5", [5, 6])]


def test_the_report_for_a_person_whole():
    text = render_text(
        report(RESULTS, {"pillars": ["Visibility", "Sustainability"], "recommendations": ["R2", "R9"]}),
        suggested_pillars=[{"focus": f"{ID}acme/action/3",
                            "pillars": [{"label": "Visibility", "score": 0.8123},
                                        {"label": "Recognition", "score": 0.5},
                                        {"label": "Sustainability", "score": 0.4}]},
                           {"focus": f"{ID}acme/action/99", "pillars": []}])
    assert text == f"""The plan does not conform: 6 violation(s), 1 warning(s).

Action 3:
  error   deadline: bad [given: 2024-13]
  warning -: no owner
  hint    pillars: suggested from the action's text: Visibility (0.81), Recognition (0.50)

Action 4 (row 7):
  error   text: too short [given: {"x" * 60}]

Row 9:
  error   pillar: unknown [given: pillar-{"x" * 50}...]

The plan:
  error   actions: no actions

Action 5:
  error   owner: long [given: {"x" * 57}...]
  error   see: elsewhere [given: http://e.org/a/b]

Not addressed: pillars: Visibility, Sustainability; TALENT recommendations: R2, R9."""


def test_a_conforming_report_with_nothing_missing():
    assert render_text(report([result("Warning", value="v")])) == """The plan conforms: 0 violation(s), 1 warning(s).

Action 3:
  warning deadline: bad [given: v]

Not addressed: pillars: none; TALENT recommendations: none."""


def peer(pid, score, text="Runs a showcase"):
    return {"id": pid, "institution": "Beta", "link": "suggested" if score else "asserted",
            "score": score, "text": text}


def test_exemplars_where_the_plan_is_silent():
    exemplars = {"recommendations": [{"code": "R2", "label": "Visibility of roles",
                                      "actions": [peer("beta:1", 0.456), peer("beta:2", None, LONG)]},
                                     {"code": "R3", "label": "Empty", "actions": []}],
                 "pillars": [{"label": "Sustainability", "actions": [peer("beta:7", None)]}]}
    text = render_text(report([]), exemplars=exemplars)
    assert text.split("\n\n")[-1] == f"""What other institutions do where this plan is silent:
  R2 Visibility of roles:
    beta:1 (Beta, suggested 0.46): Runs a showcase
    beta:2 (Beta, asserted): {"x" * 57}...
  Sustainability pillar:
    beta:7 (Beta, asserted): Runs a showcase"""


@pytest.mark.parametrize("exemplars", [
    None, {}, {"recommendations": [{"code": "R3", "label": "Empty", "actions": []}],
               "pillars": [{"label": "Visibility", "actions": []}]}])
def test_no_exemplars_no_section(exemplars):
    assert render_text(report([]), exemplars=exemplars).splitlines()[-1] == (
        "Not addressed: pillars: none; TALENT recommendations: none.")


def test_report_as_json_leaves_out_the_internal_parts():
    data = report([RESULTS[0]]).to_json()
    assert data == {"conforms": False, "violations": 1, "warnings": 0,
                    "results": [{"severity": "Violation", "action_id": "3", "row": None,
                                 "focus": f"{ID}acme/action/3", "path": "deadline",
                                 "message": "bad", "value": "2024-13", "shape": f"{ID}shape"}],
                    "not_addressed": {"pillars": [], "recommendations": []}}


@pytest.mark.parametrize("name, content_type, expected", [
    (None, "text/turtle", "turtle"),
    (None, " Text/Turtle ; charset=utf-8", "turtle"),
    (None, "application/ld+json", "json-ld"),
    (None, "application/json", "json-ld"),
    (None, "text/csv", "csv"),
    (None, "text/csv;charset=utf-8", "csv"),
    ("plan.TTL", None, "turtle"),
    ("plan.turtle", None, "turtle"),
    ("plan.jsonld", None, "json-ld"),
    ("plan.json", None, "json-ld"),
    ("plan.csv", None, "csv"),
    ("plan.csv", "application/octet-stream", "csv"),  # an unknown type: the name decides
    ("plan.ttl", "text/csv", "csv"),                   # a known type wins over the name
])
def test_detect_format(name, content_type, expected):
    assert detect_format(name, content_type) == expected


@pytest.mark.parametrize("name, content_type, given", [
    ("plan.txt", None, "'plan.txt'"),
    (None, "text/plain", "'text/plain'"),
    ("plan.xml", "application/xml", "'application/xml'"),
    (None, None, "None"),
    ("csv", None, "'csv'"),   # a name with no extension
])
def test_an_unknown_format_is_refused(name, content_type, given):
    with pytest.raises(UnreadablePlan) as refused:
        detect_format(name, content_type)
    assert str(refused.value) == (f"cannot tell the plan's format from {given}: use one of "
                                  "turtle, json-ld, csv")


def test_a_result_path_as_the_field_an_author_knows():
    """kg/validate._field on each kind of SHACL path: a property, an inverse path,
    a sequence (the project's shapes use none yet: any shape may), a literal."""
    import pyoxigraph as ox

    from kg.validate import _field, _ReportGraph

    sh, rdf, tc = ("http://www.w3.org/ns/shacl#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                   "https://w3id.org/tckg/ontology#")
    graph = _ReportGraph(f"""
_:inv <{sh}inversePath> <{tc}hasAction> .
_:inv2 <{sh}inversePath> <{tc}owner> .
_:seq <{rdf}first> <{tc}owner> .
_:seq <{rdf}rest> _:seq2 .
_:seq2 <{rdf}first> <http://purl.org/dc/terms/description> .
_:seq2 <{rdf}rest> <{rdf}nil> .
_:seq3 <{rdf}first> _:inv .
_:seq3 <{rdf}rest> <{rdf}nil> .
_:empty <urn:x> <urn:y> .
""")
    node = {b.value: b for (b, _), _v in graph._first.items() if isinstance(b, ox.BlankNode)}
    assert {name: _field(graph, n) for name, n in sorted(node.items())} == {
        "empty": None, "inv": "plan", "inv2": "owner", "seq": "action", "seq2": "action",
        "seq3": "plan"}
    assert [_field(graph, ox.NamedNode(iri)) for iri in (
        f"{tc}owner", f"{tc}somethingNew", "https://example.org/a/b/field", "https://example.org/x#y/z")
    ] == ["owner", "somethingNew", "field", "z"]
    assert _field(graph, ox.Literal("owner")) is None


def test_a_reports_counts_and_the_actions_without_a_pillar():
    from kg.validate import validate
    header = "id,parent,action,pillars,recommendations,owner,due,success_measure,status\n"
    rows = ("A1,,Publish profiles of every technical team online,Visibility,R11,HR,2025-06,"
            "Profiles live,in progress\nA2,,Map technical roles across faculties,,,,,,\n")
    report = validate((header + rows).encode(), "csv", institution="University of Example",
                      title="Example plan", start="2025-01", end="2027-12")
    assert [(r.severity, r.action_id, r.path) for r in report.results] == [
        ("Warning", None, "pillars")] * 3 + [
        ("Violation", "A2", "pillars"), ("Warning", "A2", "due"), ("Warning", "A2", "owner"),
        ("Warning", "A2", "success_measure")]
    assert (report.conforms, report.violations, report.warnings, report.institution) == (
        False, 1, 6, "University of Example")
    assert report.without_pillar == {
        f"{ID}university-of-example/action/row-3": "Map technical roles across faculties"}


def test_results_of_one_action_are_ordered_by_field_before_shape():
    from kg.validate import validate
    header = "id,parent,action,pillars,recommendations,owner,due,success_measure,status\n"
    report = validate((header + "A1,,,Visibility,R11,HR,2025-13,Profiles live,in progress\n").encode(),
                      "csv", institution="University of Example", title="Example plan",
                      start="2025-01", end="2027-12")
    assert [(r.severity, r.action_id, r.path, r.shape.rsplit("#", 1)[-1]) for r in report.results] == [
        ("Warning", None, "pillars", "PlanCoversCareerDevelopment"),
        ("Warning", None, "pillars", "PlanCoversRecognition"),
        ("Warning", None, "pillars", "PlanCoversSustainability"),
        ("Violation", "A1", "action", "ActionText"),   # "action" before "due", though
        ("Violation", "A1", "due", "ActionDeadline")]  # ActionDeadline < ActionText

"""SHACL validation of a submitted plan: one path for every input format.

validate() reads the plan into RDF, runs a SHACL engine (pyshacl-turbo by
default, pySHACL as the reference) with the shapes in ontology/shapes/, and turns SHACL's own report into results a plan author can
act on: which action (by their id, and CSV row), which field, what is wrong.

The engines give the report graph as N-Triples, read here with pyoxigraph; an
rdflib Graph of it is built only for who asks (the Turtle download): building
one took ~0.8 s for a 2,000-action plan's 33,000 report triples.
"""
from __future__ import annotations

import logging
import os
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery

from kg import gc_pause
from kg.limits import UPLOAD_BYTES
from kg.model import PILLARS, UnreadablePlan
from kg.ontology import ONTOLOGY_DIR, ontology_graph
from kg.submission import Submission, action_ids, rdflib_graph, read_submission
from kg.vocab import DCAT, PILLAR_IRIS, TC

SHAPE_FILES = ("violations.ttl", "warnings.ttl")
# Ill-typed literals ("2024-13") are expected in submissions and reported by the
# shapes; rdflib's traceback for each would only bury the report.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)
DEFAULT_MAX_BYTES = UPLOAD_BYTES.default

# What a plan author calls each property: the CSV template's column names.
FIELDS = {
    DCTERMS.description: "action", DCTERMS.identifier: "id", DCTERMS.isPartOf: "parent",
    TC.pillar: "pillars", TC.addressesRecommendation: "recommendations", TC.owner: "owner",
    TC.deadline: "due", TC.successMeasure: "success_measure", TC.status: "status",
    TC.hasAction: "actions", DCTERMS.publisher: "institution", DCTERMS.title: "title",
    DCAT.startDate: "start", DCAT.endDate: "end",
}
_FIELDS = {str(iri): name for iri, name in FIELDS.items()}  # by plain string, as pyoxigraph gives


@lru_cache(maxsize=4)
def _compiled(shapes: Graph) -> pyshacl_turbo.CompiledShapes:
    return pyshacl_turbo.compile_shapes(shapes)


def _turbo(submission: Submission) -> str:
    """pyshacl-turbo on the plan's N-Triples, its report as N-Triples. Its native
    call, under the public CompiledShapes.validate: that one reads the report
    back into an rdflib Graph (~0.8 s at 2,000 actions) and takes the plan as an
    rdflib Graph or reads text through one. tests/test_shapes.py checks that this
    report is the public API's."""
    native = _compiled(shapes_graph())._native
    _, report, *_ = native.validate(
        submission.ntriples(), "nt", None,
        False, 100, 15,  # iterate_rules, max_rule_iterations, max_validation_depth (the defaults)
        False, False, True, False,  # inplace, allow_infos, allow_warnings, abort_on_first
        [], [], [])  # focus_nodes, use_shapes, namespaces
    return report


@lru_cache(maxsize=256)
def _prepared(text: str):
    return prepareQuery(text)


class _PreparedQueries(Graph):
    """The submission's graph (its store, not a copy) for pySHACL, which asks
    it one SPARQL constraint per focus node as text: rdflib parsed the same
    text again each time (85% of pySHACL's time on a small plan). Each text is
    prepared once; rdflib's prepared queries are made to be run again."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,
              initBindings=None, use_store_provided=True, **kwargs):
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings,
                             use_store_provided, **kwargs)


def _pyshacl(submission: Submission) -> str:
    data = _PreparedQueries(store=submission.graph.store, identifier=submission.graph.identifier)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph(),
                                    allow_warnings=True, inference="none")
    return report.serialize(format="nt")


# pyshacl-turbo (Rust) gave the same results as pySHACL on every shape test case
# and on the five source plans, 100x faster (benchmarks/bench_validate.py);
# pySHACL stays the reference engine the tests compare against.
ENGINES = {"turbo": _turbo, "pyshacl": _pyshacl}


def engine_name() -> str:
    """$TCKG_SHACL_ENGINE: 'turbo' (default) or 'pyshacl'."""
    name = os.environ.get("TCKG_SHACL_ENGINE", "turbo")
    if name not in ENGINES:
        raise ValueError(f"TCKG_SHACL_ENGINE={name!r}: use one of {', '.join(ENGINES)}")
    return name


def max_upload_bytes() -> int:
    """The size limit for a submitted plan: $TCKG_MAX_UPLOAD_BYTES, default 10 MB
    (kg/limits.py holds every limit)."""
    return UPLOAD_BYTES.value()


class PlanTooLarge(UnreadablePlan):
    pass


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(data=(ONTOLOGY_DIR / "shapes" / name).read_bytes(), format="turtle")
    return graph


def warm() -> None:
    """Parse and compile the shapes now, not in the first validation."""
    _compiled(shapes_graph())


@dataclass
class Result:
    severity: str  # "Violation" or "Warning"
    action_id: str | None
    row: int | None
    focus: str
    path: str | None  # the field, as the CSV template names it
    message: str
    value: str | None
    shape: str


@dataclass
class Report:
    conforms: bool
    violations: int
    warnings: int
    results: list[Result]
    not_addressed: dict[str, list[str]]
    # SHACL's own report graph as N-Triples; `report_graph` reads it into rdflib.
    report_ntriples: str = field(default="", repr=False)
    # Actions with none of the four pillars, focus IRI -> the action's text: what
    # a pillar suggester (search/assistant.py) can help with.
    without_pillar: dict[str, str] = field(default_factory=dict, repr=False)
    # The publishing institution's name: its own actions are no peer exemplars.
    institution: str | None = field(default=None, repr=False)

    @property
    def report_graph(self) -> Graph:
        """SHACL's sh:ValidationReport as an rdflib Graph, with the shapes' prefixes."""
        graph = Graph()
        for prefix, namespace in shapes_graph().namespaces():
            graph.bind(prefix, namespace)
        quads = ox.parse(self.report_ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=True)
        return rdflib_graph((quad.triple for quad in quads), graph)

    def to_json(self) -> dict:
        data = asdict(self)
        for internal in ("report_ntriples", "without_pillar", "institution"):
            data.pop(internal)
        return data


def validate(data: bytes, fmt: str, *, max_bytes: int | None = None, engine: str | None = None,
             **plan_fields) -> Report:
    """Validate a plan given as bytes in 'turtle', 'json-ld' or 'csv'.

    plan_fields (institution, title, start, end) are the plan-level fields a CSV
    carries outside its rows. Raises UnreadablePlan for input that cannot be read.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise PlanTooLarge(f"the plan is {len(data):,} bytes, over the {limit:,}-byte limit")
    with gc_pause.paused():  # 0.1-0.3 s of full collections at 2,000 actions (kg/gc_pause.py)
        return _validate(data, fmt, engine, plan_fields)


def _validate(data: bytes, fmt: str, engine: str | None, plan_fields: dict) -> Report:
    submission = read_submission(data, fmt, **plan_fields)
    return build_report(submission, ENGINES[engine or engine_name()](submission))


def build_report(submission: Submission, report: str) -> Report:
    """The results for the plan's author from the engine's report (N-Triples)."""
    results = sorted(_results(_ReportGraph(report), submission), key=_order)
    violations = sum(r.severity == "Violation" for r in results)
    return Report(conforms=violations == 0, violations=violations,
                  warnings=len(results) - violations, results=results,
                  not_addressed=not_addressed(submission), report_ntriples=report,
                  without_pillar=_without_pillar(submission),
                  institution=_institution(submission))


def _institution(submission: Submission) -> str | None:
    labels = _first_objects(submission, RDFS.label)
    publishers = _all_objects(submission, DCTERMS.publisher)
    for plan in submission.subjects(RDF.type, TC.ActionPlan):
        for publisher in publishers.get(plan, ()):
            if (name := labels.get(publisher)) is not None:
                return name.value
    return None


def _without_pillar(submission: Submission) -> dict[str, str]:
    pillars = {str(iri) for iri in PILLAR_IRIS.values()}
    given = _all_objects(submission, TC.pillar)
    texts = _first_objects(submission, DCTERMS.description)
    return {action.value: texts[action].value if action in texts else ""
            for action in submission.subjects(RDF.type, TC.Action)
            if not pillars & {o.value for o in given.get(action, ()) if isinstance(o, ox.NamedNode)}}


def _all_objects(submission: Submission, predicate: URIRef) -> dict:
    objects = defaultdict(list)
    for s, o in submission.pairs(predicate):
        objects[s].append(o)
    return objects


def _first_objects(submission: Submission, predicate: URIRef) -> dict:
    return {s: o for s, o in reversed(submission.pairs(predicate))}


def _order(result: Result):
    # The focus last: two results alike but for it keep one order from run to run.
    return (result.row or 0, result.action_id or "", result.severity != "Violation",
            result.path or "", result.shape, result.message, result.value or "", result.focus)


class _ReportGraph:
    """The first object of each (subject, predicate) of the report, and its
    results: all _results reads, in one pass over its triples. (Not a pyoxigraph
    Store: it would rename the blank nodes a focus may be, and rewrite values.)"""

    def __init__(self, ntriples: str):
        self._first: dict[tuple, object] = {}
        self.results: list = []
        result_type, kind = str(SH.ValidationResult), str(RDF.type)
        for subject, predicate, value, _ in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES,
                                                     lenient=True):
            predicate = predicate.value
            if predicate in _UNREAD:
                continue
            self._first.setdefault((subject, predicate), value)
            if predicate == kind and value.value == result_type:
                self.results.append(subject)

    def value(self, subject, predicate: str):
        """The first object of (subject, predicate), the predicate's IRI as a
        plain string (an rdflib namespace term costs a Python call each time)."""
        return self._first.get((subject, predicate))


# What the report says that no result needs (a quarter of its triples).
_UNREAD = frozenset(str(p) for p in (SH.result, SH.sourceConstraintComponent, SH.conforms))
_FOCUS, _CONSTRAINT, _SEVERITY, _PATH, _MESSAGE, _VALUE, _SHAPE = (str(p) for p in (
    SH.focusNode, SH.sourceConstraint, SH.resultSeverity, SH.resultPath, SH.resultMessage,
    SH.value, SH.sourceShape))
_INVERSE, _FIRST, _REST, _NIL, _HAS_ACTION = (str(p) for p in (
    SH.inversePath, RDF.first, RDF.rest, RDF.nil, TC.hasAction))


def _text(term) -> str | None:
    return None if term is None else term.value


@lru_cache(maxsize=4)
def _valueless(shapes: Graph) -> frozenset[str]:
    """The SPARQL constraints that select no ?value (the plan-level ones: "no
    action serves the Visibility pillar"). SHACL then gives the focus node as
    the result's value, which is nothing the author wrote: their results show none."""
    return frozenset(str(constraint) for constraint, query in shapes.subject_objects(SH.select)
                     if not re.search(r"[?$]value\b", str(query)))


def _results(report: _ReportGraph, submission: Submission) -> list[Result]:
    ids, valueless = action_ids(submission), _valueless(shapes_graph())
    out: dict[tuple, Result] = {}
    for node in report.results:
        focus = _text(report.value(node, _FOCUS))
        constraint = _text(report.value(node, _CONSTRAINT))
        result = Result(
            severity=str(_text(report.value(node, _SEVERITY))).rsplit("#", 1)[-1],
            action_id=ids.get(focus),
            row=submission.rows.get(focus),
            focus=str(focus),
            path=_field(report, report.value(node, _PATH)),
            message=_text(report.value(node, _MESSAGE)) or "",
            value=None if constraint in valueless else _text(report.value(node, _VALUE)),
            # A SPARQL constraint is named by its own IRI, not its node shape's.
            shape=str(constraint or _text(report.value(node, _SHAPE))),
        )
        # Two components of one shape (sh:or and sh:pattern on a bad date) that
        # fail on the same value say the same thing: the author needs it once.
        out.setdefault((result.focus, result.path, result.shape, result.message, result.value), result)
    return list(out.values())


def _field(report: _ReportGraph, path) -> str | None:
    """A result path as the field name an author knows."""
    if isinstance(path, ox.NamedNode):
        return _FIELDS.get(path.value, path.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    if isinstance(path, ox.BlankNode):
        if (inverse := report.value(path, _INVERSE)) is not None:
            return "plan" if inverse.value == _HAS_ACTION else _field(report, inverse)
        steps = _list(report, path)
        return _field(report, steps[-1]) if steps else None
    return None


def _list(report: _ReportGraph, head) -> list:
    """The members of an RDF list (a sequence path)."""
    items, seen = [], set()
    while head is not None and head.value != _NIL and head not in seen:
        seen.add(head)
        if (first := report.value(head, _FIRST)) is None:
            break
        items.append(first)
        head = report.value(head, _REST)
    return items


def not_addressed(submission: Submission) -> dict[str, list[str]]:
    """Pillars with no action, and R1-R16 no action addresses (directly or
    through the crosswalk from E1-E23)."""
    pillars = {o.value for _, o in submission.pairs(TC.pillar)}
    onto = ontology_graph()
    served = set()
    # A plan states few codes, each many times: each looked up in the ontology once.
    stated = {o.value for _, o in submission.pairs(TC.addressesRecommendation)
              if isinstance(o, ox.NamedNode)}  # a literal or blank node is no recommendation
    for iri in map(URIRef, stated):
        served.add(iri)
        for prop in (SKOS.broadMatch, SKOS.closeMatch):
            served.update(onto.objects(iri, prop))
    summary = sorted(onto.subjects(RDF.type, TC.SummaryRecommendation),
                     key=lambda r: int(str(onto.value(r, SKOS.notation))[1:]))
    return {
        "pillars": [p for p in PILLARS if str(PILLAR_IRIS[p]) not in pillars],
        "recommendations": [str(onto.value(r, SKOS.notation)) for r in summary if r not in served],
    }

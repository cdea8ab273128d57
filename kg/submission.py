"""A submitted plan (Turtle, JSON-LD or the CSV template) read into RDF.

JSON-LD may name the project's own context by its IRI, which is resolved from
the copy shipped in ontology/; any other remote context is refused, never fetched.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg import limits
from kg.model import UnreadablePlan
from kg.ontology import ONTOLOGY_DIR
from kg.plan_csv import read_csv_plan
from kg.rdf import add_plan, new_graph
from kg.vocab import TC, action_iri

CONTEXT_IRI = "https://w3id.org/tckg/context.jsonld"
FORMATS = {"turtle": "text/turtle", "json-ld": "application/ld+json", "csv": "text/csv"}
_EXTENSIONS = {".ttl": "turtle", ".turtle": "turtle", ".jsonld": "json-ld", ".json": "json-ld",
               ".csv": "csv"}


@dataclass
class Submission:
    graph: Graph
    rows: dict[str, int] = field(default_factory=dict)  # action IRI -> CSV row


def detect_format(name: str | None = None, content_type: str | None = None) -> str:
    """'turtle', 'json-ld' or 'csv', from a content type or a file name."""
    if content_type:
        essence = content_type.split(";")[0].strip().lower()
        for fmt, media in FORMATS.items():
            if essence == media or (fmt == "json-ld" and essence == "application/json"):
                return fmt
    if name and (fmt := _EXTENSIONS.get(Path(name).suffix.lower())):
        return fmt
    raise UnreadablePlan(f"cannot tell the plan's format from {content_type or name!r}: "
                         f"use one of {', '.join(FORMATS)}")


def read_submission(data: bytes, fmt: str, **plan_fields) -> Submission:
    submission = _read(data, fmt, **plan_fields)
    # SHACL checks what it targets; a file with no plan gives it nothing to check.
    if (None, RDF.type, TC.ActionPlan) not in submission.graph:
        raise UnreadablePlan(f"the {fmt} holds no plan: describe one resource of type "
                             "tc:ActionPlan (https://w3id.org/tckg/ontology#ActionPlan)")
    return submission


def _read(data: bytes, fmt: str, **plan_fields) -> Submission:
    if fmt == "csv":
        plan = read_csv_plan(data, **plan_fields)
        graph = new_graph()
        add_plan(graph, plan)
        rows = {str(action_iri(plan.slug, a.iri_key)): a.lines[0] for a in plan.actions}
        return Submission(graph, rows)
    if fmt == "turtle":
        _within_limits(limits.check_turtle, data)
        return Submission(_parse(data, "turtle"))
    if fmt == "json-ld":
        _within_limits(limits.check_json, data)
        return Submission(_parse(_local_contexts(data), "json-ld"))
    raise UnreadablePlan(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def _within_limits(check, data: bytes) -> None:
    """Refuse deep nesting before a recursive parser meets it."""
    try:
        check(data.decode("utf-8", errors="replace"))
    except limits.LimitExceeded as err:
        raise UnreadablePlan(str(err)) from None


def _parse(data: bytes, fmt: str) -> Graph:
    graph = new_graph()
    try:
        graph.parse(data=data, format=fmt)
    # rdflib's parse errors: BadSyntax is a SyntaxError, the JSON-LD parser raises
    # ValueError/TypeError, Turtle cut off mid-statement raises IndexError, and an
    # unterminated string (`"0`) trips an assert inside the Turtle parser.
    except (SyntaxError, ValueError, TypeError, IndexError, AssertionError) as err:
        # rdflib's message spans lines (the line, then an excerpt): one line here.
        raise UnreadablePlan(f"the {fmt} does not parse: {' '.join(str(err).split())}") from None
    except RecursionError:  # a nesting the flat scan did not see: refuse it the same way
        raise UnreadablePlan(f"the {fmt} is nested too deeply for the parser") from None
    _check_iris(graph, fmt)
    return graph


# rdflib reads `<urn:a b>` without complaint; the SHACL engine then fails on it
# (found by tests/test_fuzz.py). RFC 3987 allows none of these in an IRI.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _check_iris(graph: Graph, fmt: str) -> None:
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and _NOT_IN_IRI.search(term):
                raise UnreadablePlan(f"the {fmt} holds an IRI with a character IRIs may not "
                                     f"hold (a space, a quote, a bracket or a control "
                                     f"character): {str(term)[:200]!r}")


def _local_contexts(data: bytes) -> bytes:
    """The JSON-LD with the project's context inlined; a remote context refused."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UnreadablePlan(f"the JSON-LD is not valid JSON: {err}") from None
    except RecursionError:
        raise UnreadablePlan("the json-ld is nested too deeply for the parser") from None
    ours = json.loads((ONTOLOGY_DIR / "context.jsonld").read_text(encoding="utf-8"))["@context"]

    def resolve(node):
        if isinstance(node, dict):
            return {k: (resolve_context(v) if k == "@context" else resolve(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    def resolve_context(ctx):
        if isinstance(ctx, list):
            return [resolve_context(c) for c in ctx]
        if isinstance(ctx, str):
            if ctx == CONTEXT_IRI:
                return ours
            raise UnreadablePlan(f"remote JSON-LD context {ctx!r} refused: contexts are never fetched; "
                                 f"use {CONTEXT_IRI} (shipped with tckg) or an inline context")
        if isinstance(ctx, dict) and "@import" in ctx:
            raise UnreadablePlan("JSON-LD @import refused: contexts are never fetched")
        return resolve(ctx)

    return json.dumps(resolve(doc)).encode("utf-8")


def action_ids(graph: Graph) -> dict[str, str]:
    """Action IRI -> the submitter's own id."""
    return {str(s): str(o) for s, o in graph.subject_objects(DCTERMS.identifier)}

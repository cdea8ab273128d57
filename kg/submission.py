"""A submitted plan (Turtle, JSON-LD or the CSV template) read into RDF.

JSON-LD may name the project's own context by its IRI, which is resolved from
the copy shipped in ontology/; any other remote context is refused, never fetched.

Turtle and JSON-LD are parsed by pyoxigraph (Rust): rdflib took ~1.5 s of the
~3 s a 2,000-action plan took to validate. What pyoxigraph refuses or reads
differently from rdflib (a syntax error, a relative IRI, a named graph) is read
by rdflib as before, so the error messages and the triples stay what they were.
"""
from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
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
# A base for relative IRIs in JSON-LD, so that they show; ".invalid" names no real host.
_RELATIVE_BASE = "https://relative.tckg.invalid/"


@dataclass
class Submission:
    """The plan's triples as pyoxigraph read them, each once, in the order read
    (its terms: `.value` is an IRI, a blank node's id or a literal's lexical form
    as written; a Store would rewrite both), their N-Triples (what the SHACL
    engine reads) and, for a CSV, each action's row. Lookups go through an index
    by predicate made in one pass: a pyoxigraph Dataset took 0.1 s to fill with a
    2,000-action plan's 21,000 triples, three times the parse."""
    triples: list  # pyoxigraph Quads, in the default graph
    rows: dict[str, int] = field(default_factory=dict)  # action IRI -> CSV row
    text: str | None = field(default=None, repr=False)  # their N-Triples, when made already

    def ntriples(self) -> str:
        if self.text is None:
            self.text = ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        return self.text

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib Graph, built when asked for: publishing and
        the reference SHACL engine (pySHACL) read one, validation does not."""
        return rdflib_graph((quad.triple for quad in self.triples), new_graph())

    @cached_property
    def _by_predicate(self) -> dict[str, list[tuple]]:
        index: dict[str, list[tuple]] = {}
        for s, p, o, _ in self.triples:
            index.setdefault(p.value, []).append((s, o))
        return index

    def pairs(self, predicate: URIRef) -> list[tuple]:
        """(subject, object) of every triple with this predicate."""
        return self._by_predicate.get(str(predicate), [])

    def subjects(self, predicate: URIRef, value: URIRef) -> list:
        value = str(value)  # an rdflib URIRef equals no plain string
        return [s for s, o in self.pairs(predicate) if isinstance(o, ox.NamedNode) and o.value == value]


def _distinct(quads) -> list:
    """Each triple once (a plan may state one twice), in the order read."""
    return list(dict.fromkeys(quads))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_graph(triples, graph: Graph) -> Graph:
    """pyoxigraph triples added to an rdflib Graph, literals as written: rdflib
    would rewrite "2026-06-01Z"^^xsd:date as "2026-06-01" (normalize), and the
    shapes must judge what the author wrote, on either engine."""
    terms: dict = {}

    def term(node):
        if (known := terms.get(node)) is None:
            if isinstance(node, ox.NamedNode):
                known = URIRef(node.value)
            elif isinstance(node, ox.BlankNode):
                known = BNode(node.value)
            elif node.language:
                known = Literal(node.value, lang=node.language, normalize=False)
            else:
                datatype = node.datatype.value
                known = Literal(node.value, datatype=None if datatype == _XSD_STRING else
                                URIRef(datatype), normalize=False)
            terms[node] = known
        return known

    for s, p, o in triples:
        graph.add((term(s), term(p), term(o)))
    return graph


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
    if not submission.subjects(RDF.type, TC.ActionPlan):
        raise UnreadablePlan(f"the {fmt} holds no plan: describe one resource of type "
                             "tc:ActionPlan (https://w3id.org/tckg/ontology#ActionPlan)")
    return submission


def _read(data: bytes, fmt: str, **plan_fields) -> Submission:
    if fmt == "csv":
        plan = read_csv_plan(data, **plan_fields)
        triples = _TripleSet()
        add_plan(triples, plan)
        submission = triples.stored()
        submission.rows = {str(action_iri(plan.slug, a.iri_key)): a.lines[0] for a in plan.actions}
        return submission
    if fmt == "turtle":
        _within_limits(limits.check_turtle, data)
        return _parse(data, "turtle")
    if fmt == "json-ld":
        _within_limits(limits.check_json, data)
        return _parse(_local_contexts(data), "json-ld")
    raise UnreadablePlan(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


class _TripleSet:
    """What kg.rdf.add_plan writes into, in place of an rdflib Graph: adding to a
    Graph cost more than the rest of reading a CSV plan. Each triple is kept as
    its N-Triples line, which is also how it is told from a repeat (an rdflib
    term's hash is computed in Python)."""

    def __init__(self):
        self._lines: dict[str, None] = {}  # a set that keeps the order

    def add(self, triple: tuple) -> None:
        s, p, o = triple
        self._lines[f"{_nt(s)} {_nt(p)} {_nt(o)} .\n"] = None

    def bind(self, *_args, **_kwargs) -> None:
        pass

    def stored(self) -> Submission:
        return _from_ntriples("".join(self._lines), "csv")


def _from_rdflib(triples, fmt: str) -> Submission:
    return _from_ntriples("".join(f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in triples), fmt)


def _from_ntriples(text: str, fmt: str) -> Submission:
    """N-Triples made from rdflib triples, read by pyoxigraph and kept (the
    engine reads the same text). What rdflib let through but RDF cannot hold is
    refused here (the SHACL engine fails on it): in a CSV, a code that makes no IRI (a space or a second '#'); in Turtle or JSON-LD,
    which rdflib reads leniently, a literal subject or predicate, or an escape such
    as \\uD801 that decodes to a lone surrogate, which no UTF-8 can hold."""
    problem = "holds a value that makes an invalid IRI" if fmt == "csv" else "does not parse"
    try:
        return Submission(list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)), text=text)
    except UnicodeEncodeError:
        raise UnreadablePlan(f"the {fmt} {problem}: it holds an escape that is no Unicode "
                             "character (a lone surrogate such as \\uD801)") from None
    except SyntaxError as err:
        raise UnreadablePlan(f"the {fmt} {problem}: {_without_position(err)}") from None


def _without_position(err: SyntaxError) -> str:
    """The parser's message without its line and column, which are of the
    N-Triples made above, not of the author's file."""
    message = " ".join(str(err).split())
    message = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", message)
    return re.sub(r" \(line \d+\)$", "", message)


def _nt(term) -> str:
    # rdflib's n3() raises a bare Exception on a bad IRI: the parser says what is wrong.
    return f"<{term}>" if isinstance(term, URIRef) else term.n3()


def _within_limits(check, data: bytes) -> None:
    """Refuse deep nesting before a recursive parser meets it."""
    try:
        check(data.decode("utf-8", errors="replace"))
    except limits.LimitExceeded as err:
        raise UnreadablePlan(str(err)) from None


def _parse(data: bytes, fmt: str) -> Submission:
    submission = _parse_fast(data, fmt)
    return _from_rdflib(_parse_rdflib(data, fmt), fmt) if submission is None else submission


def _parse_fast(data: bytes, fmt: str) -> Submission | None:
    """pyoxigraph's reading, or None where it would differ from rdflib's."""
    try:
        data.decode("utf-8")  # pyoxigraph passes over bad bytes in a comment; rdflib says where
    except UnicodeDecodeError:
        return None
    # A named graph is an error: rdflib's Graph reads its triples otherwise.
    try:
        if fmt == "turtle":  # strict: a bad or relative IRI is a syntax error
            return Submission(_distinct(ox.parse(data, format=ox.RdfFormat.TURTLE,
                                                 without_named_graphs=True)))
        # JSON-LD drops a triple with a bad IRI silently, and one with a relative
        # IRI when no base is given (rdflib resolves it against the working
        # folder): read leniently against a base of our own, such triples are
        # kept, then found.
        submission = Submission(_distinct(ox.parse(data, format=ox.RdfFormat.JSON_LD,
                                                   base_iri=_RELATIVE_BASE, lenient=True,
                                                   without_named_graphs=True)))
        text = submission.ntriples()
        deque(ox.parse(text, format=ox.RdfFormat.N_TRIPLES), maxlen=0)  # strict: a bad IRI raises
    except (SyntaxError, ValueError):
        return None
    return None if _RELATIVE_BASE in text else submission


def _parse_rdflib(data: bytes, fmt: str) -> Graph:
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


def action_ids(submission: Submission) -> dict[str, str]:
    """Action IRI -> the submitter's own id; an action given several (itself a
    violation) shows them all, sorted, so a report reads the same at every run
    (the dataset's order is not stable)."""
    ids: dict[str, list[str]] = {}
    for s, o in submission.pairs(DCTERMS.identifier):
        ids.setdefault(s.value, []).append(o.value)
    return {action: ", ".join(sorted(given)) for action, given in ids.items()}

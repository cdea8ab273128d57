"""Refusals of kg/submission.py's readers, each message compared whole: what an
author is told when a plan holds an IRI no RDF can hold or asks for a context
from the network. Fast (no shapes): what mutation testing runs per mutant of
this module; whole validations are in tests/test_validate.py."""
from __future__ import annotations

import json

import pytest

from kg.model import UnreadablePlan
from kg.submission import read_submission

CONTEXT = "https://w3id.org/tckg/context.jsonld"
PLAN = b"""@prefix tc: <https://w3id.org/tckg/ontology#> .
<https://example.org/p> a tc:ActionPlan .
"""


def refusal(data: bytes, fmt: str, **fields) -> str:
    with pytest.raises(UnreadablePlan) as caught:
        read_submission(data, fmt, **fields)
    return str(caught.value)


def jsonld(context) -> bytes:
    return json.dumps({"@context": context, "@id": "https://example.org/p",
                       "@type": "ActionPlan"}).encode()


@pytest.mark.parametrize("parent, problem", [
    ("Z 9", "Invalid IRI code point ' '"),
    ("x#y#z", "Invalid IRI code point '#'"),
    ("x\\y", "Unexpected escape character '\\y'"),
])
def test_a_csv_value_that_makes_no_iri_is_named_without_the_parsers_position(parent, problem):
    data = f"id,parent,action,pillars\nA1,{parent},Do it,Visibility\n".encode()
    assert refusal(data, "csv", institution="University of Example") == (
        f"the csv holds a value that makes an invalid IRI: {problem}")


@pytest.mark.parametrize("iri, shown", [
    ("urn:a b", "urn:a b"),
    ("urn:" + "x" * 195 + " " + "y" * 10, "urn:" + "x" * 195 + " "),  # the first 200 characters
])
def test_a_turtle_iri_with_a_space_is_refused_naming_it(iri, shown):
    assert refusal(PLAN + f"<{iri}> <urn:p> <urn:o> .\n".encode(), "turtle") == (
        "the turtle holds an IRI with a character IRIs may not hold (a space, a quote, "
        f"a bracket or a control character): {shown!r}")


@pytest.mark.parametrize("context, message", [
    ({"@import": "http://127.0.0.1:9/ctx"}, "JSON-LD @import refused: contexts are never fetched"),
    ([CONTEXT, {"@import": "http://127.0.0.1:9/ctx"}],
     "JSON-LD @import refused: contexts are never fetched"),
    ("http://127.0.0.1:9/context.jsonld",
     ("remote JSON-LD context 'http://127.0.0.1:9/context.jsonld' refused: contexts are never "
     f"fetched; use {CONTEXT} (shipped with tckg) or an inline context")),
])
def test_a_context_from_the_network_is_refused_whole(context, message):
    assert refusal(jsonld(context), "json-ld") == message


def test_the_rdflib_graph_keeps_every_literal_as_written():
    """What publishing and pySHACL read: terms as the author wrote them, not as
    rdflib would normalise them ("+05"^^xsd:integer is not rewritten as "5")."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    data = PLAN + b"""<https://example.org/p> <urn:a> "Plan"@en-GB, "plain", "+05"^^<http://www.w3.org/2001/XMLSchema#integer>,
    "2026-06-01Z"^^<http://www.w3.org/2001/XMLSchema#date>, _:b1 .
"""
    graph = read_submission(data, "turtle").graph
    values = {(o, o.language, o.datatype) if isinstance(o, Literal) else type(o)
              for o in graph.objects(URIRef("https://example.org/p"), URIRef("urn:a"))}
    assert values == {(Literal("Plan", lang="en-gb"), "en-gb", None), (Literal("plain"), None, None),
                      (Literal("+05", datatype=XSD.integer, normalize=False), None, XSD.integer),
                      (Literal("2026-06-01Z", datatype=XSD.date, normalize=False), None, XSD.date),
                      BNode}
    assert sorted(str(o) for o in graph.objects(None, URIRef("urn:a"))
                  if isinstance(o, Literal)) == ["+05", "2026-06-01Z", "Plan", "plain"]


def test_a_nesting_past_rdflibs_recursion_is_refused_like_one_past_the_limit(monkeypatch):
    """With the flat scan's limit raised, rdflib (reached through the relative IRI
    pyoxigraph refuses) runs out of stack: refused with the same words, not a crash."""
    monkeypatch.setenv("TCKG_MAX_RDF_DEPTH", "100000")
    depth = 3000
    data = b"<rel> <urn:p> " + b"[ <urn:q> " * depth + b"<urn:o>" + b" ]" * depth + b" .\n"
    assert refusal(data, "turtle") == "the turtle is nested too deeply for the parser"


def test_a_json_nesting_past_pythons_recursion_is_refused_in_words(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_RDF_DEPTH", "1000000")
    data = b"[" * 200_000 + b"]" * 200_000
    assert refusal(data, "json-ld") == "the json-ld is nested too deeply for the parser"


def test_a_null_context_is_no_context_not_a_crash():
    data = b'{"@context": null, "@id": "urn:a", "urn:p": "x"}'
    assert refusal(data, "json-ld") == ("the json-ld holds no plan: describe one resource of type "
                                        "tc:ActionPlan (https://w3id.org/tckg/ontology#ActionPlan)")

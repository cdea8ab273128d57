"""kg/store/query.py in process, on a graph of four triples: each format's body
parsed back in the format it names and compared whole, refusals with their
messages. Fast: what mutation testing runs per mutant of the module; the same
answers over HTTP are tested in tests/test_sparql_http.py."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph

from kg.store import memory_store
from kg.store.guard import QueryRefused
from kg.store.query import Answer, QuerySyntaxError, example_queries, run, select_rows

DATA = b"""<http://e.org/a> <http://e.org/p> "one" .
<http://e.org/a> <http://e.org/p> "two" .
<http://e.org/b> <http://e.org/q> <http://e.org/a> .
<http://e.org/b> <http://e.org/p> "caf\\u00E9" .
"""
SELECT = "SELECT ?o WHERE { <http://e.org/a> <http://e.org/p> ?o } ORDER BY ?o"
CONSTRUCT = "CONSTRUCT { ?s <http://e.org/p> ?o } WHERE { ?s <http://e.org/p> ?o }"
SR = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def small():
    return memory_store(DATA)


def test_select_defaults_to_sparql_json(small):
    answer = run(small, SELECT)
    assert answer.media_type == "application/sparql-results+json"
    body = json.loads(answer.body)
    assert body["head"]["vars"] == ["o"]
    assert [b["o"] for b in body["results"]["bindings"]] == [
        {"type": "literal", "value": "one"}, {"type": "literal", "value": "two"}]


def test_select_as_xml_csv_and_tsv(small):
    xml = run(small, SELECT, "xml")
    assert xml.media_type == "application/sparql-results+xml"
    root = ET.fromstring(xml.body)
    assert [lit.text for lit in root.iter(f"{SR}literal")] == ["one", "two"]
    table = run(small, SELECT, "csv")
    assert table.media_type == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(table.body.decode()))) == [["o"], ["one"], ["two"]]
    tsv = run(small, SELECT, "tsv")
    assert tsv.media_type == "text/tab-separated-values; charset=utf-8"
    assert tsv.body.decode().splitlines() == ["?o", '"one"', '"two"']


def test_ask_defaults_to_json(small):
    assert json.loads(run(small, "ASK { ?s <http://e.org/q> ?o }").body) == {
        "head": {}, "boolean": True}
    assert json.loads(run(small, "ASK { ?s <http://e.org/r> ?o }").body)["boolean"] is False


EXPECTED_GRAPH = {("http://e.org/a", "one"), ("http://e.org/a", "two"), ("http://e.org/b", "café")}


@pytest.mark.parametrize("fmt, media_type, rdflib_format", [
    (None, "text/turtle", "turtle"),
    ("turtle", "text/turtle", "turtle"),
    ("ntriples", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "json-ld"),
])
def test_construct_in_each_graph_format(small, fmt, media_type, rdflib_format):
    answer = run(small, CONSTRUCT, fmt)
    assert answer.media_type == media_type
    graph = Graph().parse(data=answer.body, format=rdflib_format)
    assert {(str(s), str(o)) for s, _, o in graph} == EXPECTED_GRAPH


SOLUTIONS = "use one of: json, xml, csv, tsv"


@pytest.mark.parametrize("query, fmt, message", [
    (SELECT, "turtle", f"format 'turtle' does not fit a SELECT/ASK query; {SOLUTIONS}"),
    (CONSTRUCT, "json", "format 'json' does not fit a CONSTRUCT/DESCRIBE query; use one of: "
                        + "turtle, ntriples, jsonld"),
    (SELECT, "yaml", f"format 'yaml' does not fit a SELECT/ASK query; {SOLUTIONS}"),
])
def test_a_format_that_does_not_fit_is_refused(small, query, fmt, message):
    with pytest.raises(QueryRefused) as refused:
        run(small, query, fmt)
    assert str(refused.value) == message


def test_a_syntax_error_names_where():
    with pytest.raises(QuerySyntaxError, match=r"^SPARQL syntax .*1:"):
        run(memory_store(DATA), "SELECT ?o WHERE { ?s ?p }")


def test_text_that_is_not_unicode_is_a_syntax_error_not_a_crash(small):
    with pytest.raises(QuerySyntaxError) as refused:
        run(small, 'SELECT ?o WHERE { ?s ?p "\udcff" }')
    assert str(refused.value) == ("the query is not valid Unicode text (surrogates not allowed "
                                  "at character 25)")


def test_non_ascii_unicode_is_answered(small):
    rows = select_rows(small, 'SELECT ?s WHERE { ?s ?p "café" }')
    assert rows == [{"s": "http://e.org/b"}]


def test_an_update_is_refused_before_the_engine(small):
    with pytest.raises(QueryRefused):
        run(small, "INSERT DATA { <http://e.org/x> <http://e.org/p> 1 }")
    assert len(small) == 4


def test_select_rows_binds_values_and_leaves_unbound_out(small):
    import pyoxigraph as ox

    query = "SELECT ?s ?o ?none WHERE { ?s <http://e.org/p> ?o OPTIONAL { ?s <http://e.org/z> ?none } } ORDER BY ?o"
    assert select_rows(small, query, s=ox.NamedNode("http://e.org/a")) == [
        {"s": "http://e.org/a", "o": "one"}, {"s": "http://e.org/a", "o": "two"}]
    assert select_rows(small, query) == [
        {"s": "http://e.org/b", "o": "café"}, {"s": "http://e.org/a", "o": "one"},
        {"s": "http://e.org/a", "o": "two"}]


def test_example_queries_by_name_with_titles():
    found = example_queries()
    names = [name for name, _, _ in found]
    folder = Path(__file__).resolve().parents[1] / "ontology" / "queries"
    assert names == sorted(p.name for p in folder.glob("*.rq")) and len(names) >= 9
    for name, title, text in found:
        assert title and not title.startswith("#") and text.startswith(f"# title: {title}\n"), name


def test_an_answer_is_its_body_and_type():
    assert Answer(b"x", "text/plain") == Answer(b"x", "text/plain")


def test_an_outcome_reads_back_as_pyoxigraph_results():
    import pyoxigraph as ox

    from kg.store.base import Outcome
    assert [bool(Outcome("boolean", body, False).results()) for body in (b"true", b"false")] == [
        True, False]
    rows = Outcome("solutions", b"?a\t?b\n<urn:x>\t\"y\"\n", False).results()
    assert [(r["a"], r["b"]) for r in rows] == [(ox.NamedNode("urn:x"), ox.Literal("y"))]
    assert Outcome("triples", b"<urn:a> <urn:b> <urn:c> .\n", False).results() == [
        ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c"))]

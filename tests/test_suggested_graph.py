"""How the graph says suggested links (kg/suggested.py): the whole graph of a
run compared with one written out by hand, with and without curated labels.
Fast: what mutation testing runs per mutant of this module. The links
themselves (search/linking.py) are tested in tests/test_suggested_links.py."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from kg.suggested import RUN, Run, Suggestion, suggested_link_iri, suggestion_graph
from kg.vocab import TCID

PREFIXES = """
@prefix tc: <https://w3id.org/tckg/ontology#> .
@prefix id: <https://w3id.org/tckg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
ACTION = "https://w3id.org/tckg/id/alpha/action/1"
STARTED = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
RUN_ONLY = """
id:suggestion-run a tc:SuggestionRun ;
    rdfs:label "suggested TALENT links, kNN 2" ;
    tc:method "kNN 2" ;
    prov:used id:model/all-minilm-l6-v2 ;
    prov:startedAtTime "2026-01-02T09:30:00+00:00"^^xsd:dateTime ;
    prov:endedAtTime "2026-01-02T09:31:05+00:00"^^xsd:dateTime .
id:model/all-minilm-l6-v2 a prov:Entity ; rdfs:label "all-MiniLM-L6-v2" .
"""


def run(**labels) -> Run:
    return Run("all-MiniLM-L6-v2", "kNN 2", STARTED, STARTED + timedelta(seconds=65), **labels)


def same(graph: Graph, turtle: str) -> None:
    # id:x/y is no Turtle name: written out whole
    turtle = re.sub(r"\bid:([\w/.-]+)", r"<https://w3id.org/tckg/id/\1>", turtle)
    expected = Graph().parse(data=PREFIXES + turtle, format="turtle")
    assert isomorphic(graph, expected), (
        sorted(to_isomorphic(graph) - to_isomorphic(expected)),
        sorted(to_isomorphic(expected) - to_isomorphic(graph)))


def test_a_run_and_its_links_whole():
    graph = suggestion_graph([Suggestion(ACTION, "R5", 0.123456, 1),
                              Suggestion(ACTION, "e3", 0.4, 2)], run())
    same(graph, RUN_ONLY + """
<https://w3id.org/tckg/id/alpha/action/1> tc:suggestedLink
    <https://w3id.org/tckg/id/alpha/action/1/suggested/R5>,
    <https://w3id.org/tckg/id/alpha/action/1/suggested/e3> .
<https://w3id.org/tckg/id/alpha/action/1/suggested/R5> a tc:SuggestedLink ;
    tc:suggestedRecommendation id:talent-R5 ;
    tc:score "0.1235"^^xsd:decimal ; tc:rank 1 ; prov:wasGeneratedBy id:suggestion-run .
<https://w3id.org/tckg/id/alpha/action/1/suggested/e3> a tc:SuggestedLink ;
    tc:suggestedRecommendation id:talent-E3 ;
    tc:score "0.4000"^^xsd:decimal ; tc:rank 2 ; prov:wasGeneratedBy id:suggestion-run .
""")


def test_a_run_with_curated_labels_names_the_file_and_its_checksum():
    node = TCID["suggestion-run/plan-x"]
    graph = suggestion_graph([], run(labels_file="talent-links.csv", labels_sha256="ab" * 32), node)
    same(graph, RUN_ONLY.replace("id:suggestion-run", "id:suggestion-run/plan-x") + f"""
id:suggestion-run/plan-x prov:used id:labels/talent-links.csv .
id:labels/talent-links.csv a prov:Entity ; dct:identifier "talent-links.csv" ;
    rdfs:label "curated TALENT links: talent-links.csv" ; tc:sha256 "{"ab" * 32}" .
""")


def test_the_link_iri_and_the_run_node():
    assert str(suggested_link_iri(ACTION, "R5")) == ACTION + "/suggested/R5"
    assert str(RUN) == "https://w3id.org/tckg/id/suggestion-run"

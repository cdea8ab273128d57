"""The built graph: structure, stable IRIs, idempotent builds, failed builds."""
from __future__ import annotations

import shutil

import pytest
from pyoxigraph import NamedNode

from kg.build import SOURCES_DIR, build_graph
from kg.model import SourceError
from kg.store import GRAPH_DIR, open_store
from kg.store.query import select_rows

TC = "https://w3id.org/tckg/ontology#"
ID = "https://w3id.org/tckg/id/"
PREFIXES = f"""PREFIX tc: <{TC}> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"""


def _dump(home) -> bytes:
    store = open_store(home)
    return b"\n".join(sorted(str(q).encode() for q in store))


def test_plans_have_every_action_and_a_labelled_publisher(store, plans):
    rows = select_rows(store, PREFIXES + """
        SELECT ?name (COUNT(?a) AS ?n) WHERE {
          ?plan a tc:ActionPlan ; dct:publisher/rdfs:label ?name ; tc:hasAction ?a . ?a a tc:Action }
        GROUP BY ?name""")
    assert {r["name"]: int(r["n"]) for r in rows} == {
        p.institution: len(p.actions) for p in plans.values()}


def test_sub_actions_are_part_of_a_parent_in_the_same_plan(store):
    rows = select_rows(store, PREFIXES + """
        SELECT ?child ?parent WHERE { ?child dct:isPartOf ?parent .
          ?plan tc:hasAction ?child . FILTER NOT EXISTS { ?plan tc:hasAction ?parent } }""")
    assert rows == []
    count = select_rows(store, PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?c dct:isPartOf ?p }")
    assert count == [{"n": "20"}]


def test_action_iris_derive_from_institution_and_local_id(store):
    iri = ID + "leicester/action/CD2c"
    rows = select_rows(store, PREFIXES + "SELECT ?a ?id WHERE { ?a dct:identifier ?id }",
                       a=NamedNode(iri))
    assert rows == [{"a": iri, "id": "CD2c"}]


def test_leicester_r1a_is_not_linked_to_talent_r1(store):
    rows = select_rows(store, PREFIXES + f"""
        SELECT ?rec WHERE {{ <{ID}leicester/action/R1a> tc:addressesRecommendation ?rec }}""")
    assert rows == []
    assert bool(store.query(PREFIXES + f"ASK {{ <{ID}leicester/action/R1a> tc:talentLinkStated true }}"))


def test_every_action_cites_its_source_file_and_lines(store):
    rows = select_rows(store, PREFIXES + """
        SELECT ?a WHERE { ?a a tc:Action .
          FILTER NOT EXISTS { ?a prov:wasDerivedFrom ?src ; tc:sourceLineStart ?s ; tc:sourceLineEnd ?e .
                              ?src a tc:SourceDocument ; tc:sha256 ?sum } }""")
    assert rows == []


def test_normalised_values_keep_their_source_wording(store):
    rows = select_rows(store, PREFIXES + f"""
        SELECT ?due ?end ?start ?wording ?owner WHERE {{
          <{ID}leicester/action/V1b> tc:deadline ?due ; tc:dueBy ?end ; tc:startDate ?start ;
             tc:timeframeWording ?wording ; tc:ownerWording ?owner }}""")
    assert rows == [{"due": "2024-12", "end": "2024-12-31", "start": "2024-01", "wording": "P1",
                     "owner": "SG to identify case studies in their area / GB to showcase"}]


def test_owners_are_normalised_to_stakeholder_types(store):
    rows = select_rows(store, PREFIXES + f"""
        SELECT ?label ?type WHERE {{ <{ID}portsmouth/action/2> tc:owner ?o .
          ?o rdfs:label ?label ; tc:stakeholderType/skos:prefLabel ?type }} ORDER BY ?label""")
    assert rows == [
        {"label": "Learning & Development", "type": "Learning and organisational development"},
        {"label": "Technician Commitment Steering Group", "type": "Technician Commitment steering group"},
    ]


def test_status_comes_from_the_status_scheme_with_its_wording(store):
    rows = select_rows(store, PREFIXES + f"""
        SELECT ?status ?wording WHERE {{ <{ID}ntu/action/15> tc:status ?status ; tc:statusWording ?wording }}""")
    assert rows == [{"status": ID + "status-complete", "wording": "Complete"}]


def test_rebuild_gives_the_same_graph(tmp_path, built_home):
    build_graph(tmp_path)
    assert _dump(tmp_path) == _dump(built_home)


def test_a_source_that_does_not_parse_fails_and_keeps_the_previous_graph(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    home = tmp_path / "home"
    build_graph(home, sources)
    before = _dump(home)
    broken = sources / "leicester-2024.txt"
    broken.write_text(broken.read_text(encoding="utf-8").replace("Phase ", "Stage "),
                      encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build_graph(home, sources)
    assert "leicester-2024.txt:1:" in str(err.value) and "phase key" in str(err.value)
    assert _dump(home) == before
    assert sorted(p.name for p in home.iterdir()) == [GRAPH_DIR]


def test_a_broken_row_is_reported_with_its_line(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    path = sources / "ntu-2020-updated-2023.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[45] = lines[45].replace("\t", " ", 2)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match=r"ntu-2020-updated-2023.txt:46: expected 7"):
        build_graph(tmp_path / "home", sources)


def test_the_in_memory_copy_holds_the_same_graph(built_home):
    disk, memory = open_store(built_home), open_store(built_home, in_memory=True)
    assert sorted(map(str, memory)) == sorted(map(str, disk))
    assert len(memory) > 3000

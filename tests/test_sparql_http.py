"""/sparql over HTTP, in process with FastAPI's TestClient on the real graph, on each
backend: the embedded store and a real external SPARQL server."""
from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
import rdflib

COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/tckg/ontology#Action> }"
PLANS = "CONSTRUCT { ?p a ?t } WHERE { ?p a <https://w3id.org/tckg/ontology#ActionPlan> ; a ?t }"
INSTITUTIONS = """SELECT ?name (COUNT(?a) AS ?actions) WHERE {
  ?plan <http://purl.org/dc/terms/publisher>/<http://www.w3.org/2000/01/rdf-schema#label> ?name ;
        <https://w3id.org/tckg/ontology#hasAction> ?a .
} GROUP BY ?name ORDER BY ?name"""
# Worked out from the sources (tests/golden): actions per institution, by name.
INSTITUTION_ROWS = [["Manchester Metropolitan University", "58"],
                    ["Northumbria University", "39"], ["Nottingham Trent University", "19"],
                    ["University of Leicester", "35"], ["University of Portsmouth", "21"]]




def test_get_query_answers_sparql_json_by_default(each_client):
    response = each_client.get("/sparql", params={"query": COUNT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "172"


def select_rows_in(media_type: str, body: str) -> list[list[str]]:
    """The rows of a SELECT answer, read in the format its header announces."""
    kind = media_type.split(";")[0]
    if kind == "application/sparql-results+json":
        data = json.loads(body)
        names = data["head"]["vars"]
        return [names] + [[b[n]["value"] for n in names] for b in data["results"]["bindings"]]
    if kind == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ElementTree.fromstring(body)
        names = [v.get("name") for v in root.findall("r:head/r:variable", ns)]
        return [names] + [[r.find(f"r:binding[@name='{n}']/*", ns).text for n in names]
                          for r in root.findall("r:results/r:result", ns)]
    if kind == "text/csv":
        return list(csv.reader(io.StringIO(body)))
    if kind == "text/tab-separated-values":
        rows = [line.split("\t") for line in body.splitlines()]
        return [[n.lstrip("?") for n in rows[0]]] + [[v.split("^^")[0].strip('"') for v in r]
                                                      for r in rows[1:]]
    raise AssertionError(f"unexpected media type {media_type}")


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_content_negotiation(each_client, accept, media_type):
    """Each body parses in the format its header announces, with the same rows."""
    response = each_client.get("/sparql", params={"query": INSTITUTIONS}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert select_rows_in(media_type, response.text) == [["name", "actions"], *INSTITUTION_ROWS]


@pytest.mark.parametrize("accept, media_type, fmt", [
    (None, "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
def test_construct_content_negotiation(each_client, accept, media_type, fmt):
    """Each body parses as the RDF syntax its header announces, to the same graph."""
    headers = {"accept": accept} if accept else {}
    response = each_client.get("/sparql", params={"query": PLANS}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = rdflib.Graph().parse(data=response.text, format=fmt)
    tc = rdflib.Namespace("https://w3id.org/tckg/ontology#")
    plans = set(graph.subjects(rdflib.RDF.type, tc.ActionPlan))
    assert len(plans) == 5 and len(graph) == 5
    assert rdflib.URIRef("https://w3id.org/tckg/id/ntu/plan") in plans


def test_post_form_and_sparql_query_body(each_client):
    form = each_client.post("/sparql", data={"query": COUNT}, headers={"accept": "text/csv"})
    assert form.status_code == 200
    assert list(csv.reader(io.StringIO(form.text))) == [["n"], ["172"]]
    body = each_client.post("/sparql", content=COUNT, headers={"content-type": "application/sparql-query"})
    assert body.status_code == 200 and body.json()["results"]["bindings"][0]["n"]["value"] == "172"


def test_get_without_query_gives_a_service_description(each_client):
    response = each_client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert "sd:SPARQL11Query" in response.text


@pytest.mark.parametrize("call, status, message", [
    (lambda c: c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400, "error at 1:"),
    (lambda c: c.get("/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}),
     400, "SERVICE clauses are not allowed"),
    (lambda c: c.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}), 400,
     "updates (INSERT) are not allowed"),
    (lambda c: c.post("/sparql", data={"update": "DROP ALL"}), 403, "read-only"),
    (lambda c: c.post("/sparql", content="DROP ALL", headers={"content-type": "application/sparql-update"}),
     403, "read-only"),
    (lambda c: c.post("/sparql", content=COUNT, headers={"content-type": "text/plain"}), 415,
     "unsupported content type"),
    (lambda c: c.get("/sparql", params={"query": COUNT}, headers={"accept": "image/png"}), 406,
     "cannot answer"),
])
def test_errors_share_one_json_shape(each_client, call, status, message):
    response = call(each_client)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert message in body["error"]["message"]


def test_healthz(each_client):
    response = each_client.get("/healthz")
    assert response.status_code == 200 and response.json()["actions"] == 172

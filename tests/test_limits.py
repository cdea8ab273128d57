"""The input limits (kg/limits.py): each one on both sides of its edge, in the
library, over HTTP (the real app) and on the command line; and the catch-all
that answers an unexpected error in the JSON shape with a logged request id."""
from __future__ import annotations

import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from kg import limits
from kg.model import UnreadablePlan
from kg.store.guard import QueryRefused, check_query
from kg.validate import validate
from tests.conftest import ROOT, documentation, tckg
from tests.test_api import error_of
from tests.test_validate import HEADER, PLAN, _jsonld

SHAPE_EXAMPLE = (ROOT / "tests" / "shapes" / "action-text.ttl").read_bytes()
CSV_FIELDS = {"institution": "University of Example", "title": "Example plan"}


def nested_groups(depth: int) -> str:
    """A SELECT whose group graph patterns nest `depth` deep (WHERE's own counts)."""
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o" + " }" * depth + " LIMIT 1"


def nested_parentheses(count: int) -> str:
    return "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * count + "true" + ")" * count + ") } LIMIT 1"


def turtle_nested(depth: int) -> bytes:
    """A valid plan plus one statement whose blank nodes nest `depth` deep."""
    chain = "[ rdfs:seeAlso " * depth + "ex:uni" + " ]" * depth
    return SHAPE_EXAMPLE + f"\nex:plan rdfs:seeAlso {chain} .\n".encode()


def jsonld_nested(depth: int) -> bytes:
    """The JSON-LD example plan with a chain of objects added, `depth` deep in all."""
    doc = json.loads(_jsonld("https://w3id.org/tckg/context.jsonld"))
    base = limits.nesting_depth(json.dumps(doc))
    chain: dict = {"@id": "https://example.org/u"}
    for _ in range(depth - 2):  # the document, the wrappers, the innermost object
        chain = {"http://www.w3.org/2000/01/rdf-schema#seeAlso": chain}
    doc["http://www.w3.org/2000/01/rdf-schema#seeAlso"] = chain
    data = json.dumps(doc).encode()
    assert limits.nesting_depth(data.decode()) == max(depth, base)
    return data


# --- the scan itself -----------------------------------------------------------------

def test_nesting_depth_counts_structure_not_strings_or_iris():
    assert limits.nesting_depth("{ [ ( ) ] } ( )") == 3
    limits.check_turtle('<urn:a> <urn:b> "((((((" .\n# [[[[[[[[\n<urn:x(((((((((>')
    with pytest.raises(limits.LimitExceeded, match=r"nested too deeply \(limit 64, TCKG_MAX_RDF_DEPTH\)"):
        limits.check_turtle("<urn:a> <urn:b> " + "(" * 65 + ")" * 65 + " .")


def test_a_limit_comes_from_its_environment_variable(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_QUERY_DEPTH", "5")
    check_query(nested_groups(5))
    with pytest.raises(QueryRefused, match=r"limit 5, TCKG_MAX_QUERY_DEPTH"):
        check_query(nested_groups(6))
    monkeypatch.setenv("TCKG_MAX_QUERY_DEPTH", "many")
    with pytest.raises(ValueError, match="TCKG_MAX_QUERY_DEPTH='many' is not a whole number"):
        check_query(nested_groups(1))


def test_every_limit_is_documented_with_its_default():
    docs = documentation()
    for limit in limits.ALL:
        assert f"`{limit.env}`" in docs, limit.env
        assert f"{limit.default:,}" in docs, limit.env


# --- SPARQL ------------------------------------------------------------------------

def test_sparql_nesting_limit_edges_over_http(client):
    depth = limits.QUERY_DEPTH.default
    assert client.get("/sparql", params={"query": nested_groups(depth)},
                      headers={"accept": "application/sparql-results+json"}).status_code == 200
    message = error_of(client.get("/sparql", params={"query": nested_groups(depth + 1)}), 400)
    assert message == f"the query is nested too deeply (limit {depth}, TCKG_MAX_QUERY_DEPTH)"


def test_sparql_length_limit_edges(client):
    head = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #"
    longest = head + "x" * (limits.QUERY_CHARS.default - len(head))
    ok = client.post("/sparql", content=longest, headers={"content-type": "application/sparql-query"})
    assert ok.status_code == 200, ok.text
    refused = client.post("/sparql", content=longest + "x",
                          headers={"content-type": "application/sparql-query"})
    assert error_of(refused, 400) == ("the query is 100,001 characters long "
                                      "(limit 100,000, TCKG_MAX_QUERY_CHARS)")


def test_hostile_queries_are_refused_before_any_worker_sees_them(client):
    """5,000 nested groups and 20,000 nested parentheses once killed a worker
    each; ten in a row now cost no worker, and a plain query still answers."""
    workers = {w.process.pid for w in list(client.app.state.queries._idle.queue)}
    for query in [nested_groups(5000), nested_parentheses(20_000)] * 5:
        response = client.post("/sparql", data={"query": query})
        assert "nested too deeply" in error_of(response, 400)
    assert {w.process.pid for w in list(client.app.state.queries._idle.queue)} == workers
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                      headers={"accept": "application/sparql-results+json"}).json()["boolean"] is True


def test_a_body_too_large_for_any_query_is_refused_unread(client):
    size = 4 * limits.QUERY_CHARS.default + 1
    response = client.post("/sparql", content=b" " * size,
                           headers={"content-type": "application/sparql-query"})
    assert "TCKG_MAX_QUERY_CHARS" in error_of(response, 413)


# --- Turtle and JSON-LD -------------------------------------------------------------

def test_turtle_nesting_limit_edges():
    depth = limits.RDF_DEPTH.default
    # At the limit the plan reads, and the extra statement changes nothing in the report.
    assert validate(turtle_nested(depth), "turtle").results == validate(SHAPE_EXAMPLE, "turtle").results
    with pytest.raises(UnreadablePlan) as refused:
        validate(turtle_nested(depth + 1), "turtle")
    assert str(refused.value) == f"the turtle is nested too deeply (limit {depth}, TCKG_MAX_RDF_DEPTH)"


def test_jsonld_nesting_limit_edges():
    depth = limits.RDF_DEPTH.default
    assert validate(jsonld_nested(depth), "json-ld").conforms
    with pytest.raises(UnreadablePlan) as refused:
        validate(jsonld_nested(depth + 1), "json-ld")
    assert str(refused.value) == f"the json-ld is nested too deeply (limit {depth}, TCKG_MAX_RDF_DEPTH)"


@pytest.mark.parametrize(("body", "kind"), [
    (b"<urn:a> <urn:b> " + b"[ <urn:b> " * 20_000 + b"1" + b" ]" * 20_000 + b" .", "text/turtle"),
    (b"<urn:a> <urn:b> " + b"( " * 20_000 + b"1" + b" )" * 20_000 + b" .", "text/turtle"),
    (b'{"urn:p": ' * 50_000 + b"1" + b"}" * 50_000, "application/ld+json"),
])
def test_the_issues_hostile_plans_get_400_in_the_error_shape(client, body, kind):
    message = error_of(client.post("/validate", content=body, headers={"content-type": kind}), 400)
    assert "nested too deeply (limit 64, TCKG_MAX_RDF_DEPTH)" in message


def test_tckg_validate_refuses_a_deep_file_with_one_line(tmp_path):
    deep = tmp_path / "deep.ttl"
    deep.write_bytes(turtle_nested(20_000))
    done = tckg(tmp_path, "validate", str(deep))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"tckg validate: {deep}: the turtle is nested too deeply "
                           "(limit 64, TCKG_MAX_RDF_DEPTH)\n")


# --- CSV ------------------------------------------------------------------------------

def csv_rows(count: int, action: str = "Publish profiles of every technical team online") -> bytes:
    rows = "".join(f"A{i},,{action},Visibility,R11,HR,2025-06,Profiles live,in progress\n"
                   for i in range(count))
    return (HEADER + rows).encode()


def test_csv_row_limit_edges(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_CSV_ROWS", "3")
    assert validate(csv_rows(3), "csv", **PLAN).conforms
    with pytest.raises(UnreadablePlan, match=r"more than 3 rows \(limit 3, TCKG_MAX_CSV_ROWS\)"):
        validate(csv_rows(4), "csv", **PLAN)


def test_csv_column_limit_edges():
    extra = limits.CSV_COLUMNS.default - len(HEADER.split(","))  # the header's own columns first
    at_limit = HEADER.rstrip("\n") + "".join(f",x{i}" for i in range(extra)) + "\n"
    with pytest.raises(UnreadablePlan, match="unknown column"):  # read, then refused by name
        validate(at_limit.encode(), "csv", **PLAN)
    over = at_limit.rstrip("\n") + ",one-more\n"
    with pytest.raises(UnreadablePlan, match=r"51 columns \(limit 50, TCKG_MAX_CSV_COLUMNS\)"):
        validate(over.encode(), "csv", **PLAN)


def test_csv_cell_limit_edges(client):
    longest = "x" * limits.CSV_CELL_CHARS.default
    ok = client.post("/validate", params=CSV_FIELDS, content=csv_rows(1, longest),
                     headers={"content-type": "text/csv"})
    assert ok.status_code == 200, ok.text
    refused = client.post("/validate", params=CSV_FIELDS, content=csv_rows(1, longest + "x"),
                          headers={"content-type": "text/csv"})
    assert error_of(refused, 400) == ("row 2 has a cell of 20,001 characters "
                                      "(limit 20,000, TCKG_MAX_CSV_CELL_CHARS)")


# --- the catch-all ----------------------------------------------------------------------

def test_an_unexpected_error_is_a_json_500_with_a_logged_request_id(caplog):
    app = FastAPI()
    errors.install(app)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR, logger="tckg.api"):
        response = TestClient(app).get("/boom")
    message = error_of(response, 500)
    request_id = response.headers["x-request-id"]
    assert message == (f"internal error (request id {request_id}); the server log has the "
                       "details under that id")
    assert "secret" not in response.text and "Traceback" not in response.text
    [record] = caplog.records
    assert request_id in record.getMessage() and "GET /boom" in record.getMessage()
    assert record.exc_info[0] is RuntimeError  # the traceback goes to the log

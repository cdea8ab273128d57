"""Property-based tests beyond schemathesis: Turtle, JSON-LD, CSV and SPARQL
generated from the project's own valid examples, mutated (cut, spliced, bytes
and tokens inserted) or nested deep, sent to the real app. Only the status
class and the error shape are checked: never a 5xx but a query past its time
limit, and every refusal in the one JSON error shape.

Derandomised and bounded, so the suite stays fast and a failure repeats."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.store.query import example_queries
from tests.conftest import ROOT
from tests.test_api import error_of
from tests.test_validate import TEMPLATES, _jsonld

TURTLE_SEEDS = [p.read_bytes() for p in sorted((ROOT / "tests" / "shapes").glob("*.ttl"))]
JSONLD_SEEDS = [_jsonld("https://w3id.org/tckg/context.jsonld"),
                json.dumps({"@context": {"@vocab": "https://w3id.org/tckg/ontology#"},
                            "@graph": [json.loads(_jsonld({"@vocab": "https://w3id.org/tckg/ontology#"}))]
                            }).encode()]
CSV_SEEDS = [(TEMPLATES / "plan-example.csv").read_bytes(), (TEMPLATES / "plan-template.csv").read_bytes()]
SPARQL_SEEDS = [text.encode() for _, _, text in example_queries()]
# What breaks parsers: brackets, quotes, escapes, comment and IRI marks, odd bytes.
TOKENS = [b"[", b"]", b"(", b")", b"{", b"}", b'"', b'"""', b"'", b"\\", b"\\u", b"<", b">", b"#",
          b";", b",", b".", b"@prefix", b"@base", b"^^", b"@en", b"_:b", b"\x00", b"\xff", b"\xc3",
          b"\r\n", b"\t", b"SERVICE", b"INSERT", b"GRAPH", b"FILTER(", b"ORDER BY", b"UNION",
          b"@context", b"@id", b"@type", b"@list", b"null", b"1e999", b"-0", b'"",', b"\xef\xbb\xbf"]
FEW = settings(max_examples=40, derandomize=True, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "splice", "token", "bytes", "truncate"]))
        if kind == "cut":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "splice":
            start = draw(st.integers(0, len(data)))
            data[at:at] = data[start:start + draw(st.integers(1, 80))]
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 3))
        elif kind == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[at:]
    return bytes(data)


@st.composite
def nested(draw, seeds: list[bytes], openers: list[tuple[bytes, bytes]]) -> bytes:
    """A seed with a deep run of brackets spliced in, balanced or not."""
    data = draw(st.sampled_from(seeds))
    opener, closer = draw(st.sampled_from(openers))
    depth = draw(st.sampled_from([10, 63, 65, 101, 500, 5000, 20_000]))
    tail = closer * (depth if draw(st.booleans()) else draw(st.integers(0, depth)))
    at = draw(st.integers(0, len(data)))
    return data[:at] + opener * depth + tail + data[at:]


TURTLE_NESTS = [(b"[ <urn:p> ", b" ]"), (b"( ", b" )"), (b"[", b"]")]
JSON_NESTS = [(b'{"urn:p": ', b"}"), (b"[", b"]"), (b'{"@list": [', b"]}")]
SPARQL_NESTS = [(b"{ ", b" }"), (b"(", b")"), (b"[ <urn:p> ", b" ]"), (b"{ { } UNION ", b" }")]


def check_validate(client, body: bytes, media: str, **params) -> None:
    response = client.post("/validate", content=body, params=params,
                           headers={"content-type": media})
    assert response.status_code in (200, 400, 413), (response.status_code, response.text[:300])
    if response.status_code != 200:
        error_of(response, response.status_code)


def check_sparql(client, body: bytes) -> None:
    response = client.post("/sparql", content=body,
                           headers={"content-type": "application/sparql-query"})
    assert response.status_code in (200, 400, 503), (response.status_code, response.text[:300])
    if response.status_code != 200:
        error_of(response, response.status_code)


@FEW
@given(body=st.one_of(mutated(TURTLE_SEEDS), nested(TURTLE_SEEDS, TURTLE_NESTS)))
def test_fuzzed_turtle_on_validate(client, body):
    check_validate(client, body, "text/turtle")


@FEW
@given(body=st.one_of(mutated(JSONLD_SEEDS), nested(JSONLD_SEEDS, JSON_NESTS)))
def test_fuzzed_jsonld_on_validate(client, body):
    check_validate(client, body, "application/ld+json")


@FEW
@given(body=mutated(CSV_SEEDS))
def test_fuzzed_csv_on_validate(client, body):
    check_validate(client, body, "text/csv", institution="University of Example")


@FEW
@given(body=st.one_of(mutated(SPARQL_SEEDS), nested(SPARQL_SEEDS, SPARQL_NESTS)))
def test_fuzzed_sparql(client, body):
    check_sparql(client, body)


def test_an_iri_with_a_space_found_by_fuzzing_is_a_400(client):
    """rdflib reads `<urn:a b>`; the SHACL engine then raised ValueError (a 500)."""
    body = TURTLE_SEEDS[0] + b"\n<urn:a b> <urn:p> <urn:c> .\n"
    message = error_of(client.post("/validate", content=body,
                                   headers={"content-type": "text/turtle"}), 400)
    assert message == ("the turtle holds an IRI with a character IRIs may not hold (a space, a "
                       "quote, a bracket or a control character): 'urn:a b'")

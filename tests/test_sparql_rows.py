"""Over /sparql, a solution whose one variable is unbound is still a solution:
the query workers' answer once trimmed such rows (empty lines in its TSV) off
its end, so `SELECT ?x WHERE {}` answered no solution where the engine, the
external store and `tckg sparql` give one. The rule itself, in process:
tests/test_pool_inprocess.py."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("query, solutions", [
    ("SELECT ?x WHERE { }", [{}]),
    ("SELECT ?x WHERE { VALUES ?n { 1 2 3 } OPTIONAL { ?n <urn:none> ?x } }", [{}, {}, {}]),
    ("SELECT ?x WHERE { ?x <urn:none> ?o }", []),
])
def test_empty_solutions_are_answered_over_http(client, query, solutions):
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json() == {"head": {"vars": ["x"]}, "results": {"bindings": solutions}}

"""schemathesis against the app's own OpenAPI description: whatever it generates,
no answer is a server error, and every route and its examples are described."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings


@pytest.fixture(scope="session")
def api_schema(client):
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_5xx(case):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


def test_every_route_is_described_with_examples(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/sparql", "/search", "/actions/{action_id}/similar", "/actions/{action_id}",
        "/institutions", "/recommendations", "/validate", "/id/{path}", "/healthz"}
    text = str(spec)
    for example in ("fair attribution policy", "northumbria:16", "manchester-met:3.4",
                    "SELECT ?plan", "University of Example"):
        assert example in text

"""schemathesis against the app's own OpenAPI description: whatever it generates,
no answer is a server error, and every route and its examples are described."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings


def test_no_generated_request_gets_a_5xx(client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case):
            response = case.call()
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        no_server_error()


def test_every_route_is_described_with_examples(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/sparql", "/search", "/actions/{action_id}/similar", "/actions/{action_id}",
        "/institutions", "/recommendations", "/validate", "/id/{path}", "/healthz", "/suggest",
        "/plans", "/plans/{plan_id}"}
    text = str(spec)
    for example in ("fair attribution policy", "northumbria:16", "manchester-met:3.4",
                    "Credit technicians as co-authors",
                    "SELECT ?plan", "University of Example", "northumbria/action/16"):
        assert example in text

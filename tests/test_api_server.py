"""The API as a real server: uvicorn in a subprocess on 127.0.0.1, real clients."""
from __future__ import annotations

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from kg.store.oxigraph_server import free_port
from tests.conftest import TCKG
from tests.test_api import EXAMPLE_CSV, PLAN_FIELDS

COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/tckg/ontology#Action> }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # minutes of work


def wait_until_up(process: subprocess.Popen, base: str) -> None:
    """Until the server at `base` answers /healthz; fails if it dies or takes 90 s."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.2)
    process.kill()
    pytest.fail("the server did not start within 90 s")


@pytest.fixture(scope="module")
def server(search_home):
    port = free_port()
    env = dict(os.environ, TCKG_HOME=str(search_home), TCKG_QUERY_TIMEOUT="2")
    process = subprocess.Popen([TCKG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(process, base)
    yield base
    process.terminate()
    process.wait(timeout=20)


def sparql(base: str, query: str, fmt):
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query().convert()


def test_sparqlwrapper_json_xml_csv(server):
    assert sparql(server, COUNT, JSON)["results"]["bindings"][0]["n"]["value"] == "172"
    xml = sparql(server, COUNT, XML)
    assert xml.getElementsByTagName("literal")[0].firstChild.data == "172"
    assert sparql(server, COUNT, CSV).decode().splitlines() == ["n", "172"]


def test_sparqlwrapper_construct_as_turtle(server):
    query = ("CONSTRUCT { ?p a <https://w3id.org/tckg/ontology#ActionPlan> } "
             "WHERE { ?p a <https://w3id.org/tckg/ontology#ActionPlan> }")
    turtle = sparql(server, query, TURTLE).decode()
    assert turtle.count("ActionPlan") >= 5


def test_search_and_validation_over_plain_http(server):
    found = httpx.get(f"{server}/search", params={"q": "professional registration", "limit": 3})
    assert found.status_code == 200 and len(found.json()) == 3
    checked = httpx.post(f"{server}/validate", params=PLAN_FIELDS, content=EXAMPLE_CSV,
                         headers={"content-type": "text/csv"}, timeout=30)
    assert checked.status_code == 200 and checked.json()["conforms"] is True


def test_a_runaway_query_gets_503_and_the_server_stays_responsive(server):
    started = time.monotonic()
    response = httpx.get(f"{server}/sparql", params={"query": HEAVY}, timeout=60)
    assert response.status_code == 503
    assert "time limit" in response.json()["error"]["message"]
    assert time.monotonic() - started < 15
    assert httpx.get(f"{server}/healthz").status_code == 200
    again = httpx.get(f"{server}/sparql", params={"query": COUNT}, timeout=30)
    assert again.status_code == 200


def test_200_concurrent_mixed_requests(server, search_home):
    before = (search_home / "graph" / "graph.nt").read_bytes()
    requests = [("get", "/search", {"params": {"q": "mentoring technicians"}}),
                ("get", "/sparql", {"params": {"query": COUNT}}),
                ("post", "/validate", {"params": PLAN_FIELDS, "content": EXAMPLE_CSV,
                                       "headers": {"content-type": "text/csv"}}),
                ("post", "/sparql", {"data": {"update": "DROP ALL"}})]
    expected = {"/search": 200, "/sparql": 200, "/validate": 200}

    def send(i):
        method, url, kwargs = requests[i % len(requests)]
        with httpx.Client(base_url=server, timeout=120) as http:
            response = getattr(http, method)(url, **kwargs)
        want = 403 if "data" in kwargs else expected[url]
        return response.status_code == want

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(send, range(200)))
    assert all(outcomes), f"{outcomes.count(False)} of 200 requests were answered wrongly"
    assert sparql(server, COUNT, JSON)["results"]["bindings"][0]["n"]["value"] == "172"
    assert (search_home / "graph" / "graph.nt").read_bytes() == before

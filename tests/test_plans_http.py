"""/plans over HTTP, with and without the token, in process and against a real
server that picks up a plan the command line publishes."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import TCKG, tckg
from tests.test_api_server import free_port, wait_until_up
from tests.test_publish import FENLAND_ID, HARBOUR_ID, HARBOURSIDE, ID, PLANS, copy_home

TOKEN = "a-test-token-that-is-long-enough-0123456789"
CSV_FIELDS = {"institution": "University of Harbourside", "start": "2025-01", "end": "2027-12",
              "title": "Technician Commitment action plan 2025-2027"}
COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/tckg/ontology#Action> }"


@pytest.fixture(scope="module")
def home(cli_home, tmp_path_factory) -> Path:
    return copy_home(cli_home, tmp_path_factory.mktemp("http") / "home")


@pytest.fixture(scope="module")
def api(home):
    from api.app import create_app

    with TestClient(create_app(home)) as client:
        yield client


def dump(home: Path) -> bytes:
    return (home / "graph" / "graph.nt").read_bytes()


def csv_plan(name: str = "harbourside-2025.csv") -> bytes:
    return (PLANS / name).read_bytes()


def actions(api) -> str:
    answer = api.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})
    return answer.text.split()[-1]


def test_write_routes_refuse_without_a_token_and_reads_stay_open(api, home, monkeypatch):
    before = dump(home)
    monkeypatch.delenv("TCKG_API_TOKEN", raising=False)
    for method, url in (("POST", "/plans"), ("DELETE", f"/plans/{HARBOUR_ID}")):
        answer = api.request(method, url, params=CSV_FIELDS, content=csv_plan(),
                             headers={"Content-Type": "text/csv", "Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 403
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["error"]["status"] == 403
        assert "TCKG_API_TOKEN" in answer.json()["error"]["message"]
    monkeypatch.setenv("TCKG_API_TOKEN", TOKEN)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        answer = api.post("/plans", params=CSV_FIELDS, content=csv_plan(),
                          headers={"Content-Type": "text/csv", **headers})
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert TOKEN not in answer.text
        assert api.delete(f"/plans/{HARBOUR_ID}", headers=headers).status_code == 401
    assert dump(home) == before
    assert api.get("/plans").json() == []
    assert api.get(f"/plans/{HARBOUR_ID}").status_code == 404


def test_a_publish_validates_in_the_apps_worker_processes(api, home, monkeypatch):
    """POST /plans validates as POST /validate does, in the app's workers: one
    dying under it is a 503 that changes nothing."""
    from tests.test_validation_pool import kill_workers

    monkeypatch.setenv("TCKG_API_TOKEN", TOKEN)
    before = dump(home)
    kill_workers(api.app.state.validators)
    answer = api.post("/plans", params=CSV_FIELDS, content=csv_plan(),
                      headers={"Content-Type": "text/csv", "Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/json"
    assert "the plan can be sent again" in answer.json()["error"]["message"]
    assert dump(home) == before and api.get("/plans").json() == []


def test_refused_posts_change_nothing(api, home, monkeypatch):
    monkeypatch.setenv("TCKG_API_TOKEN", TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = dump(home)
    bad = api.post("/plans", params=CSV_FIELDS, content=csv_plan("harbourside-invalid.csv"),
                   headers={"Content-Type": "text/csv", **auth})
    assert bad.status_code == 422
    body = bad.json()
    assert body["error"] == {"status": 422, "message": "the plan does not conform: 3 violation(s); "
                                                      "nothing was published"}
    assert body["report"]["violations"] == 3 and not body["report"]["conforms"]
    assert api.post("/plans", content=b"@prefix x: <urn:x#> . x:a x:b",
                    headers={"Content-Type": "text/turtle", **auth}).status_code == 400
    assert api.post("/plans", content=b"x", headers={"Content-Type": "image/png", **auth}).status_code == 415
    monkeypatch.setenv("TCKG_MAX_UPLOAD_BYTES", "100")
    assert api.post("/plans", params=CSV_FIELDS, content=csv_plan(),
                    headers={"Content-Type": "text/csv", **auth}).status_code == 413
    assert dump(home) == before


def test_publish_read_and_remove_over_http(api, home, monkeypatch):
    monkeypatch.setenv("TCKG_API_TOKEN", TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    harbour_row = "\nUniversity of Harbourside,"  # a row of the added plan
    assert harbour_row not in api.get("/data/actions.csv").text  # the open-data files, cached
    answer = api.post("/plans", params=CSV_FIELDS, content=csv_plan(),
                      headers={"Content-Type": "text/csv", **auth})
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"/plans/{HARBOUR_ID}"
    body = answer.json()
    assert (body["plan"], body["id"], body["version"], body["actions"], body["replaced"]) == (
        f"{ID}{HARBOUR_ID}/plan", HARBOUR_ID, 1, 10, None)
    # The next request already sees it: search, the catalog, SPARQL, /plans.
    hits = api.get("/search", params={"q": "mobile laboratory van visiting primary schools"}).json()
    assert hits[0]["action"] == f"{ID}{HARBOUR_ID}/action/C3"
    names = [i["name"] for i in api.get("/institutions").json()]
    assert "University of Harbourside" in names
    assert actions(api) == "182"
    assert api.get(f"/actions/{HARBOUR_ID}:C3").status_code == 200
    assert harbour_row in api.get("/data/actions.csv").text  # made again from the new graph
    turtle = api.post("/plans", content=(PLANS / "fenland-2024.ttl").read_bytes(),
                      headers={"Content-Type": "text/turtle", **auth})
    assert turtle.status_code == 201, turtle.text
    listed = api.get("/plans").json()
    assert sorted(p["id"] for p in listed) == [FENLAND_ID, HARBOUR_ID]
    one = api.get(f"/plans/{HARBOUR_ID}").json()
    assert one["status"] == "published" and [v["version"] for v in one["versions"]] == [1]
    removed = api.delete(f"/plans/{HARBOUR_ID}", headers=auth)
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert api.delete(f"/plans/{HARBOUR_ID}", headers=auth).status_code == 404
    assert actions(api) == str(172 + 6)
    hits = api.get("/search", params={"q": "mobile laboratory van visiting primary schools"}).json()
    assert all("harbourside" not in h["action"] for h in hits)
    assert harbour_row not in api.get("/data/actions.csv").text


def test_a_running_server_sees_a_cli_add_without_dropping_requests(cli_home, tmp_path):
    home = copy_home(cli_home, tmp_path / "home")
    port = free_port()
    env = dict(os.environ, TCKG_HOME=str(home), TCKG_RELOAD_SECONDS="0.5")
    server = subprocess.Popen([TCKG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        statuses, stop = [], threading.Event()

        def hammer():
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    statuses.append(client.get(f"{base}/search", params={"q": "apprentices"}).status_code)
                    statuses.append(client.get(f"{base}/sparql", params={"query": COUNT}).status_code)

        worker = threading.Thread(target=hammer)
        worker.start()
        done = tckg(home, "add", str(PLANS / "harbourside-2025.csv"), *HARBOURSIDE)
        assert done.returncode == 0, done.stderr
        published, seen_at = time.monotonic(), None
        while time.monotonic() < published + 20:
            if httpx.get(f"{base}/healthz", timeout=5).json()["actions"] == 182:
                seen_at = time.monotonic()
                break
            time.sleep(0.1)
        time.sleep(1)
        stop.set()
        worker.join()
        assert seen_at is not None and seen_at - published < 10
        hits = httpx.get(f"{base}/search", params={"q": "mobile laboratory van primary schools"}).json()
        assert hits[0]["action"] == f"{ID}{HARBOUR_ID}/action/C3"
        assert statuses and set(statuses) == {200}
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_validate_lists_peer_exemplars_for_pillars_the_plan_misses(api):
    answer = api.post("/validate", params=CSV_FIELDS, content=csv_plan("harbourside-invalid.csv"),
                      headers={"Content-Type": "text/csv"})
    assert answer.status_code == 200
    body = answer.json()
    missing = body["not_addressed"]["pillars"]
    assert missing == ["Recognition", "Career Development", "Sustainability"]
    pillars = body["peer_exemplars"]["pillars"]
    assert [p["label"] for p in pillars] == missing
    for group in pillars:
        assert len(group["actions"]) == 3
        assert len({a["institution"] for a in group["actions"]}) == 3
        for action in group["actions"]:
            assert action["link"] == "asserted" and action["institution"] != "University of Harbourside"
            one = api.get(f"/actions/{action['id']}").json()
            assert group["label"] in str(one)


def test_a_state_that_cannot_take_a_plan_is_409_and_changes_nothing(cli_home, tmp_path, monkeypatch):
    from api.app import create_app

    home = copy_home(cli_home, tmp_path / "home")
    monkeypatch.setenv("TCKG_API_TOKEN", TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/csv"}
    with TestClient(create_app(home)) as client:
        damaged = home / "index" / "documents.json"
        damaged.unlink()  # a link to the session's file: replaced, never written through
        damaged.write_text("[]", encoding="utf-8")
        before = dump(home)
        answer = client.post("/plans", params=CSV_FIELDS, content=csv_plan(), headers=auth)
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"]["status"] == 409
        assert "documents.json" in answer.json()["error"]["message"]
        assert dump(home) == before
        assert client.get("/plans").json() == []

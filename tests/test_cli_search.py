"""`tckg search` and `tckg similar` as a user runs them: real processes (the
entry point in process for the bulk of the bad-input cases), a real build."""
from __future__ import annotations

import json

import pytest

from api.cli import main as tckg_main
from tests.conftest import tckg

CONTRACT = {"action", "institution", "text", "score", "pillars", "recommendations"}


@pytest.fixture(scope="module")
def home(cli_home):
    return cli_home


def test_search_json_is_the_contract_array(home):
    done = tckg(home, "search", "fair attribution policy", "--limit", "3", "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == 3 and all(CONTRACT <= set(r) for r in results)
    assert {r["id"] for r in results} == {"northumbria:16", "manchester-met:3.4", "portsmouth:9"}


def test_search_readable_lines_show_rank_score_institution_and_id(home):
    done = tckg(home, "search", "technician awards", "--limit", "4", "--institution", "leicester")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].split()[0] == "1" and "University of Leicester" in lines[0]
    assert any("R3.2" in line for line in lines)


def test_search_many_queries_with_one_model_load(home, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("mentoring\n\nprofessional registration\n", encoding="utf-8")
    done = tckg(home, "search", "--queries", str(queries), "--json", "--limit", "2")
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    assert list(answers) == ["mentoring", "professional registration"]
    assert all(len(results) == 2 for results in answers.values())


def test_similar_json_excludes_the_action_and_its_institution(home):
    done = tckg(home, "similar", "https://w3id.org/tckg/id/portsmouth/action/9", "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == 10 and all(CONTRACT <= set(r) for r in results)
    assert "University of Portsmouth" not in {r["institution"] for r in results}
    assert "https://w3id.org/tckg/id/northumbria/action/16" in [r["action"] for r in results[:5]]


@pytest.mark.parametrize("args, message", [
    (["search", "   "], "empty"),
    (["search", "x" * 2001], "limit is 2,000"),
    (["search", "awards", "--pillar", "Fame"], "known values: Career Development"),
    (["search", "awards", "--recommendation", "R17"], "R16"),
    (["search", "awards", "--institution", "Oxford"], "Nottingham Trent University"),
    (["search", "awards", "--due-from", "2025-13-01"], "not a date"),
    (["search", "awards", "--limit", "0"], "between 1 and 1000"),
    (["search"], "TEXT or --queries"),
    (["search", "awards", "--links", "suggested"], "give a recommendation too"),
    (["search", "awards", "--recommendation", "R5", "--min-score", "2"], "between 0 and 1"),
    (["similar", "https://w3id.org/tckg/id/ntu/action/99"], "no action"),
])
def test_bad_input_exits_2_with_a_message(home, args, message, monkeypatch, capsys):
    """The CLI's own entry point in process (a process each cost ~2 s of the
    suite); the real process is checked below on one of them."""
    monkeypatch.setenv("TCKG_HOME", str(home))
    try:
        code = tckg_main(args)
    except SystemExit as exit_:  # argparse's own refusals
        code = exit_.code
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert message in err


def test_bad_input_in_a_real_process_exits_2_with_one_line(home):
    done = tckg(home, "search", "awards", "--pillar", "Fame")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("tckg search: ") and "known values: Career Development" in done.stderr


def test_a_missing_index_exits_2_and_says_to_build(tmp_path):
    from kg.build import build_graph

    build_graph(tmp_path)
    done = tckg(tmp_path, "search", "awards")
    assert done.returncode == 2
    assert "no search index" in done.stderr and "tckg build" in done.stderr


def test_suggest_json_pillars_recommendations_and_similar(home):
    done = tckg(home, "suggest", "Develop a policy so that technicians are credited as authors "
                                 "on research papers", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {"pillars", "recommendations", "similar"}
    assert [p["label"] for p in answer["pillars"]] and len(answer["pillars"]) == 4
    scores = [r["score"] for r in answer["recommendations"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert answer["recommendations"][0]["code"] == "R11"
    assert set(answer["recommendations"][0]) == {"code", "label", "score"}
    assert all(CONTRACT <= set(r) for r in answer["similar"])


def test_suggest_many_texts_keeps_their_order(home, tmp_path):
    texts = tmp_path / "drafts.txt"
    texts.write_text("Run an apprenticeship scheme for new technicians\n\n"
                     "Technicians sit on the university's research committees\n", encoding="utf-8")
    done = tckg(home, "suggest", "--texts", str(texts), "--json", "--limit", "2")
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    assert len(answers) == 2 and all(len(a["similar"]) == 2 for a in answers)
    assert answers[0]["recommendations"][0]["code"] == "R7"  # broader entry routes


def test_suggest_refuses_an_empty_draft(home):
    done = tckg(home, "suggest", "  ")
    assert done.returncode == 2 and "empty" in done.stderr


def test_search_by_suggested_links_against_the_graphs_scores(home):
    done = tckg(home, "search", "technicians", "--recommendation", "R13", "--links", "suggested",
                "--min-score", "0.2", "--limit", "200", "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    scored = tckg(home, "sparql", """PREFIX tc: <https://w3id.org/tckg/ontology#>
        SELECT ?a WHERE { ?a tc:suggestedLink [ tc:suggestedRecommendation
            <https://w3id.org/tckg/id/talent-R13> ; tc:score ?s ] FILTER(?s >= 0.2) }""",
                  "--format", "csv")
    assert {r["action"] for r in results} == set(scored.stdout.split()[1:])
    assert "University of Leicester" in {r["institution"] for r in results}


def test_suggest_without_fitted_suggesters_says_to_build(home, tmp_path):
    import shutil

    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    shutil.rmtree(copy / "suggest")
    done = tckg(copy, "suggest", "an apprenticeship scheme")
    assert done.returncode == 2 and "no fitted suggesters" in done.stderr
    assert "tckg build" in done.stderr

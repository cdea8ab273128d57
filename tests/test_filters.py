"""Every filter at both ends of its range, in the library, over HTTP and on the
command line: inclusive ends, an empty window, an unknown value. Each filtered
result is compared whole with the actions that should match, worked out here
from the parsed plans (or, for owner types and suggested links, from the graph
by a plain SPARQL query), never from the search code's own documents."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from pyoxigraph import Literal, NamedNode

from kg.ontology import ONTOLOGY_DIR, scheme_labels
from kg.store import open_store
from kg.store.query import select_rows
from kg.suggested import THRESHOLD
from kg.text import month_end
from search.filters import FilterError, Filters
from tests.conftest import tckg
from tests.test_queries import summary_codes

ALL = 1000  # more than the graph holds: a filtered search returns every match
QUERY = "technical staff"


def short(plan, action) -> str:
    return f"{plan.slug}:{action.local_id}"


def expected(plans, keep) -> set[str]:
    return {short(p, a) for p in plans.values() for a in p.actions if keep(p, a)}


def due_by(action) -> str | None:
    return month_end(action.deadline.value) if action.deadline else None


def due_between(plans, start: str | None, end: str | None) -> set[str]:
    return expected(plans, lambda p, a: due_by(a) is not None
                    and (start is None or due_by(a) >= start) and (end is None or due_by(a) <= end))


def found(searcher, **filters) -> set[str]:
    results = searcher.search(QUERY, limit=ALL, filters=Filters(**filters))
    return {r["id"] for r in results}


# --- the deadline window

def all_due_dates(plans) -> list[str]:
    return sorted({due_by(a) for p in plans.values() for a in p.actions if a.deadline})


def test_the_deadline_window_includes_both_of_its_ends(searcher, plans):
    """Each end of the window taken at a date that has actions due on it."""
    days = all_due_dates(plans)
    first, last = days[3], days[-4]
    window = found(searcher, due_from=date.fromisoformat(first), due_to=date.fromisoformat(last))
    want = due_between(plans, first, last)
    assert window == want
    on_first = due_between(plans, first, first)
    on_last = due_between(plans, last, last)
    assert on_first and on_last and on_first | on_last <= window


@pytest.mark.parametrize("day", ["2023-12-31", "2024-07-31", "2021-01-31", "2026-12-31"])
def test_a_one_day_window_gives_every_action_due_that_day(searcher, plans, day):
    want = due_between(plans, day, day)
    assert want, f"no action is due on {day}: pick a day with some"
    one = date.fromisoformat(day)
    assert found(searcher, due_from=one, due_to=one) == want
    assert found(searcher, due_to=one) == due_between(plans, None, day)
    assert found(searcher, due_from=one) == due_between(plans, day, None)
    # One day either side moves the end past those actions.
    assert found(searcher, due_to=one - timedelta(days=1)) == due_between(plans, None, day) - want
    assert found(searcher, due_from=one + timedelta(days=1)) == due_between(plans, day, None) - want


def test_a_window_with_no_deadline_in_it_is_empty_not_an_error(searcher, plans):
    day = date(2023, 12, 30)
    assert due_between(plans, day.isoformat(), day.isoformat()) == set()
    assert found(searcher, due_from=day, due_to=day) == set()
    assert found(searcher, due_to=date(1999, 12, 31)) == set()
    assert found(searcher, due_from=date(2099, 1, 1)) == set()


def test_a_window_of_every_date_gives_every_dated_action(searcher, plans):
    dated = due_between(plans, None, None)
    assert found(searcher, due_from=date(1900, 1, 1), due_to=date(2100, 12, 31)) == dated
    undated = expected(plans, lambda p, a: a.deadline is None)
    assert undated and not undated & found(searcher, due_from=date(1900, 1, 1))


def test_a_window_that_ends_before_it_starts_is_refused(searcher):
    with pytest.raises(FilterError, match="after"):
        found(searcher, due_from=date(2024, 1, 2), due_to=date(2024, 1, 1))
    assert found(searcher, due_from=date(2024, 1, 1), due_to=date(2024, 1, 1)) == set()


# --- institutions, pillars, recommendations, owner types

@pytest.mark.parametrize("slug", ["leicester", "manchester-met", "northumbria", "ntu", "portsmouth"])
def test_institution_by_slug_and_by_name_gives_all_its_actions(searcher, plans, slug):
    want = expected(plans, lambda p, a: p.slug == slug)
    assert found(searcher, institution=slug) == want
    assert found(searcher, institution=plans[slug].institution.upper()) == want


@pytest.mark.parametrize("pillar", ["Visibility", "Recognition", "Career Development", "Sustainability"])
def test_each_pillar_gives_all_its_actions(searcher, plans, pillar):
    want = expected(plans, lambda p, a: pillar in a.pillars)
    assert found(searcher, pillar=pillar) == want
    assert found(searcher, pillar=pillar.lower().replace(" ", "-")) == want


def asserted(plans, code: str) -> set[str]:
    return expected(plans, lambda p, a: code in a.recommendations
                    or any(code in summary_codes(c) for c in a.recommendations))


@pytest.mark.parametrize("code", ["R1", "R5", "R16", "E1", "E23"])
def test_recommendation_at_the_ends_of_both_schemes(searcher, plans, code):
    """R1 and R16, E1 and E23: asserted links, R-codes reached through the crosswalk too."""
    want = asserted(plans, code)
    assert found(searcher, recommendation=code) == want
    assert found(searcher, recommendation=code.lower()) == want


def test_the_crosswalk_adds_manchester_met_rows_to_an_r_code(searcher, plans):
    direct = expected(plans, lambda p, a: "R5" in a.recommendations)
    reached = asserted(plans, "R5")
    assert reached - direct and all(i.startswith("manchester-met:") for i in reached - direct)


@pytest.mark.parametrize("kind", sorted(scheme_labels("scheme-stakeholder-types").values()))
def test_each_owner_type_gives_all_its_actions(searcher, suggested_store, kind):
    rows = select_rows(suggested_store, """
        PREFIX tc: <https://w3id.org/tckg/ontology#>
        PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?kind ?action WHERE {
          ?action tc:owner/tc:stakeholderType/skos:prefLabel ?label .
          FILTER (STR(?label) = ?kind)
        }""", kind=Literal(kind))
    want = {short_id(r["action"]) for r in rows}
    assert found(searcher, owner_type=kind) == want


def short_id(iri: str) -> str:
    from kg.vocab import short_id as to_short

    return to_short(iri)


@pytest.mark.parametrize("field, value, known", [
    ("institution", "oxford", "Nottingham Trent University"),
    ("pillar", "Wellbeing", "Career Development"),
    ("recommendation", "R17", "E23"),
    ("recommendation", "E24", "R16"),
    ("recommendation", "R0", "R1"),
    ("owner_type", "Wizards", "Human resources"),
])
def test_an_unknown_value_is_refused_with_the_known_ones(searcher, field, value, known):
    with pytest.raises(FilterError) as err:
        found(searcher, **{field: value})
    assert repr(value) in str(err.value) and known in str(err.value)


# --- suggested links and their least score

def suggested_at_least(store, code: str, least: float) -> set[str]:
    rows = select_rows(store, """
        PREFIX tc: <https://w3id.org/tckg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?code ?action ?score WHERE {
          ?action tc:suggestedLink [ tc:suggestedRecommendation/skos:notation ?code ;
                                     tc:score ?score ] .
        }""", code=Literal(code))
    return {short_id(r["action"]) for r in rows if float(r["score"]) >= least}


def link_scores(store, code: str) -> list[float]:
    rows = select_rows(store, """
        PREFIX tc: <https://w3id.org/tckg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?code ?score WHERE {
          ?action tc:suggestedLink [ tc:suggestedRecommendation/skos:notation ?code ;
                                     tc:score ?score ] .
        }""", code=Literal(code))
    return sorted({float(r["score"]) for r in rows})


def test_min_score_includes_a_link_at_exactly_that_score(searcher, suggested_store):
    scores = link_scores(suggested_store, "R5")
    exact = scores[len(scores) // 2]
    at = found(searcher, recommendation="R5", links="suggested", min_score=exact)
    assert at == suggested_at_least(suggested_store, "R5", exact)
    above = found(searcher, recommendation="R5", links="suggested", min_score=exact + 1e-9)
    assert above == suggested_at_least(suggested_store, "R5", exact + 1e-9)
    assert len(at - above) >= 1


@pytest.mark.parametrize("least", [0.0, None, 1.0])
def test_min_score_at_zero_the_default_and_one(searcher, suggested_store, plans, least):
    want = suggested_at_least(suggested_store, "R11", THRESHOLD if least is None else least)
    assert found(searcher, recommendation="R11", links="suggested", min_score=least) == want
    both = found(searcher, recommendation="R11", links="any", min_score=least)
    assert both == want | asserted(plans, "R11")
    if least == 0.0:
        assert want == {short_id(a) for a in _actions_with_links(suggested_store, "R11")}


def _actions_with_links(store, code):
    rows = select_rows(store, """
        PREFIX tc: <https://w3id.org/tckg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?code ?action WHERE {
          ?action tc:suggestedLink/tc:suggestedRecommendation/skos:notation ?code .
        }""", code=Literal(code))
    return [r["action"] for r in rows]


@pytest.mark.parametrize("least", [-0.01, 1.01])
def test_min_score_outside_zero_to_one_is_refused(searcher, least):
    with pytest.raises(FilterError, match="outside 0-1"):
        found(searcher, recommendation="R11", links="suggested", min_score=least)


def test_filters_combine_as_an_intersection(searcher, plans):
    want = expected(plans, lambda p, a: p.slug == "ntu" and "Visibility" in a.pillars
                    and due_by(a) is not None and "2021-01-31" <= due_by(a) <= "2021-12-31")
    assert want
    got = found(searcher, institution="ntu", pillar="Visibility",
                due_from=date(2021, 1, 31), due_to=date(2021, 12, 31))
    assert got == want


# --- similar, with filters

def test_similar_with_filters_keeps_only_matching_other_institutions(searcher, plans):
    source = "northumbria:16"
    got = searcher.similar(source, limit=ALL, filters=Filters(pillar="Recognition"))
    want = expected(plans, lambda p, a: p.slug != "northumbria" and "Recognition" in a.pillars)
    assert {r["id"] for r in got} == want
    same = searcher.similar(source, limit=ALL, same_institution=True,
                            filters=Filters(due_from=date(2024, 7, 31), due_to=date(2024, 7, 31)))
    assert {r["id"] for r in same} == due_between(plans, "2024-07-31", "2024-07-31") - {source}


# --- over HTTP: the same filters, the same whole answers, 400 for unknown values

def http_ids(client, **params) -> set[str]:
    response = client.get("/search", params={"q": QUERY, "limit": 100, **params})
    assert response.status_code == 200, response.text
    results = response.json()
    assert len(results) < 100  # the limit did not cut the answer
    return {r["id"] for r in results}


def test_http_deadline_window_is_inclusive_at_both_ends(client, plans):
    assert http_ids(client, due_from="2023-12-31", due_to="2023-12-31") == due_between(
        plans, "2023-12-31", "2023-12-31")
    assert http_ids(client, due_from="2024-01-01", due_to="2024-12-31") == due_between(
        plans, "2024-01-01", "2024-12-31")
    assert http_ids(client, due_from="2023-12-30", due_to="2023-12-30") == set()


@pytest.mark.parametrize("params", [
    {"institution": "ntu"}, {"pillar": "Sustainability"}, {"recommendation": "R16"},
    {"recommendation": "E23"}, {"owner_type": "Human resources"},
])
def test_http_filters_give_what_the_library_gives(client, searcher, params):
    assert http_ids(client, **params) == found(searcher, **params)


def test_http_suggested_links_at_the_exact_least_score(client, suggested_store):
    scores = link_scores(suggested_store, "R5")
    exact = scores[len(scores) // 2]
    got = http_ids(client, recommendation="R5", links="suggested", min_score=repr(exact))
    assert got == suggested_at_least(suggested_store, "R5", exact)


@pytest.mark.parametrize("params, words", [
    ({"institution": "oxford"}, "unknown institution"),
    ({"pillar": "Wellbeing"}, "unknown pillar"),
    ({"recommendation": "R17"}, "unknown recommendation"),
    ({"owner_type": "Wizards"}, "unknown owner type"),
    ({"due_from": "2024-01-02", "due_to": "2024-01-01"}, "after"),
])
def test_http_unknown_values_are_400_with_the_one_error_shape(client, params, words):
    response = client.get("/search", params={"q": QUERY, **params})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and words in error["message"]


@pytest.mark.parametrize("params", [{"min_score": "-0.01", "recommendation": "R5"},
                                    {"min_score": "1.01", "recommendation": "R5"},
                                    {"due_to": "2024-02-30"}])
def test_http_values_out_of_range_are_refused(client, params):
    response = client.get("/search", params={"q": QUERY, **params})
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"error"}


# --- on the command line

def cli_ids(home, *args) -> set[str]:
    done = tckg(home, "search", QUERY, "--limit", str(ALL), "--json", *args)
    assert done.returncode == 0, done.stderr
    return {r["id"] for r in json.loads(done.stdout)}


def test_cli_deadline_window_and_unknown_values(cli_home, plans):
    assert cli_ids(cli_home, "--due-from", "2023-12-31", "--due-to", "2023-12-31") == due_between(
        plans, "2023-12-31", "2023-12-31")
    assert cli_ids(cli_home, "--due-to", "2021-01-31", "--institution", "ntu") == expected(
        plans, lambda p, a: p.slug == "ntu" and due_by(a) is not None and due_by(a) <= "2021-01-31")
    refused = tckg(cli_home, "search", QUERY, "--pillar", "Wellbeing", "--json")
    assert refused.returncode == 2 and "unknown pillar 'Wellbeing'" in refused.stderr
    assert refused.stdout == ""


def test_cli_min_score_ends(cli_home):
    assert tckg(cli_home, "search", QUERY, "--recommendation", "R5", "--links", "suggested",
                "--min-score", "1.01").returncode == 2
    graph = open_store(cli_home)
    for least in ("0", "1"):
        got = cli_ids(cli_home, "--recommendation", "R5", "--links", "suggested",
                      "--min-score", least)
        assert got == suggested_at_least(graph, "R5", float(least))


# --- the analyst queries' parameters

def due_before(store, before: str) -> set[tuple[str, str]]:
    text = (ONTOLOGY_DIR / "queries" / "actions-due-before.rq").read_text(encoding="utf-8")
    text = text.replace("SELECT ?institution", "SELECT ?before ?institution")
    rows = select_rows(store, text, before=Literal(
        before, datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")))
    return {(r["institution"], r["id"]) for r in rows}


@pytest.mark.parametrize("day", ["2023-12-31", "2021-01-31", "2024-07-31"])
def test_due_before_excludes_its_own_day_and_includes_the_day_before(store, plans, day):
    """`before` is strict: actions due that very day are not before it."""
    on_day = {(p.institution, a.local_id) for p in plans.values() for a in p.actions
              if due_by(a) == day}
    earlier = {(p.institution, a.local_id) for p in plans.values() for a in p.actions
               if due_by(a) is not None and due_by(a) < day}
    assert on_day
    assert due_before(store, day) == earlier
    after = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    assert due_before(store, after) == earlier | on_day


def test_due_before_the_first_deadline_is_empty(store, plans):
    first = all_due_dates(plans)[0]
    assert due_before(store, first) == set()


def threshold_matrix(store, threshold: str) -> dict[tuple[str, str], int]:
    text = (ONTOLOGY_DIR / "queries" / "coverage-matrix-suggested.rq").read_text(encoding="utf-8")
    assert "VALUES ?threshold { 0.4 }" in text
    rows = select_rows(store, text.replace("VALUES ?threshold { 0.4 }",
                                           f"VALUES ?threshold {{ {threshold} }}"))
    return {(r["institution"], r["recommendation"]): int(r["suggested"]) for r in rows}


def test_suggested_coverage_threshold_is_inclusive(suggested_store, plans):
    """A link scored exactly at the threshold counts; raise it a hair and it does not."""
    scores = link_scores(suggested_store, "R5")
    exact = scores[len(scores) // 2]
    at, above = threshold_matrix(suggested_store, repr(exact)), threshold_matrix(
        suggested_store, repr(exact + 1e-9))
    names = {p.slug: p.institution for p in plans.values()}
    want_at = {}
    for action in suggested_at_least(suggested_store, "R5", exact):
        name = names[action.split(":")[0]]
        want_at[name] = want_at.get(name, 0) + 1
    assert {i: n for (i, code), n in at.items() if code == "R5" and n} == want_at
    assert sum(n for (i, c), n in at.items() if c == "R5") > sum(
        n for (i, c), n in above.items() if c == "R5")

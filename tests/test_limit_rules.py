"""The input limits' rules alone (kg/limits.py), in this process: the nesting scan
on exact inputs, each check on both sides of its edge with its whole message,
and what the scan must not count (strings of every form, IRIs, comments). The
same limits through HTTP and the command line: tests/test_limits.py."""
from __future__ import annotations

import pytest

from kg import limits

DEFAULTS = {"TCKG_MAX_UPLOAD_BYTES": 10_485_760, "TCKG_MAX_QUERY_CHARS": 100_000,
            "TCKG_MAX_QUERY_DEPTH": 100, "TCKG_MAX_RDF_DEPTH": 64, "TCKG_MAX_CSV_ROWS": 10_000,
            "TCKG_MAX_CSV_COLUMNS": 50, "TCKG_MAX_CSV_CELL_CHARS": 20_000}


@pytest.fixture(autouse=True)
def _defaults(monkeypatch):
    for name in DEFAULTS:
        monkeypatch.delenv(name, raising=False)


def test_every_limit_and_its_default():
    assert {limit.env: limit.default for limit in limits.ALL} == DEFAULTS
    assert [limit.name for limit in limits.ALL] == [
        "submitted plan size in bytes", "SPARQL query length in characters",
        "SPARQL nesting depth", "Turtle/JSON-LD nesting depth", "CSV rows", "CSV columns",
        "CSV cell length in characters"]


@pytest.mark.parametrize("text, depth", [
    ("", 0), ("no brackets", 0), ("()", 1), ("()()[]{}", 1), ("([{}])", 3), ("(()", 2),
    (") (", 1),        # a closer with nothing open is not a level below zero
    ("))) ((", 2), ("{ [ ( ) ] } ( )", 3), ("((())) (((())))", 4),
])
def test_nesting_depth_is_the_deepest_level(text, depth):
    assert limits.nesting_depth(text) == depth
    assert limits.nesting_depth(text, stop_above=depth) == depth


@pytest.mark.parametrize("stop_above, counted", [(0, 1), (1, 2), (2, 3), (4, 5), (5, 5), (9, 5)])
def test_nesting_depth_stops_counting_once_past_the_stop(stop_above, counted):
    assert limits.nesting_depth("(((((" + ")))))", stop_above=stop_above) == counted


def test_the_refusal_names_the_limit_in_force_with_thousands_separated(monkeypatch):
    refused = limits.LimitExceeded(limits.QUERY_CHARS, "too long")
    assert str(refused) == "too long (limit 100,000, TCKG_MAX_QUERY_CHARS)"
    assert refused.limit is limits.QUERY_CHARS and isinstance(refused, ValueError)
    monkeypatch.setenv("TCKG_MAX_QUERY_CHARS", "1234")
    assert str(limits.LimitExceeded(limits.QUERY_CHARS, "x")) == "x (limit 1,234, TCKG_MAX_QUERY_CHARS)"


def test_query_length_at_its_edge(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_QUERY_CHARS", "1000")
    limits.check_query("#" * 1000)
    with pytest.raises(limits.LimitExceeded) as over:
        limits.check_query("#" * 1001)
    assert str(over.value) == ("the query is 1,001 characters long "
                               "(limit 1,000, TCKG_MAX_QUERY_CHARS)")
    assert over.value.limit is limits.QUERY_CHARS


def test_the_default_query_length_at_its_edge():
    limits.check_query("#" * 100_000)
    with pytest.raises(limits.LimitExceeded, match=r"^the query is 100,001 characters long"):
        limits.check_query("#" * 100_001)


def groups(depth: int) -> str:
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o" + " }" * depth


@pytest.mark.parametrize("check, make, env, message", [
    (limits.check_query, groups, "TCKG_MAX_QUERY_DEPTH", "the query is nested too deeply"),
    (limits.check_turtle, lambda n: "<urn:a> <urn:b> " + "[ <urn:p> " * n + "1" + " ]" * n + " .",
     "TCKG_MAX_RDF_DEPTH", "the turtle is nested too deeply"),
    (limits.check_json, lambda n: '{"a": ' * n + "1" + "}" * n, "TCKG_MAX_RDF_DEPTH",
     "the json-ld is nested too deeply"),
], ids=["sparql", "turtle", "json"])
@pytest.mark.parametrize("allowed", [1, 3])
def test_nesting_at_its_edge(monkeypatch, check, make, env, message, allowed):
    monkeypatch.setenv(env, str(allowed))
    check(make(allowed))
    with pytest.raises(limits.LimitExceeded) as over:
        check(make(allowed + 1))
    assert str(over.value) == f"{message} (limit {allowed}, {env})"


@pytest.mark.parametrize("env, allowed, check", [
    ("TCKG_MAX_QUERY_DEPTH", 100, limits.check_query),
    ("TCKG_MAX_RDF_DEPTH", 64, limits.check_turtle),
    ("TCKG_MAX_RDF_DEPTH", 64, limits.check_json),
])
def test_the_default_nesting_limits_at_their_edges(env, allowed, check):
    check("(" * allowed + ")" * allowed)
    with pytest.raises(limits.LimitExceeded, match=f"limit {allowed}, {env}"):
        check("(" * (allowed + 1) + ")" * (allowed + 1))


DEEP = "((((("  # five levels, over a limit of two, wherever it is counted
HIDDEN = [
    f'"{DEEP}"', f"'{DEEP}'", f'"""{DEEP}\n{DEEP}"""', f"'''{DEEP}\n{DEEP}'''",
    f'"a \\" {DEEP}"', f"'a \\' {DEEP}'",          # an escaped quote does not end the string
    f'"""a "" {DEEP} """', f"'''a '' {DEEP} '''",  # nor do two quotes a long string
    f'"""{DEEP}', f"'''{DEEP}",                     # a long string left open runs to the end
    f"<urn:x{DEEP}>", f"# {DEEP}", f"#{DEEP}\n",
]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("check", [limits.check_query, limits.check_turtle],
                         ids=["sparql", "turtle"])
def test_strings_iris_and_comments_hold_no_structure(monkeypatch, check, hidden):
    monkeypatch.setenv("TCKG_MAX_QUERY_DEPTH", "2")
    monkeypatch.setenv("TCKG_MAX_RDF_DEPTH", "2")
    check(f"{{ {hidden} }}")
    with pytest.raises(limits.LimitExceeded):  # the same brackets outside it count
        check(f"{DEEP}\n{{ {hidden} }}")


@pytest.mark.parametrize("text", [
    '"a\n(((((" (((((',      # a one-line string cannot span a line break
    "<urn:a b> (((((",       # nor an IRI hold a space: both brackets count
    '<urn:a"(((((>',
])
def test_what_is_not_a_string_or_iri_is_counted(monkeypatch, text):
    monkeypatch.setenv("TCKG_MAX_RDF_DEPTH", "2")
    with pytest.raises(limits.LimitExceeded):
        limits.check_turtle(text)


@pytest.mark.parametrize("hidden", ['"((((("', '"a \\" (((((("', '"\\\\" ', '"[[[[[" '])
def test_json_strings_hold_no_structure(monkeypatch, hidden):
    monkeypatch.setenv("TCKG_MAX_RDF_DEPTH", "2")
    limits.check_json(f'{{"k": [{hidden}]}}')
    with pytest.raises(limits.LimitExceeded, match="the json-ld is nested too deeply"):
        limits.check_json(f'{{"k": [{hidden}, [[1]]]}}')


def test_json_has_no_comments_or_iris_to_skip(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_RDF_DEPTH", "2")
    with pytest.raises(limits.LimitExceeded):
        limits.check_json("[ <urn:x((((((> ]")
    with pytest.raises(limits.LimitExceeded):
        limits.check_json("[ # ((((((\n ]")

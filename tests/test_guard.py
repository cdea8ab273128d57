"""The SPARQL guard alone: every update keyword and SERVICE refused in any letter
case and after any prologue; the same words inside strings, IRIs, comments,
prefixed names and variables let through."""
from __future__ import annotations

import pytest

from kg.store.guard import (
    QueryRefused,
    _is_query_form,
    _tokens_only,
    blank_noise,
    check_query,
    query_form,
)

UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
UPDATES = {
    "INSERT": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE": "DELETE WHERE { ?s ?p ?o }",
    "LOAD": "LOAD <http://127.0.0.1:9/x.ttl>",
    "CLEAR": "CLEAR ALL",
    "CREATE": "CREATE GRAPH <urn:g>",
    "DROP": "DROP ALL",
    "COPY": "COPY DEFAULT TO <urn:g>",
    "MOVE": "MOVE DEFAULT TO <urn:g>",
    "ADD": "ADD DEFAULT TO <urn:g>",
    "WITH": "WITH <urn:g> INSERT { <urn:a> <urn:b> <urn:c> } WHERE {}",
}


def casings(text: str) -> list[str]:
    return [text, text.lower(), text.title(), "".join(
        c.lower() if i % 2 else c.upper() for i, c in enumerate(text))]


@pytest.mark.parametrize("word", UPDATE_WORDS)
def test_every_update_is_refused_in_every_case_naming_its_keyword(word):
    for update in casings(UPDATES[word]):
        with pytest.raises(QueryRefused) as err:
            check_query(update)
        message = str(err.value)
        assert message.startswith("SPARQL updates (")
        assert "read-only" in message and "SELECT, ASK, CONSTRUCT or DESCRIBE" in message


def test_the_messages_in_full():
    with pytest.raises(QueryRefused) as err:
        check_query("DROP ALL")
    assert str(err.value) == ("SPARQL updates (DROP) are not allowed: this endpoint is read-only. "
                              "Use SELECT, ASK, CONSTRUCT or DESCRIBE.")
    with pytest.raises(QueryRefused) as err:
        check_query("SELECT * WHERE { SERVICE <urn:x> { ?s ?p ?o } }")
    assert str(err.value) == ("SERVICE clauses are not allowed: queries may not reach other "
                              "endpoints over the network. Query this graph alone.")


def test_the_message_names_the_first_update_keyword_found():
    with pytest.raises(QueryRefused, match=r"updates \(INSERT\)"):
        check_query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryRefused, match=r"updates \(DROP\)"):
        check_query("DROP ALL")


@pytest.mark.parametrize("prologue", ["", "PREFIX x: <urn:x#> ", "BASE <urn:b/> ",
                                      "prefix x: <urn:x#>\nprefix y: <urn:y#>\n",
                                      "BASE <urn:b/> PREFIX : <urn:x#> ", "# a comment\n"])
def test_updates_after_a_prologue_are_refused(prologue):
    with pytest.raises(QueryRefused):
        check_query(prologue + "DELETE WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { Service Silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { sErViCe ?endpoint { ?s ?p ?o } }",
    "ASK {\nSERVICE\n<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE {SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o }}",
])
def test_service_is_refused_in_every_case_and_spacing(query):
    with pytest.raises(QueryRefused, match="SERVICE clauses are not allowed"):
        check_query(query)


@pytest.mark.parametrize("query", [
    'SELECT ?a WHERE { ?a ?p "INSERT DATA and SERVICE" }',
    "SELECT ?a WHERE { ?a ?p 'DROP ALL' }",
    'SELECT ?a WHERE { ?a ?p """multi\nline DELETE WHERE SERVICE""" }',
    "SELECT ?a WHERE { ?a ?p '''CLEAR ALL'''}",
    'SELECT ?a WHERE { ?a ?p "a \\" escaped DROP quote" }',
    "SELECT ?a WHERE { ?a <urn:x:SERVICE> <urn:INSERT> }",
    "SELECT ?a WHERE { ?a ?p ?o } # DROP ALL, SERVICE <http://x/>",
    "PREFIX load: <urn:load#> SELECT ?a WHERE { ?a load:with ?o }",
    "SELECT ?insert ?delete ?service WHERE { ?insert ?delete ?service }",
    "SELECT $drop WHERE { $drop ?p ?o }",
    "SELECT ?a WHERE { ?a ?p ?o } LIMIT 1",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE <urn:a>",
    "select ?a where { ?a ?p ?o }",
    "PREFIX x: <urn:x#> SELECT ?a WHERE { ?a x:p ?o . FILTER(?o != 'WITH') }",
    "SELECT ?a WHERE { ?a ?p ?o } # comment\nLIMIT 5",
    "SELECT ?a WHERE { ?a my-prefix:service ?o }",
    "SELECT ?a WHERE { ?a ?p ?o . BIND(@en AS ?x) }",
])
def test_queries_that_only_mention_the_words_pass(query):
    check_query(query)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "prefix x: <urn:x#> select * where { ?s ?p ?o } ; insert data { <urn:a> <urn:b> <urn:c> }",
    "base <urn:b/> ask { ?s ?p ?o } ; drop all",
])
def test_a_query_form_first_lets_the_engine_refuse_what_follows(query):
    """A query that starts as a query form is left to the engine, which parses
    it as one query and rejects the trailing update as a syntax error."""
    check_query(query)


def test_tokens_only_blanks_strings_iris_and_comments():
    bare = _tokens_only('SELECT ?a WHERE { ?a <urn:DROP> "INSERT" } # SERVICE')
    assert "DROP" not in bare and "INSERT" not in bare and "SERVICE" not in bare
    assert bare.startswith("SELECT ?a WHERE { ?a") and bare.rstrip().endswith("}")
    assert _tokens_only("'''a\nb''' '''c'''") .split() == []
    assert _tokens_only('"a" ?x "b"').split() == ["?x"]
    assert _tokens_only("<a b> ?x").split() == ["<a", "b>", "?x"]  # no spaces inside IRIs
    assert _tokens_only('"line\nbreak"').split() == ['"line', 'break"']  # short strings are one line
    assert _tokens_only("'x\\'y' ?z").split() == ["?z"]


@pytest.mark.parametrize("bare, expected", [
    ("SELECT ?a", True), ("  select ?a", True), ("ASK {}", True), ("CONSTRUCT {}", True),
    ("DESCRIBE ?a", True), ("PREFIX x:  SELECT ?a", True), ("BASE   PREFIX :  ASK {}", True),
    ("PREFIX a.b-c:  SELECT ?a", True), ("INSERT DATA {}", False),
    ("PREFIX x:  INSERT DATA {}", False), ("SELECTED", False), ("WITH  SELECT", False),
    ("", False),
])
def test_is_query_form_reads_past_the_prologue_only(bare, expected):
    assert _is_query_form(bare) is expected


@pytest.mark.parametrize("query, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"), ("select ?s {}", "SELECT"),
    ("  ask {}", "ASK"), ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("describe <urn:a>", "DESCRIBE"),
    ("PREFIX x: <urn:x#> ask {}", "ASK"),
    ("BASE <urn:b/> PREFIX : <urn:> prefix a.b-c: <urn:c> Construct {} WHERE {}", "CONSTRUCT"),
    ("# SELECT in a comment\nASK {}", "ASK"),
    ("PREFIX x: <urn:select> DESCRIBE ?a", "DESCRIBE"),  # the word inside an IRI is not read
    ("SELECT(?a AS ?b) {}", "SELECT"),
    ("INSERT DATA {}", None), ("PREFIX x: <urn:x#> DELETE WHERE {}", None),
    ("SELECTED ?a", None), ("WITH <urn:g> SELECT", None), ("", None), ("{ SELECT }", None),
])
def test_query_form_is_the_first_keyword_after_the_prologue(query, form):
    assert query_form(query) == form


def test_blank_noise_keeps_every_position():
    query = 'SELECT ?a { ?a <urn:x> "b c" , \'d\' } # SERVICE\nLIMIT 1'
    bare = blank_noise(query)
    assert bare == 'SELECT ?a { ?a         ' + ' ' * 5 + ' , ' + ' ' * 3 + ' } ' + ' ' * 9 + '\nLIMIT 1'
    assert len(bare) == len(query)
    long = '"""a\n"b"\n""" ?x'
    assert blank_noise(long) == " " * 12 + " ?x"


def test_a_query_over_a_limit_is_refused_with_the_limits_message(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_QUERY_CHARS", "11")
    monkeypatch.setenv("TCKG_MAX_QUERY_DEPTH", "1")
    check_query("ASK { ?s }#")  # 11 characters, one level
    with pytest.raises(QueryRefused) as long:
        check_query("ASK { ?s }##")
    assert str(long.value) == "the query is 12 characters long (limit 11, TCKG_MAX_QUERY_CHARS)"
    with pytest.raises(QueryRefused) as deep:
        check_query("ASK {{}}")
    assert str(deep.value) == "the query is nested too deeply (limit 1, TCKG_MAX_QUERY_DEPTH)"

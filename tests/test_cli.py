"""The `tckg` command as a user runs it: a real process, the real store."""
from __future__ import annotations

import csv
import io
import json
import subprocess
from xml.etree import ElementTree

import pytest
import rdflib

from tests.conftest import TCKG, documentation, tckg

COUNT = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/tckg/ontology#Action> }"


def test_sparql_json_is_the_default(cli_home):
    done = tckg(cli_home, "sparql", COUNT)
    assert done.returncode == 0
    assert json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"] == "172"


def test_sparql_csv_and_tsv(cli_home):
    rows = list(csv.reader(io.StringIO(tckg(cli_home, "sparql", COUNT, "--format", "csv").stdout)))
    assert rows == [["n"], ["172"]]
    tsv = tckg(cli_home, "sparql", COUNT, "--format", "tsv").stdout.splitlines()
    assert tsv == ["?n", "172"]


def test_sparql_xml(cli_home):
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(tckg(cli_home, "sparql", COUNT, "--format", "xml").stdout)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["n"]
    results = root.findall("r:results/r:result", ns)
    assert len(results) == 1
    literal = results[0].find("r:binding[@name='n']/r:literal", ns)
    assert literal.text == "172"
    assert literal.get("datatype") == "http://www.w3.org/2001/XMLSchema#integer"


def test_sparql_construct_as_turtle_from_a_query_file(cli_home, tmp_path):
    path = tmp_path / "plans.rq"
    path.write_text("CONSTRUCT { ?p a <https://w3id.org/tckg/ontology#ActionPlan> } "
                    "WHERE { ?p a <https://w3id.org/tckg/ontology#ActionPlan> }")
    done = tckg(cli_home, "sparql", str(path), "--format", "turtle")
    assert done.returncode == 0
    assert len(rdflib.Graph().parse(data=done.stdout, format="turtle")) == 5


def test_sparql_analyst_query_file(cli_home):
    done = tckg(cli_home, "sparql", "ontology/queries/pillar-balance.rq", "--format", "csv")
    assert done.returncode == 0 and "University of Leicester,Visibility,11" in done.stdout


@pytest.mark.parametrize("query, message", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates (INSERT) are not allowed"),
    ("PREFIX x: <urn:x#> DELETE WHERE { ?s ?p ?o }", "updates (DELETE) are not allowed"),
    ("DROP ALL", "updates (DROP) are not allowed"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE clauses are not allowed"),
    ("select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE clauses are not allowed"),
])
def test_sparql_refuses_updates_and_service(cli_home, query, message):
    done = tckg(cli_home, "sparql", query)
    assert done.returncode == 2
    assert message in done.stderr and done.stdout == ""


def test_sparql_keywords_inside_strings_are_not_refused(cli_home):
    done = tckg(cli_home, "sparql", 'SELECT ?a WHERE { ?a ?p "SERVICE and INSERT DATA" } # DROP ALL')
    assert done.returncode == 0


def test_sparql_syntax_error_reports_the_position(cli_home):
    done = tckg(cli_home, "sparql", "SELECT ?s WHERE {\n  ?s ?p }")
    assert done.returncode == 2
    assert "error at 2:" in done.stderr


def test_sparql_format_that_does_not_fit_the_query(cli_home):
    done = tckg(cli_home, "sparql", COUNT, "--format", "turtle")
    assert done.returncode == 2 and "does not fit a SELECT/ASK query" in done.stderr


def test_sparql_before_build_says_to_build(tmp_path):
    done = tckg(tmp_path, "sparql", COUNT)
    assert done.returncode == 2 and "run `tckg build` first" in done.stderr


def _commands():
    from api.cli import parser

    sub = next(a for a in parser()._actions if a.dest == "command")
    return sub, sub.choices


def test_every_command_and_every_option_has_help_text():
    """Each subcommand has a summary in `tckg --help`, and each of its arguments a
    help line in `tckg COMMAND --help`, as a user sees them."""
    import argparse

    sub, commands = _commands()
    summaries = {a.dest: a.help for a in sub._choices_actions}
    top = subprocess.run([TCKG, "--help"], capture_output=True, text=True, check=False)
    assert top.returncode == 0
    assert set(commands) >= {"build", "sparql", "validate", "serve", "search", "similar", "suggest"}
    for name, command in commands.items():
        assert summaries.get(name), f"tckg {name} has no summary"
        assert name in top.stdout and summaries[name].split()[0] in top.stdout
        shown = subprocess.run([TCKG, name, "--help"], capture_output=True, text=True, check=False)
        assert shown.returncode == 0 and shown.stdout.startswith(f"usage: tckg {name}")
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)
            flag = action.option_strings[-1] if action.option_strings else action.dest
            assert flag in shown.stdout, (name, flag)
            assert action.help.split()[0] in shown.stdout, (name, flag)


def test_every_command_is_in_the_readme():
    readme = documentation()
    assert [c for c in _commands()[1] if f"tckg {c}" not in readme] == []

"""`tckg sparql` keeps the HTTP side's query time limit (TCKG_QUERY_TIMEOUT): a
query past it is stopped with one clear line and exit 2, instead of running (or
waiting on a server that never answers) without end."""
from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path

from tests.conftest import TCKG

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# Three copies of the graph joined with each other: over 10^10 rows to count.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {marker}"


def sparql(home: Path, query: str, limit: str) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, TCKG_HOME=str(home), TCKG_QUERY_TIMEOUT=limit)
    started = time.monotonic()
    done = subprocess.run([TCKG, "sparql", query], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    return done, time.monotonic() - started


def processes_holding(marker: str) -> list[int]:
    """The processes whose command line holds `marker` (the query's comment)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # it ended while we looked
            continue
    return found


def test_a_query_within_the_limit_answers(cli_home):
    done, _ = sparql(cli_home, COUNT, "1")
    assert done.returncode == 0, done.stderr
    assert int(json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"]) > 1000


def test_a_query_past_the_limit_is_stopped_with_one_clear_line(cli_home):
    marker = f"tckg-time-limit-{uuid.uuid4()}"
    done, took = sparql(cli_home, ENDLESS.format(marker=marker), "1.5")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().endswith(
        "the query ran past the 1.5 s time limit (TCKG_QUERY_TIMEOUT) and was stopped; "
        "narrow it (filters, LIMIT) and try again"), done.stderr
    assert 1.5 <= took < 10, took  # the limit, plus the command's own start
    assert processes_holding(marker) == []  # the query's process was killed, not left running

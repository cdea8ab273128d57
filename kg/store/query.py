"""Read-only SPARQL over the store, answered in the standard result formats."""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.store.guard import QueryRefused, check_query

SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class QuerySyntaxError(ValueError):
    """The query does not parse; the message carries the engine's line:column."""


@dataclass
class Answer:
    body: bytes
    media_type: str


def execute(store: ox.Store, query: str):
    """Run a checked query; raises QueryRefused or QuerySyntaxError."""
    check_query(query)
    if not query.isascii():
        try:
            query.encode("utf-8")
        except UnicodeEncodeError as err:
            raise QuerySyntaxError(f"the query is not valid Unicode text ({err.reason} at "
                                   f"character {err.start})") from None
    try:
        return store.query(query)
    except SyntaxError as err:
        raise QuerySyntaxError(f"SPARQL syntax {err}") from None


def serialize(results, fmt: str | None = None) -> Answer:
    """Results in the asked format; the default is JSON for solutions and
    booleans, Turtle for graphs."""
    # An external server's CONSTRUCT arrives as a list of triples (kg/store/remote.py).
    if isinstance(results, (ox.QueryTriples, list)):
        table, default = GRAPH_FORMATS, "turtle"
    else:
        table, default = SOLUTION_FORMATS, "json"
    name = fmt or default
    if name not in table:
        kind = "CONSTRUCT/DESCRIBE" if table is GRAPH_FORMATS else "SELECT/ASK"
        raise QueryRefused(f"format {name!r} does not fit a {kind} query; "
                           f"use one of: {', '.join(table)}")
    target = table[name]
    body = (ox.serialize(results, format=target) if isinstance(results, list)
            else results.serialize(format=target))
    return Answer(body, target.media_type)


def run(store: ox.Store, query: str, fmt: str | None = None) -> Answer:
    return serialize(execute(store, query), fmt)


def select_rows(store: ox.Store, query: str, **bindings) -> list[dict[str, str]]:
    """A SELECT's rows as plain {variable: value} dicts, for library callers.

    Values are bound through substitutions, never pasted into the query text.
    """
    subs = {ox.Variable(k): v for k, v in bindings.items()}
    results = store.query(query, substitutions=subs or None)
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


def example_queries() -> list[tuple[str, str, str]]:
    """The analyst queries in ontology/queries/: (file name, title, text), by name."""
    from kg.resources import QUERIES, files_in

    found = []
    for path in files_in(QUERIES, ".rq"):
        text = path.read_text(encoding="utf-8")
        title = text.splitlines()[0].removeprefix("# title:").strip()
        found.append((path.name, title, text))
    return found

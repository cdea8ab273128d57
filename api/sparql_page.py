"""/sparql for a browser: an editor pre-loaded with the example queries, and a
query's results as a table. The query runs through the same worker pool as the
SPARQL Protocol endpoint (time limit, row cap, read-only guard)."""
from __future__ import annotations

import re
from time import perf_counter
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from api.web import href, render
from kg.store.base import StoreUnavailable
from kg.store.guard import QueryRefused, check_query
from kg.store.pool import QueryTimeout, WorkerCrashed
from kg.store.query import QuerySyntaxError, example_queries

ERROR_AT = re.compile(r"at (\d+):(\d+)")


def _cell(term) -> dict:
    """A result term as the table shows it: a link for an IRI, else its text."""
    if term is None:
        return {"text": ""}
    if isinstance(term, ox.NamedNode):
        return {"text": term.value, "href": href(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"text": f"_:{term.value}"}
    return {"text": term.value}


def _table(outcome) -> tuple[list[str], list[list[dict]]]:
    """Column names and rows, read on this thread (pyoxigraph iterators must be)."""
    results = outcome.results()
    if outcome.kind == "boolean":
        return ["answer"], [[{"text": "yes" if bool(results) else "no"}]]
    if outcome.kind == "triples":
        return ["subject", "predicate", "object"], [
            [_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in results]
    names = [v.value for v in results.variables]
    rows = [[_cell(row[name]) for name in names] for row in results]
    del results
    return names, rows


def run_for_page(request: Request, query: str) -> dict:
    """What the page shows for one query: its table, or the error and its line."""
    started = perf_counter()
    try:
        check_query(query)  # a query over a limit never reaches a worker (kg/limits.py)
        outcome = request.app.state.queries.run(query)
    except (QueryRefused, QuerySyntaxError, QueryTimeout, StoreUnavailable, WorkerCrashed) as err:
        at = ERROR_AT.search(str(err))
        return {"error": str(err), "error_line": int(at.group(1)) if at else None,
                "status": 503 if isinstance(err, (QueryTimeout, StoreUnavailable)) else
                500 if isinstance(err, WorkerCrashed) else 400}
    names, rows = _table(outcome)
    return {"columns": names, "rows": rows, "truncated": outcome.truncated,
            "max_rows": request.app.state.queries.max_rows, "kind": outcome.kind,
            "milliseconds": (perf_counter() - started) * 1000, "status": 200}


def sparql_page(request: Request, query: str | None) -> HTMLResponse:
    examples = [{"name": name, "title": title, "text": text,
                 "link": "/sparql?" + urlencode({"query": text})}
                for name, title, text in example_queries()]
    answer = run_for_page(request, query) if query else {"status": 200}
    selected = next((e["name"] for e in examples if e["text"] == query), None)
    return render(request, "sparql.html", status=answer["status"], title="SPARQL",
                  query=query if query is not None else examples[0]["text"], ran=bool(query),
                  examples=examples, selected=selected, answer=answer,
                  share="/sparql?" + urlencode({"query": query}) if query else None,
                  csv="/sparql.csv?" + urlencode({"query": query}) if query else None)

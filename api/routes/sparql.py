"""The SPARQL 1.1 Protocol endpoint, read-only: a router any FastAPI app can mount."""
from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, choose
from kg.query import QuerySyntaxError, execute
from kg.sparql_guard import QueryRefused

router = APIRouter(tags=["sparql"])

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
[] a sd:Service ;
   sd:endpoint <{endpoint}> ;
   sd:supportedLanguage sd:SPARQL11Query ;
   sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
                   fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD .
"""


def _answer(request: Request, query: str) -> Response:
    """Run and serialise in one worker thread: pyoxigraph's result iterators
    must be used and dropped on the thread that made them."""
    try:
        results = execute(request.app.state.store, query)
    except (QueryRefused, QuerySyntaxError) as err:
        raise ApiError(400, str(err)) from None
    offered = GRAPH_TYPES if isinstance(results, ox.QueryTriples) else SOLUTION_TYPES
    fmt = choose(request.headers.get("accept"), offered)
    body = results.serialize(format=fmt) if fmt else None
    del results
    if fmt is None:
        raise ApiError(406, "cannot answer in the accepted media types; this query's results "
                            f"come as: {', '.join(f.media_type for f in offered)}")
    return Response(body, media_type=fmt.media_type)


@router.get("/sparql", summary="SPARQL 1.1 query via GET")
def sparql_get(request: Request, query: str | None = None) -> Response:
    if query is None:
        return Response(SERVICE_DESCRIPTION.format(endpoint=request.url_for("sparql_get")),
                        media_type="text/turtle")
    return _answer(request, query)


@router.post("/sparql", summary="SPARQL 1.1 query via POST (form or sparql-query body)")
async def sparql_post(request: Request) -> Response:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if kind == "application/sparql-update":
        raise ApiError(403, "SPARQL updates are not allowed: this endpoint is read-only")
    if kind == "application/sparql-query":
        query = body.decode("utf-8", errors="replace")
    elif kind == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8", errors="replace"))
        if "update" in form:
            raise ApiError(403, "SPARQL updates are not allowed: this endpoint is read-only")
        if "query" not in form:
            raise ApiError(400, "the form has no 'query' field")
        query = form["query"][0]
    else:
        raise ApiError(415, f"unsupported content type {kind!r}: send application/sparql-query "
                            "or application/x-www-form-urlencoded")
    return await run_in_threadpool(_answer, request, query)

"""The SPARQL 1.1 Protocol endpoint, read-only: a router any FastAPI app can mount.

Queries run in killable worker processes (kg/store/pool.py), or on the external
SPARQL server under a client-side deadline (kg/store/remote.py), with a time limit
and a row cap; this module only reads the request and negotiates the answer.
"""
from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, choose, prefers_html
from api.sparql_page import sparql_page
from kg.limits import QUERY_CHARS
from kg.store.guard import QueryRefused, check_query
from kg.store.pool import QueryTimeout, StoreUnavailable, WorkerCrashed
from kg.store.query import QuerySyntaxError

router = APIRouter(tags=["sparql"])

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
[] a sd:Service ;
   sd:endpoint <{endpoint}> ;
   sd:supportedLanguage sd:SPARQL11Query ;
   sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
                   fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD .
"""
TRUNCATED = "TCKG-Results-Truncated"
EXAMPLE = {"query": {"summary": "actions per institution", "value":
                     "SELECT ?plan (COUNT(?a) AS ?n) WHERE { ?plan "
                     "<https://w3id.org/tckg/ontology#hasAction> ?a } GROUP BY ?plan"}}


def _answer(request: Request, query: str) -> Response:
    """Run in a worker process, then serialise here, in one thread: pyoxigraph's
    result iterators must be used and dropped on the thread that made them."""
    try:
        # Checked here too, so that a query over a limit never reaches a worker.
        check_query(query)
        outcome = request.app.state.queries.run(query)
    except (QueryRefused, QuerySyntaxError) as err:
        raise ApiError(400, str(err)) from None
    except (QueryTimeout, StoreUnavailable) as err:
        raise ApiError(503, str(err)) from None
    except WorkerCrashed as err:
        raise ApiError(500, str(err)) from None
    offered = GRAPH_TYPES if outcome.kind == "triples" else SOLUTION_TYPES
    fmt = choose(request.headers.get("accept"), offered)
    if fmt is None:
        raise ApiError(406, "cannot answer in the accepted media types; this query's results "
                            f"come as: {', '.join(f.media_type for f in offered)}")
    results = outcome.results()
    body = (ox.serialize(results, format=fmt) if outcome.kind == "triples"
            else results.serialize(format=fmt))
    del results
    headers = {TRUNCATED: str(request.app.state.queries.max_rows)} if outcome.truncated else {}
    return Response(body, media_type=fmt.media_type, headers=headers)


@router.get("/sparql", summary="SPARQL 1.1 query via GET",
            description="Without `query`: the service description (Turtle). For a browser "
                        "(Accept: text/html first) a page with an editor and the example "
                        "queries, and a query's results as a table. Results are cut at the row cap (header "
                        f"`{TRUNCATED}`); a query past the time limit gets 503.",
            openapi_extra={"parameters": [{"name": "query", "in": "query", "required": False,
                                           "schema": {"type": "string"}, "examples": EXAMPLE}]})
def sparql_get(request: Request, query: str | None = None) -> Response:
    if prefers_html(request.headers.get("accept")):
        return sparql_page(request, query)
    if query is None:
        endpoint = str(request.url_for("sparql_get"))
        return Response(SERVICE_DESCRIPTION.format(endpoint=endpoint), media_type="text/turtle")
    return _answer(request, query)


@router.post("/sparql", summary="SPARQL 1.1 query via POST (form or sparql-query body)",
             openapi_extra={"requestBody": {"content": {
                 "application/sparql-query": {"schema": {"type": "string"},
                                              "example": EXAMPLE["query"]["value"]},
                 "application/x-www-form-urlencoded": {
                     "schema": {"type": "object", "properties": {"query": {"type": "string"}}},
                     "example": {"query": EXAMPLE["query"]["value"]}}}}})
async def sparql_post(request: Request) -> Response:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > 4 * QUERY_CHARS.value():  # 4 bytes a character at most
        raise ApiError(413, f"the request body is {int(declared):,} bytes, over what a query of "
                            f"{QUERY_CHARS.value():,} characters can take ({QUERY_CHARS.env})")
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

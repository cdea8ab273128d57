"""GET /id/...: every IRI the graph mints under https://w3id.org/tckg/id/ is served
here, as Turtle, JSON-LD (its outgoing and incoming triples) or an HTML page."""
from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.errors import ApiError
from api.negotiation import choose, prefers_html
from api.resource_pages import resource_page
from kg.catalog import describe
from kg.vocab import TCID

router = APIRouter(tags=["linked data"])

HTML = "text/html"
OFFERED = [ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD, ox.RdfFormat.N_TRIPLES]
BY_NAME = {"turtle": "text/turtle", "jsonld": "application/ld+json",
           "ntriples": "application/n-triples", "html": HTML}
PREFIXES = {"tc": "https://w3id.org/tckg/ontology#", "tcid": str(TCID),
            "dct": "http://purl.org/dc/terms/", "skos": "http://www.w3.org/2004/02/skos/core#",
            "prov": "http://www.w3.org/ns/prov#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


def _wanted(request: Request, fmt: str | None) -> str | None:
    """The media type to answer in: ?format= first, then Accept (HTML when it is
    named first, as browsers do; Turtle for */*)."""
    if fmt is not None:
        if fmt not in BY_NAME:
            raise ApiError(400, f"unknown format {fmt!r}; use one of {', '.join(BY_NAME)}")
        return BY_NAME[fmt]
    accept = request.headers.get("accept")
    if prefers_html(accept):
        return HTML
    chosen = choose(accept, OFFERED)
    return chosen.media_type if chosen else None


@router.get("/id/{path:path}", summary="linked-data description of a graph resource",
            description="Turtle (default), JSON-LD, N-Triples or, for a browser, HTML; "
                        "`?format=turtle|jsonld|ntriples|html` overrides the Accept header.",
            responses={200: {"content": {
                "text/turtle": {"example": "<https://w3id.org/tckg/id/northumbria/action/16> "
                                           "a tc:Action ; dct:identifier \"16\" ."},
                "application/ld+json": {}, "text/html": {}}},
                       404: {"description": "the graph has nothing about this IRI"}})
def resource(request: Request,
             path: str = PathParam(examples=["northumbria/action/16"]),
             format: str | None = Query(None, examples=["html"])) -> Response:
    iri = f"{TCID}{path}"
    media = _wanted(request, format)
    if media is None:
        raise ApiError(406, "cannot answer in the accepted media types; this resource comes as: "
                            f"{', '.join(BY_NAME.values())}")
    triples = describe(request.app.state.store, iri)
    if not triples:
        raise ApiError(404, f"the graph has nothing about {iri}")
    if media == HTML:
        return resource_page(request, iri, triples)
    target = next(f for f in OFFERED if f.media_type == media)
    prefixes = PREFIXES if target is ox.RdfFormat.TURTLE else None
    return Response(ox.serialize(triples, format=target, prefixes=prefixes), media_type=media)

"""/plans: publish a plan over HTTP (the body types of POST /validate), list the
added plans, read one, take one out. Writes need the bearer token (api/auth.py);
reads are open. The library does the work (search/publish.py); this module
only translates HTTP."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.auth import require_token
from api.errors import ApiError, error_response
from api.routes.validate import BODY, _plan, csv_plan_fields, validator
from kg.model import UnreadablePlan
from kg.plans import UnknownPlan, read_registry
from kg.store import StoreMissing
from kg.store.base import StoreUnavailable
from kg.validate import PlanTooLarge, max_upload_bytes
from kg.validation_pool import ValidationCrashed
from search.index import IndexUnusable
from search.linking import SuggestersUnusable
from search.publish import Publisher

# A state folder that cannot take a plan (never built, built --graph-only, damaged),
# said as the CLI says it, not as an internal error.
STATE_ERRORS = (StoreMissing, IndexUnusable, SuggestersUnusable)

router = APIRouter(tags=["publishing"])

PLAN_ID = Path(description="the plan's id: the institution's slug and its period",
               examples=["university-of-example-2025-01-2027-12"])
PLAN_EXAMPLE = {
    "id": "university-of-example-2025-01-2027-12",
    "plan": "https://w3id.org/tckg/id/university-of-example-2025-01-2027-12/plan",
    "version": 1, "status": "published", "institution": "University of Example",
    "title": "Technician Commitment action plan 2025-2027", "start": "2025-01", "end": "2027-12",
    "actions": 5, "format": "csv", "file": "plans/university-of-example-2025-01-2027-12/v1.csv",
    "sha256": "…", "added": "2026-01-05T10:00:00+00:00", "changed": None}
AUTH = {401: {"description": "missing or wrong bearer token"},
        403: {"description": "publishing is off: no TCKG_API_TOKEN configured"}}
WRITE = {**AUTH, 409: {"description": "the state folder cannot take it: run `tckg build`"},
         503: {"description": "the external SPARQL store did not answer, or a validation "
                              "worker died (send the plan again)"}}


def _publisher(request: Request) -> Publisher:
    # Its validation runs in the app's worker processes, as POST /validate's does.
    return Publisher(request.app.state.home, request.app.state.searcher.encoder,
                     validator(request))


async def _write(request: Request, change, *args):
    """Run a write of the publisher off the event loop; a state that cannot take
    it is 409 (what the CLI says: run `tckg build`), an unreachable store 503."""
    try:
        return await run_in_threadpool(change(_publisher(request)), *args)
    except STATE_ERRORS as err:
        raise ApiError(409, f"the server's state cannot change: {err}") from None
    except (StoreUnavailable, ValidationCrashed) as err:
        raise ApiError(503, str(err)) from None


async def _reload(request: Request) -> None:
    """The answer and the very next request see the new state."""
    await run_in_threadpool(request.app.state.reloader.check)


@router.post("/plans", status_code=201, dependencies=[Depends(require_token)],
             summary="validate a plan, then publish it into the graph",
             description="The body types of POST /validate. 201 with the plan's IRI and a "
                         "`Location`; 422 with the validation report when the plan does not "
                         "conform (nothing changes); 400 unreadable, 413 too large, 415 unknown "
                         "content type. A plan with the institution and period of a published "
                         "one replaces it.",
             openapi_extra={"requestBody": BODY},
             responses={201: {"content": {"application/json": {"example": {
                 "plan": PLAN_EXAMPLE["plan"], "id": PLAN_EXAMPLE["id"], "version": 1,
                 "actions": 5, "replaced": None, "seconds": 1.2}}}},
                 400: {"description": "unreadable plan"}, 413: {"description": "too large"},
                 415: {"description": "unknown content type"},
                 422: {"description": "does not conform: the error and the report"}, **WRITE})
async def publish_plan(request: Request, fields: Annotated[dict, Depends(csv_plan_fields)]):
    limit = max_upload_bytes()
    try:
        data, fmt = await _plan(request, limit)
        outcome = await _write(request, lambda p: p.add, data, fmt, fields)
    except PlanTooLarge as err:
        raise ApiError(413, str(err)) from None
    except UnreadablePlan as err:
        raise ApiError(400, str(err)) from None
    report = outcome.report
    if outcome.entry is None:
        return error_response(422, f"the plan does not conform: {report.violations} violation(s); "
                                   "nothing was published", report=report.to_json())
    await _reload(request)
    entry = outcome.entry
    body = {"plan": outcome.iri, "id": entry.id, "version": entry.version, "actions": entry.actions,
            "replaced": outcome.replaced.version if outcome.replaced else None,
            "seconds": round(outcome.seconds, 2), "report": report.to_json()}
    return JSONResponse(body, status_code=201, headers={"Location": f"/plans/{entry.id}"})


@router.get("/plans", summary="the added plans",
            description="The published plans added beyond data/sources; `all=true` also lists "
                        "replaced and removed versions.",
            responses={200: {"content": {"application/json": {"example": [PLAN_EXAMPLE]}}}})
def list_plans(request: Request, all: bool = Query(False, description="also replaced and removed versions")):
    entries = read_registry(request.app.state.home)
    return [e.to_json() for e in entries if all or e.status == "published"]


@router.get("/plans/{plan_id}", summary="one added plan, with every version",
            responses={200: {"content": {"application/json": {"example": {
                **PLAN_EXAMPLE, "versions": [PLAN_EXAMPLE]}}}}, 404: {"description": "no such plan"}})
def get_plan(request: Request, plan_id: str = PLAN_ID):
    versions = [e.to_json() for e in read_registry(request.app.state.home) if e.id == plan_id]
    if not versions:
        raise ApiError(404, f"no added plan {plan_id!r}: GET /plans lists them")
    live = next((v for v in versions if v["status"] == "published"), versions[-1])
    return dict(live, versions=versions)


@router.delete("/plans/{plan_id}", dependencies=[Depends(require_token)],
               summary="take an added plan out of the graph (its file is kept, marked removed)",
               responses={200: {"content": {"application/json": {"example": {
                   **PLAN_EXAMPLE, "status": "removed"}}}}, 404: {"description": "no such plan"},
                   **WRITE})
async def remove_plan(request: Request, plan_id: str = PLAN_ID):
    try:
        entry = await _write(request, lambda p: p.remove, plan_id)
    except UnknownPlan as err:
        raise ApiError(404, str(err)) from None
    await _reload(request)
    return entry.to_json()

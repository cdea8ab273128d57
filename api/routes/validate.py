"""POST /validate: a submitted plan in, the SHACL report out (JSON, or SHACL's
own report graph as Turtle). The body is read in chunks and refused past the
size limit before it is all in memory."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.errors import ApiError
from api.negotiation import parse_accept
from kg.model import UnreadablePlan
from kg.resources import EXAMPLE_CSV as EXAMPLE_FILE
from kg.submission import FORMATS, detect_format
from kg.validate import PlanTooLarge, Report, max_upload_bytes, validate
from kg.validation_pool import ValidationCrashed

router = APIRouter(tags=["validation"])

EXAMPLE_CSV = "".join(EXAMPLE_FILE.read_text(encoding="utf-8")
                      .splitlines(keepends=True)[:3])
BODY = {"content": {
    "text/turtle": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": "object"}},
    "text/csv": {"schema": {"type": "string"}, "example": EXAMPLE_CSV},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}}}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"the upload is {int(declared):,} bytes, over the {limit:,}-byte "
                            "limit (TCKG_MAX_UPLOAD_BYTES)")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise ApiError(413, f"the upload is over the {limit:,}-byte limit "
                                "(TCKG_MAX_UPLOAD_BYTES)")
    return bytes(data)


async def _plan(request: Request, limit: int) -> tuple[bytes, str]:
    """The plan's bytes and format, from a raw body or a multipart upload."""
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() == "multipart/form-data":
        data = await _read_body(request, limit)  # the limit holds before parts are parsed

        async def replay() -> dict:
            return {"type": "http.request", "body": data, "more_body": False}

        form = await Request(request.scope, replay).form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "the multipart upload has no 'file' part")
        data = await upload.read()
        fmt = detect_format(name=upload.filename, content_type=upload.content_type
                            if upload.content_type not in (None, "application/octet-stream")
                            else None)
        return data, fmt
    if not kind:
        raise ApiError(415, f"say the plan's content type: one of {', '.join(FORMATS.values())}")
    try:
        fmt = detect_format(content_type=kind)
    except UnreadablePlan as err:
        raise ApiError(415, str(err)) from None
    return await _read_body(request, limit), fmt


def validator(request: Request) -> Callable[..., Report]:
    """kg.validate.validate as the app runs it: in its worker processes
    (kg/validation_pool.py), so that validations run side by side on every core;
    in process where the app has no workers (its lifespan not started)."""
    pool = getattr(request.app.state, "validators", None)
    return pool.validate if pool else validate


async def run_validation(request: Request, data: bytes, fmt: str, *, limit: int,
                         with_graph: bool = False, **fields) -> Report:
    """Validate off the event loop; ValidationCrashed when a worker died under it."""
    call = validator(request)
    extra = {"with_graph": with_graph} if call is not validate else {}
    return await run_in_threadpool(call, data, fmt, max_bytes=limit, **extra, **fields)


def csv_plan_fields(institution: str | None = Query(None, description="CSV: the institution",
                                                    examples=["University of Example"]),
                    title: str | None = Query(None, description="CSV: the plan's title"),
                    start: str | None = Query(None, description="CSV: first month, YYYY-MM"),
                    end: str | None = Query(None, description="CSV: last month, YYYY-MM")) -> dict:
    """The plan fields a CSV carries outside its rows, as query parameters."""
    return {"institution": institution, "title": title, "start": start, "end": end}


@router.post("/validate", summary="SHACL-validate a submitted plan",
             description="200 with the report whether or not the plan conforms; 400 for "
                         "unreadable input, 413 over the size limit, 415 for an unknown "
                         "content type. Ask for `text/turtle` to get SHACL's report graph. "
                         "`suggested_pillars` lists, for each action with no pillar, the "
                         "pillars its text suggests (best first, with scores); `peer_exemplars`, "
                         "for each TALENT recommendation and pillar the plan does not address, the "
                         "best actions other institutions have for it (asserted links first, then "
                         "suggested ones at or above the threshold).",
             openapi_extra={"requestBody": BODY},
             responses={400: {"description": "unreadable plan"}, 413: {"description": "too large"},
                        415: {"description": "unknown content type"},
                        503: {"description": "a validation worker died; send the plan again"}})
async def validate_plan(request: Request, plan_fields: Annotated[dict, Depends(csv_plan_fields)]):
    limit = max_upload_bytes()
    try:
        data, fmt = await _plan(request, limit)
        fields = plan_fields if fmt == "csv" else {}
        wanted = [media for media, q in parse_accept(request.headers.get("accept")) if q > 0]
        turtle = bool(wanted) and wanted[0] == "text/turtle"
        report = await run_validation(request, data, fmt, limit=limit, with_graph=turtle, **fields)
    except PlanTooLarge as err:
        raise ApiError(413, str(err)) from None
    except UnreadablePlan as err:
        raise ApiError(400, str(err)) from None
    except ValidationCrashed as err:
        raise ApiError(503, str(err)) from None
    if turtle:
        return Response(report.report_graph.serialize(format="turtle"), media_type="text/turtle")
    assistant = request.app.state.assistant
    suggestions = (await run_in_threadpool(assistant.pillars_for, report)
                   if report.without_pillar else [])
    exemplars = await run_in_threadpool(assistant.exemplars_for, report)
    return JSONResponse(dict(report.to_json(), suggested_pillars=suggestions, peer_exemplars=exemplars))

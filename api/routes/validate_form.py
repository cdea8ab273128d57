"""/validate for a browser: GET the upload form, POST it to /validate/report for
the report grouped by action. The plan goes through the same library function,
in the same worker processes, as POST /validate (kg.validate.validate, then the
assistant's pillar hints); POST /validate for API clients is untouched."""
from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.errors import ApiError
from api.routes.validate import _read_body, run_validation
from api.web import render
from kg.model import UnreadablePlan
from kg.resources import EXAMPLE_CSV, TEMPLATE_CSV
from kg.submission import FORMATS, detect_format
from kg.validate import max_upload_bytes
from kg.validation_pool import ValidationCrashed
from kg.validation_text import grouped_results

router = APIRouter(include_in_schema=False)

CSV_FILES = {"plan-template": TEMPLATE_CSV, "plan-example": EXAMPLE_CSV}
PLAN_FIELDS = ("institution", "title", "start", "end")


@router.get("/validate", response_class=HTMLResponse)
def form_page(request: Request) -> HTMLResponse:
    return render(request, "validate.html", title="Validate a plan", form={}, report=None,
                  formats=FORMATS, error=None)


@router.get("/validate/{name}.csv")
def template_csv(name: str) -> Response:
    """The CSV template (empty) or the worked example, as downloads."""
    if name not in CSV_FILES:
        raise ApiError(404, "the CSV files here are plan-template.csv and plan-example.csv")
    return Response(CSV_FILES[name].read_bytes(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _guess(text: bytes) -> str:
    """A pasted plan's format, when the form leaves it to us."""
    start = text.lstrip()[:1]
    if start in (b"{", b"["):
        return "json-ld"
    return "turtle" if b"@prefix" in text or b"<http" in text[:2000] else "csv"


async def _submitted(request: Request, limit: int) -> tuple[bytes, str, dict]:
    data = await _read_body(request, limit)  # refused past the limit before parsing

    async def replay() -> dict:
        return {"type": "http.request", "body": data, "more_body": False}

    form = await Request(request.scope, replay).form()
    fields = {k: str(form.get(k) or "").strip() for k in ("format", "text", *PLAN_FIELDS)}
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        plan = await upload.read()
        fmt = fields["format"] or detect_format(name=upload.filename)
    elif fields["text"]:
        plan = fields["text"].encode("utf-8")
        fmt = fields["format"] or _guess(plan)
    else:
        raise UnreadablePlan("choose a file or paste a plan")
    if fmt not in FORMATS:
        raise UnreadablePlan(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return plan, fmt, fields


@router.post("/validate/report", response_class=HTMLResponse)
async def report_page(request: Request) -> HTMLResponse:
    limit = max_upload_bytes()
    fields: dict = {}
    try:
        plan, fmt, fields = await _submitted(request, limit)
        extra = {k: fields[k] or None for k in PLAN_FIELDS} if fmt == "csv" else {}
        # The page offers SHACL's report graph for download: asked for whole.
        report = await run_validation(request, plan, fmt, limit=limit, with_graph=True, **extra)
    except (UnreadablePlan, ValidationCrashed) as err:
        status = 503 if isinstance(err, ValidationCrashed) else 400
        return render(request, "validate.html", status=status, title="Validate a plan",
                      form=fields, report=None, formats=FORMATS, error=str(err))
    hints = (await run_in_threadpool(request.app.state.assistant.pillars_for, report)
             if report.without_pillar else [])
    turtle = report.report_graph.serialize(format="turtle").encode("utf-8")
    return render(request, "validate.html", title="Validation report", form=fields,
                  report=report, groups=grouped_results(report), formats=FORMATS, error=None,
                  hints={h["focus"]: h["pillars"][:2] for h in hints},
                  shacl_href="data:text/turtle;base64," + base64.b64encode(turtle).decode())

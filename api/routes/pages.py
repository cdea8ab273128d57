"""The web pages for people: search at /, the coverage heatmap, and the API docs
served offline. Each page's data comes from the library functions the JSON
routes call (Searcher.search / similar, the search filters, the catalog)."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from api.coverage import SCHEMES, coverage, to_csv
from api.errors import ApiError
from api.facts import action_facts
from api.routes import sparql
from api.web import SWAGGER_UI, natural_key, query_string, render, slug
from kg.ontology import recommendation_labels, scheme_labels
from kg.suggested import LINKS, THRESHOLD
from search.engine import QueryRejected, UnknownAction, result
from search.filters import FilterError, Filters, allowed_positions

router = APIRouter(include_in_schema=False)

BAD_TABLE = "scheme is one of R, E, pillars; min_score is a number from 0 to 1"
FILTERS = ("institution", "pillar", "recommendation", "links", "min_score", "owner_type",
           "due_from", "due_to")


def facts(request: Request) -> dict:
    """Status and deadline wording per action, read once per app."""
    if getattr(request.app.state, "facts", None) is None:
        request.app.state.facts = action_facts(request.app.state.store)
    return request.app.state.facts


def _same(values) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


@lru_cache(maxsize=1)
def _choices() -> dict:
    """The filters' choices as (value, text) pairs."""
    return {"pillars": _same(scheme_labels("scheme-pillars").values()),
            "recommendations": [(code, f"{code} {label}")
                                for code, label in recommendation_labels().items()],
            "links": [(v, "asserted or suggested" if v == "any" else v) for v in LINKS],
            "owner_types": _same(sorted(scheme_labels("scheme-stakeholder-types").values()))}


def _filters(form: dict) -> Filters:
    """The form's filters; a malformed number or date is the user's mistake."""
    values = {k: form[k] for k in FILTERS if form.get(k)}
    try:
        if "min_score" in values:
            values["min_score"] = float(values["min_score"])
        for key in ("due_from", "due_to"):
            if key in values:
                values[key] = date.fromisoformat(values[key])
    except ValueError as err:
        raise FilterError(f"not a number or date: {err}") from None
    return Filters(**values)


def _browse(request: Request, filters: Filters) -> list[dict]:
    """Every action passing the filters, in each plan's own order."""
    documents = request.app.state.searcher.documents
    positions = allowed_positions(documents, filters)
    chosen = [documents[p] for p in positions.tolist()]
    chosen.sort(key=lambda d: (d.institution, natural_key(d.local_id)))
    return [result(d, 0) for d in chosen]


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    """Search, browse by filters, or one action's similar actions elsewhere."""
    form = {k: v.strip() for k, v in request.query_params.items()}
    searcher = request.app.state.searcher
    page = {"form": form, "results": None, "heading": "", "source": None, "json_twin": None,
            "error": None}
    try:
        filters = _filters(form)
        if form.get("similar"):
            page["source"] = result(searcher.documents[searcher.position(form["similar"])], 0)
            page["results"] = searcher.similar(form["similar"], 10)
            page["heading"] = "Similar actions in other institutions"
            page["json_twin"] = f"/actions/{form['similar']}/similar"
        elif form.get("q"):
            page["results"] = searcher.search(form["q"], 20, filters)
            page["heading"] = f"Results for “{form['q']}”"
            page["json_twin"] = "/search?" + query_string(
                q=form["q"], **{k: form.get(k) for k in FILTERS}, limit=20)
        elif not filters.is_empty():
            page["results"] = _browse(request, filters)
            page["heading"] = "Actions matching the filters"
    except (QueryRejected, FilterError, UnknownAction) as err:
        page["error"] = str(err)
    options = dict(_choices(), institutions=[(slug(i["institution"]), i["name"]) for i in
                                             request.app.state.catalog["institutions"]])
    return render(request, "search.html", status=400 if page["error"] else 200,
                  title="Search the action plans", options=options, facts=facts(request),
                  filtered=any(form.get(k) for k in FILTERS), **page)


def _table(request: Request):
    scheme = request.query_params.get("scheme", "R")
    raw = request.query_params.get("min_score") or str(THRESHOLD)
    try:
        threshold = float(raw)
        if scheme not in SCHEMES or not 0 <= threshold <= 1:
            raise ValueError
    except ValueError:
        return None
    return coverage(request.app.state.searcher.documents, scheme, threshold)


@router.get("/coverage", response_class=HTMLResponse)
def coverage_page(request: Request) -> HTMLResponse:
    table = _table(request)
    if table is None:
        return render(request, "coverage.html", status=400, title="Coverage", table=None,
                      schemes=SCHEMES, error=BAD_TABLE)
    return render(request, "coverage.html", title="Coverage: " + SCHEMES[table.scheme],
                  table=table, schemes=SCHEMES, error=None)


@router.get("/coverage.csv")
def coverage_csv(request: Request) -> Response:
    table = _table(request)
    if table is None:
        raise ApiError(400, BAD_TABLE)
    return Response(to_csv(table), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="coverage-{table.scheme}.csv"'})


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from the app's own vendored copy: /docs works offline."""
    return get_swagger_ui_html(openapi_url=request.app.openapi_url, title="tckg API docs",
                               swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
                               swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
                               swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
                               # Swagger UI would fetch a validity badge from swagger.io.
                               swagger_ui_parameters={"validatorUrl": None})


@router.get("/sparql.csv")
def sparql_csv(request: Request, query: str) -> Response:
    """A query's results as a CSV download (the SPARQL page's link): the same
    answer as /sparql with Accept: text/csv, named as a file."""
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"accept"]
    as_csv = Request(dict(request.scope, headers=[*headers, (b"accept", b"text/csv")]))
    answer = sparql._answer(as_csv, query)
    answer.headers["Content-Disposition"] = 'attachment; filename="results.csv"'
    return answer

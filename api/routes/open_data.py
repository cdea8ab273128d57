"""/data: the whole graph as Turtle, N-Triples and JSON-LD, and every action as a
CSV row, each listed with its size, SHA-256 and the graph's build time. Made from
the loaded store on first request and kept (the graph is loaded once per app)."""
from __future__ import annotations

import csv
import hashlib
import io

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.errors import ApiError
from api.routes.linked_data import PREFIXES
from api.routes.pages import facts
from api.web import natural_key, render

router = APIRouter(include_in_schema=False)

GRAPH_FILES = {"tckg.ttl": ox.RdfFormat.TURTLE, "tckg.nt": ox.RdfFormat.N_TRIPLES,
               "tckg.jsonld": ox.RdfFormat.JSON_LD}
CSV_COLUMNS = ["institution", "plan", "id", "text", "pillars", "asserted_recommendations",
               "suggested_recommendations", "owner", "deadline", "due_by", "status"]


def actions_csv(documents, action_facts: dict, threshold: float) -> bytes:
    """One row per action; several values in a cell are joined with "; "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in sorted(documents, key=lambda d: (d.institution, natural_key(d.local_id))):
        f = action_facts.get(d.action, {})
        writer.writerow([d.institution, f.get("plan", ""), d.local_id, d.text,
                         "; ".join(d.pillars), "; ".join(d.recommendations),
                         "; ".join(f"{s['code']} ({s['score']:.2f})" for s in d.suggested
                                   if s["score"] >= threshold),
                         f.get("owner", ""), f.get("deadline", ""), d.due_by,
                         f.get("status", "")])
    return out.getvalue().encode("utf-8")


def _files(request: Request) -> dict[str, tuple[bytes, str]]:
    state = request.app.state
    if getattr(state, "open_data", None) is None:
        from kg.suggested import THRESHOLD

        files = {name: (state.store.dump(format=fmt, from_graph=ox.DefaultGraph(),
                                         prefixes=PREFIXES if fmt is ox.RdfFormat.TURTLE
                                         else None), fmt.media_type)
                 for name, fmt in GRAPH_FILES.items()}
        files["actions.csv"] = (actions_csv(state.searcher.documents, facts(request), THRESHOLD),
                                "text/csv")
        state.open_data = files
    return state.open_data


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request) -> HTMLResponse:
    listed = [{"name": name, "media": media, "bytes": len(body),
               "sha256": hashlib.sha256(body).hexdigest()}
              for name, (body, media) in _files(request).items()]
    # The graph's manifest has no time; the index is built from that graph (its
    # manifest names the graph's checksum) at the end of the same `tckg build`.
    built = request.app.state.searcher.index.manifest.get("built")
    return render(request, "data.html", title="Open data", files=listed,
                  manifest=request.app.state.manifest, built=built)


@router.get("/data/{name}")
def data_file(request: Request, name: str) -> Response:
    files = _files(request)
    if name not in files:
        raise ApiError(404, f"no file {name!r} here; the files are {', '.join(files)}")
    body, media = files[name]
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

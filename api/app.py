"""The HTTP API: one small function builds the app and mounts the routers."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from api import errors
from api.routes import sparql
from kg.store import open_store, read_manifest, state_home


def create_app(home: Path | None = None) -> FastAPI:
    """The app over the graph in `home` ($TCKG_HOME by default), loaded once, in memory."""
    home = home or state_home()
    app = FastAPI(title="tckg", version="0.1.0",
                  description="Technician Commitment Knowledge Graph: SPARQL over UK universities' "
                              "Technician Commitment action plans.")
    app.state.store = open_store(home, in_memory=True)
    app.state.manifest = read_manifest(home)
    errors.install(app)
    app.include_router(sparql.router)

    @app.get("/healthz", tags=["health"], summary="liveness and what graph is loaded")
    def healthz() -> dict:
        return {"status": "ok", "actions": app.state.manifest["actions"],
                "triples": app.state.manifest["triples"]}

    return app

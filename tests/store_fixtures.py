"""Fixtures for the external store: real Oxigraph servers (`oxigraph serve`, the
binary from the project's own dependencies) on 127.0.0.1, started and stopped
by the tests, and the session graph loaded into one of them.

Reuse: `oxigraph_server` (one per session, holding the session graph: do not
load other generations into it), `oxigraph_servers.start()` for a fresh empty
server of your own (publishing tests), `server.environment()` to run code with
the TCKG_SPARQL_* variables pointing at a server, and `each_store` /
`each_client` to run a test on both backends.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.store import GRAPH_DIR, open_store, write_store
from kg.store.embedded import DUMP, read_manifest
from kg.store.oxigraph_server import OxigraphServer

BACKENDS = ["embedded", "external"]


class OxigraphServers:
    """Starts fresh servers on demand; stops them all at the end of the session."""

    def __init__(self, tmp_path_factory):
        self.tmp, self.running = tmp_path_factory, []

    def start(self, *extra: str) -> OxigraphServer:
        # The server's own time-out stops the runaway queries the tests send.
        server = OxigraphServer(self.tmp.mktemp("oxigraph"), *extra, timeout_s=5)
        self.running.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.running:
            server.stop()


@pytest.fixture(scope="session")
def oxigraph_servers(tmp_path_factory):
    servers = OxigraphServers(tmp_path_factory)
    yield servers
    servers.stop_all()


@pytest.fixture(scope="session")
def oxigraph_server(oxigraph_servers) -> OxigraphServer:
    return oxigraph_servers.start()


def load_home(search_home: Path, server: OxigraphServer, home: Path) -> dict:
    """What `tckg build` makes with the external store configured: the graph of
    `search_home` loaded into the server, its search index and suggesters copied
    as local files into `home`. Returns the generation's manifest."""
    home.mkdir(parents=True, exist_ok=True)
    for item in search_home.iterdir():
        if item.name != GRAPH_DIR:
            copy = shutil.copytree if item.is_dir() else shutil.copy2
            copy(item, home / item.name)
    manifest = read_manifest(search_home)
    meta = {k: v for k, v in manifest.items() if k not in ("triples", "checksum", "generation")}
    with server.environment():
        loaded = write_store((search_home / GRAPH_DIR / DUMP).read_bytes(), home, meta)
    assert loaded["checksum"] == manifest["checksum"]  # the index files match it
    assert not (home / GRAPH_DIR).exists()  # the graph lives on the server only
    return loaded


@pytest.fixture(scope="session")
def external_home(search_home, oxigraph_server, tmp_path_factory) -> Path:
    """The session graph (with its suggested links) on the session server, the
    search index and suggesters as local files (see load_home)."""
    home = tmp_path_factory.mktemp("tckg-external-home")
    load_home(search_home, oxigraph_server, home)
    return home


@pytest.fixture(scope="session")
def external_store(external_home, oxigraph_server):
    """The session graph on the external server, read as library code reads it."""
    with oxigraph_server.environment():
        return open_store(external_home)


@pytest.fixture(scope="session")
def external_client(external_home, oxigraph_server):
    """The real app over the external server: the app is made (and its query
    runner started) with the server configured; after that it holds its own."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    with oxigraph_server.environment():
        client = TestClient(create_app(external_home))
        client.__enter__()
    yield client
    client.__exit__(None, None, None)


def _shared(fixture_name: str, config) -> str:
    # as tests/conftest.py's `shared`: per test in mutmut's mapping pass, which
    # gives the embedded `store` that scope
    return "function" if os.environ.get("MUTANT_UNDER_TEST") == "stats" else "session"


@pytest.fixture(scope=_shared, params=BACKENDS)
def each_store(request):
    """The session graph on each backend: the embedded store, the external server."""
    return request.getfixturevalue("store" if request.param == "embedded" else "external_store")


@pytest.fixture(scope="session", params=BACKENDS)
def each_client(request):
    """The real app on each backend."""
    return request.getfixturevalue("client" if request.param == "embedded"
                                   else "external_client")

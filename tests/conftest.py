"""Shared fixtures: one real graph built from data/sources for the session."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kg.build import SOURCES_DIR, build_graph
from kg.sources import load_sources
from kg.store import open_store
from tests.store_fixtures import (  # noqa: F401 - fixtures, shared by every test module
    each_client,
    each_store,
    external_client,
    external_home,
    external_store,
    oxigraph_server,
    oxigraph_servers,
)

ROOT = Path(__file__).resolve().parents[1]
TCKG = str(Path(sys.executable).parent / "tckg")


def tckg(home, *args):
    """The `tckg` command as a user runs it, over the state home `home`."""
    env = dict(os.environ, TCKG_HOME=str(home))
    return subprocess.run([TCKG, *args], capture_output=True, text=True, env=env, timeout=600,
                          check=False)


def built_once(tmp_path_factory, name: str, make) -> Path:
    """A state home made once for the whole run, however many pytest-xdist
    workers ask for it: the first makes it in the run's shared temporary folder
    while the others wait on its lock, then all read it (builds take tens of
    seconds; the homes are only read, or copied before a test changes them)."""
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker's own temporary folder is in
    home, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()
            make(home)
            done.touch()
    return home


@pytest.fixture(scope="session")
def cli_home(search_home) -> Path:
    """The state home the `tckg` processes read: the session's one build (a
    second build by `tckg build` in a process cost 30 s of CPU a run and tested
    nothing more; `tckg build` in a real process from scratch is tested by
    tests/test_publish.py's rebuild, with its output)."""
    return search_home


def shared(fixture_name: str, config) -> str:
    """Session scope, except in mutmut's pass that maps code to tests: there each
    test makes its own, so the parsing and building it reaches is credited to it,
    not only to the first test that happened to make the shared one (mutmut runs
    only the credited tests on a mutant)."""
    return "function" if os.environ.get("MUTANT_UNDER_TEST") == "stats" else "session"


@pytest.fixture(autouse=True)
def _concept_matchers_per_test_in_mutmut_mapping():
    """The same reason as `shared`: the concept matchers are cached per process,
    so in mutmut's mapping pass only the first test to read them was credited
    with their code (2 ms to make them again)."""
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        from kg import ontology

        for cached in (ontology.stakeholder_types, ontology.statuses, ontology.scheme_labels,
                       ontology.recommendation_labels):
            cached.cache_clear()


@pytest.fixture(scope=shared)
def built_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("tckg-home")
    build_graph(home)
    return home


@pytest.fixture(scope=shared)
def store(built_home):
    return open_store(built_home)


@pytest.fixture(scope=shared)
def plans():
    return {plan.slug: plan for plan in load_sources(SOURCES_DIR)}


def _build_all(home: Path) -> None:
    from search.build import build_all
    from search.encoder import load_encoder

    build_all(home, load_encoder())


@pytest.fixture(scope="session")
def search_home(tmp_path_factory) -> Path:
    """What `tckg build` makes, in process: the graph with its suggested links,
    the fitted suggesters and the search index (the real model, exported to ONNX)."""
    return built_once(tmp_path_factory, "tckg-search-home", _build_all)


@pytest.fixture(scope="session")
def suggested_store(search_home):
    """The graph with its suggested links."""
    return open_store(search_home)


@pytest.fixture(scope="session")
def searcher(search_home):
    from search.engine import Searcher

    return Searcher.open(search_home)


@pytest.fixture(scope="session")
def client(search_home):
    """The real app over the session graph, its lifespan run (query workers up)."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(search_home)) as client:
        yield client


def documentation() -> str:
    """The README and the reference under docs/, which the tests keep true."""
    return "\n".join(p.read_text(encoding="utf-8")
                     for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the parsers' output (refused when "
                          "CI=true); review the diff before committing it")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    wanted = request.config.getoption("--update-golden")
    if wanted and os.environ.get("CI", "").lower() == "true":
        pytest.exit("--update-golden is refused in CI: goldens are reviewed by a person", 2)
    return wanted


@pytest.fixture()
def listener():
    """A TCP listener on 127.0.0.1 that records whether anything connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.02)  # how long its end waits for the accepting thread
    hits = []

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(conn)
            except OSError:
                continue

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


# Fixtures whose first use costs seconds in a fresh process: a build, a server, a pool.
_COSTLY_FIXTURES = {"built_home", "each_store", "each_client", "external_home", "oxigraph_server",
                    "oxigraph_servers", "search_home", "cli_home"}


# The files that take longest, longest first (`--durations=0` summed per file),
# so that `make test`'s two workers (--dist loadfile --no-loadscope-reorder: xdist
# otherwise starts the files with most tests first, and these have few) never
# end with one of them alone while the other worker idles. A worker takes the next
# file when it is nearly done with its last: test_publish's worker makes the shared
# build while the other runs test_package and test_shapes, which need none
# (test_package's last test reads it).
SLOWEST_FIRST = ("test_publish.py", "test_package.py", "test_shapes.py", "test_damaged_state.py",
                 "test_benchmarks_isolated.py", "test_filters.py", "test_suggested_links.py",
                 "test_external_store.py", "test_validate.py", "test_search.py",
                 "test_cli_search.py", "test_plans_http.py", "test_api_server.py")


def _slowest_first(item) -> int:
    name = item.path.name
    return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)


def pytest_collection_modifyitems(config, items):
    """On a mutant (mutmut runs its tests with -x, in a fresh process each), the
    cheapest tests first: those needing no build or server, then by the time
    mutmut measured. A mutant most tests catch then stops in a second, not after
    the first test that happened to build the graph (a parser mutant: the golden
    comparison fails before any graph is built). mutmut's other passes keep
    their order; any other run starts the slowest files first (SLOWEST_FIRST)."""
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if not mutant:
        items.sort(key=_slowest_first)  # stable: the rest keep their order
        return
    if "__mutmut_" not in mutant:
        return
    import json

    stats = Path("mutmut-stats.json")  # mutmut runs the tests from mutants/
    took = json.loads(stats.read_text())["duration_by_test"] if stats.exists() else {}
    items.sort(key=lambda item: (bool(_COSTLY_FIXTURES & set(item.fixturenames)),
                                 took.get(item.nodeid, 0.0)))

"""What the server holds of the state home, and picking up a new state while it runs.

`tckg add` (or POST /plans, or `tckg build`) swaps in a new graph with a new
generation in its manifest. A thread compares the generation every
TCKG_RELOAD_SECONDS (default 1 s); on a change it loads the new graph, index,
suggesters and catalog beside the old ones and then swaps the references the
routes read, so a request runs wholly on the old state or on the new one and
none is dropped. New query workers start before the old ones are retired, and
the old ones are stopped only after their time limit, when no query can still
be running on them.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from kg import catalog as graph_catalog
from kg.store import StoreMissing
from kg.store.base import Backend, QueryTimeout, StoreUnavailable
from search.assistant import Assistant
from search.engine import Searcher
from search.index import IndexUnusable
from search.linking import Suggesters, SuggestersUnusable

DEFAULT_INTERVAL = 1.0


@dataclass
class State:
    store: object
    manifest: dict
    searcher: Searcher
    assistant: Assistant
    catalog: dict


def generation(manifest: dict) -> str:
    return manifest.get("generation") or manifest["checksum"]


def load_state(home: Path, backend: Backend, encoder=None) -> State:
    """Everything the routes read, loaded from one generation: raises when the
    graph changed under the load or its index and suggesters do not match it yet."""
    manifest = backend.manifest(home)
    store = backend.open(home, True)
    searcher = Searcher.open(home)
    if encoder is not None and encoder.name == searcher.index.manifest["model"]:
        searcher._encoder = encoder  # the same model: keep the loaded one
    searcher.encoder  # noqa: B018 - load the query encoder now, not on a request
    assistant = Assistant(searcher, Suggesters.load(home, searcher.index.manifest["model"]))
    if generation(backend.manifest(home)) != generation(manifest):
        raise IndexUnusable("the graph changed while it was being loaded")
    return State(store, manifest, searcher, assistant, {
        "institutions": graph_catalog.institutions(store),
        "recommendations": graph_catalog.recommendations(store)})


def apply(app, state: State) -> None:
    app.state.store, app.state.manifest = state.store, state.manifest
    app.state.searcher, app.state.assistant = state.searcher, state.assistant
    app.state.catalog = state.catalog
    # What the pages cache from the graph is read again from the new one.
    app.state.facts = app.state.open_data = None


class Reloader:
    """Watches the backend the app was made with: the environment is read once,
    at start-up, never by this thread (it may change under a running process)."""

    def __init__(self, app, home: Path, backend: Backend, pool_settings: dict):
        self.app, self.home, self.backend, self.settings = app, home, backend, pool_settings
        self.interval = float(os.environ.get("TCKG_RELOAD_SECONDS") or DEFAULT_INTERVAL)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Watch in a thread until stop(); again after a stop (a second lifespan)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="tckg-reload")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()

    def check(self) -> bool:
        """Load and swap in the state home's generation if it is new; True when swapped.
        A state caught mid-swap (index not yet matching) is tried again next time."""
        with self._lock:
            try:
                if generation(self.backend.manifest(self.home)) == generation(self.app.state.manifest):
                    return False
                state = load_state(self.home, self.backend, self.app.state.searcher._encoder)
            except (StoreMissing, StoreUnavailable, QueryTimeout, IndexUnusable,
                    SuggestersUnusable, OSError, ValueError, KeyError):
                return False  # tried again next time: an outage must not end the watch
            old = getattr(self.app.state, "queries", None)
            if old is not None:
                self.app.state.queries = self.backend.query_runner(self.home, **self.settings)
            apply(self.app, state)
            if old is not None:
                retire = threading.Timer(old.timeout + 1, old.close)
                retire.daemon = True
                retire.start()
            return True

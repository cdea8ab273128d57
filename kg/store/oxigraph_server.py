"""The reference external SPARQL server, Oxigraph server (`oxigraph serve`, from
the PyPI package `oxigraph`), started on 127.0.0.1 for the tests and the
benchmarks. tckg itself only ever talks to it over the standard protocols."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Self

from kg.store.protocol import Endpoints
from kg.store.remote import wait_until_up

OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OxigraphServer:
    """A running `oxigraph serve --location DIR --bind 127.0.0.1:PORT`."""

    def __init__(self, location: Path, *extra: str, timeout_s: int = 30):
        """`timeout_s`: the server's own query time-out, so that a query the
        client gave up on does not keep a core busy."""
        self.base = f"http://127.0.0.1:{free_port()}"
        self.process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(location), "--bind",
             self.base.removeprefix("http://"), "--timeout-s", str(timeout_s), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.endpoints = Endpoints(f"{self.base}/query", f"{self.base}/update",
                                   f"{self.base}/store")
        try:
            wait_until_up(self.endpoints, 30)
        except Exception:
            self.stop()
            raise

    def env(self, graph_store: bool = True, bulk: bool = False) -> dict[str, str]:
        """The TCKG_SPARQL_* variables that point tckg at this server; `bulk` adds
        Oxigraph's own load hint (`no_transaction`, its bulk loader)."""
        env = {"TCKG_SPARQL_ENDPOINT": self.endpoints.query,
               "TCKG_SPARQL_UPDATE_ENDPOINT": self.endpoints.update}
        if graph_store:
            env["TCKG_GRAPH_STORE_ENDPOINT"] = self.endpoints.graph_store
        if bulk:
            env["TCKG_GRAPH_STORE_PARAMS"] = "no_transaction"
        return env

    @contextlib.contextmanager
    def environment(self, graph_store: bool = True, bulk: bool = False):
        """Run the block with tckg pointed at this server (this process's
        environment, restored after)."""
        names = [*self.env(True, True)]
        saved = {name: os.environ.get(name) for name in names}
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(self.env(graph_store, bulk))
        try:
            yield self
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

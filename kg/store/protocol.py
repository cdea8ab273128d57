"""A small client for the SPARQL 1.1 Protocol, SPARQL Update over HTTP and the
Graph Store HTTP Protocol: nothing beyond the W3C standards, so any SPARQL 1.1
server (Oxigraph server, Fuseki, GraphDB, Virtuoso) answers it the same way.

Standard library only (http.client), because a query needs a deadline over the
whole exchange, not per socket read: each read waits at most for what is left
of the time limit, and a result is read line by line so the row cap stops it.
"""
from __future__ import annotations

import base64
import http.client
import os
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from kg.store.base import QueryTimeout, StoreUnavailable


class ServerRefused(ValueError):
    """The server answered 4xx: the request itself was wrong (a syntax error)."""


@dataclass(frozen=True)
class Endpoints:
    """The external server's URLs and credentials, from the environment."""
    query: str
    update: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None
    # Extra query parameters for Graph Store loads, a server-specific hint that
    # is off unless set (Oxigraph server: "no_transaction", its bulk loader).
    load_params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_env(cls) -> Endpoints | None:
        """TCKG_SPARQL_ENDPOINT (query URL), TCKG_SPARQL_UPDATE_ENDPOINT,
        TCKG_GRAPH_STORE_ENDPOINT, TCKG_SPARQL_USER / TCKG_SPARQL_PASSWORD (HTTP
        Basic), TCKG_GRAPH_STORE_PARAMS (a query string added to Graph Store
        loads). None when no query URL is set: the embedded store is used."""
        env = os.environ
        if not env.get("TCKG_SPARQL_ENDPOINT"):
            return None
        return cls(env["TCKG_SPARQL_ENDPOINT"], env.get("TCKG_SPARQL_UPDATE_ENDPOINT") or None,
                   env.get("TCKG_GRAPH_STORE_ENDPOINT") or None,
                   env.get("TCKG_SPARQL_USER") or None, env.get("TCKG_SPARQL_PASSWORD") or None,
                   tuple(parse_qsl(env.get("TCKG_GRAPH_STORE_PARAMS", ""), keep_blank_values=True)))

    def headers(self) -> dict[str, str]:
        if self.user is None:
            return {}
        token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


class Exchange:
    """One HTTP request and its response, read under a deadline."""

    def __init__(self, endpoints: Endpoints, method: str, url: str, params: dict | list,
                 body: bytes | None, headers: dict[str, str], timeout: float):
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.connection = kind(parts.hostname, parts.port, timeout=timeout)
        path = parts.path or "/"
        query = "&".join(q for q in (parts.query, urlencode(params)) if q)
        try:
            self.connection.connect()
            self.socket = self.connection.sock
            self.connection.request(method, f"{path}?{query}" if query else path, body=body,
                                    headers={**endpoints.headers(), **headers})
            self._wait()
            self.response = self.connection.getresponse()
        except TimeoutError:
            self.close()
            raise self._timed_out() from None
        except OSError as err:
            self.close()
            raise StoreUnavailable(f"the SPARQL server at {url} cannot be reached: {err}") from None
        if self.response.status >= 400:
            message = self.read_all().decode("utf-8", errors="replace").strip()
            status = self.response.status
            self.close()
            if 400 <= status < 500 and status not in (401, 403, 404, 408, 429):
                raise ServerRefused(message or f"the SPARQL server answered {status}")
            raise StoreUnavailable(f"the SPARQL server at {url} answered {status}: {message[:500]}")

    @property
    def content_type(self) -> str:
        return (self.response.getheader("Content-Type") or "").split(";")[0].strip().lower()

    def _wait(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.socket.settimeout(left)

    def _timed_out(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran past the {self.timeout:g} s time limit and was "
                            "stopped; narrow it (filters, LIMIT) and try again")

    def blocks(self, size: int = 1 << 16):
        """The body in blocks of up to `size` bytes, each read within the deadline
        (blocks, not lines: reading 59,947 rows line by line took 170 ms of CPU)."""
        try:
            while True:
                self._wait()
                block = self.response.read1(size)
                if not block:
                    return
                yield block
        except TimeoutError:
            raise self._timed_out() from None
        except (OSError, http.client.HTTPException) as err:
            raise StoreUnavailable(f"the SPARQL server broke off its answer: {err}") from None

    def read_all(self) -> bytes:
        return b"".join(self.blocks())

    def close(self) -> None:
        self.connection.close()


def request(endpoints: Endpoints, method: str, url: str, *, params: dict | list = (),
            body: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 600.0) -> bytes:
    """A whole exchange: the response body, or ServerRefused / StoreUnavailable /
    QueryTimeout."""
    exchange = Exchange(endpoints, method, url, params, body, headers or {}, timeout)
    try:
        return exchange.read_all()
    finally:
        exchange.close()


def update(endpoints: Endpoints, text: str, timeout: float = 600.0) -> None:
    """Send one SPARQL Update request (the standard's unit of atomicity)."""
    if endpoints.update is None:
        raise StoreUnavailable("no SPARQL Update URL configured: set TCKG_SPARQL_UPDATE_ENDPOINT "
                               "to load graphs into the external store")
    request(endpoints, "POST", endpoints.update, body=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"}, timeout=timeout)

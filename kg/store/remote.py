"""Any SPARQL 1.1 server as the store, beside the embedded one (embedded.py).

Generations: each load goes into a named graph of its own; one SPARQL Update
request then moves the store's pointer to it (`tc:currentGeneration`, in the
control graph), and generations older than the one it replaced are dropped.
Readers send every query with `default-graph-uri` set to the generation they
opened, so a load in progress is never seen, a failed load leaves the pointer
(and the generation it names) as it was, and a replica that has not yet
noticed a switch keeps answering from the whole previous generation.

Only W3C standards are used (SPARQL 1.1 Protocol, Update, Graph Store HTTP
Protocol; an update request is atomic per SPARQL 1.1 Update section 2.2).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.store.base import Outcome, QueryTimeout, StoreMissing, StoreUnavailable
from kg.store.embedded import canonical_ntriples, generation_id
from kg.store.guard import blank_noise, check_query, query_form
from kg.store.protocol import Endpoints, Exchange, ServerRefused, request, update
from kg.store.query import QuerySyntaxError

TC = "https://w3id.org/tckg/ontology#"
CONTROL = "https://w3id.org/tckg/id/store"  # the control graph, and the store's own node
GENERATIONS = "https://w3id.org/tckg/id/generation/"
ACCEPT = {"SELECT": "text/tab-separated-values", "ASK": "application/sparql-results+json",
          "CONSTRUCT": "application/n-triples", "DESCRIBE": "application/n-triples"}
LIBRARY_TIMEOUT = 600.0  # library reads (build steps, catalog) are not user queries
GSP_CHUNK = 2 << 20      # bytes per Graph Store POST: 2 MB loaded 2.7x faster than 64 MB
UPDATE_CHUNK = 16 << 20  # bytes of N-Triples per INSERT DATA request

CURRENT = f"""SELECT ?generation ?manifest WHERE {{ GRAPH <{CONTROL}> {{
  <{CONTROL}> <{TC}currentGeneration> ?generation .
  ?generation <{TC}generationManifest> ?manifest }} }}"""
STALE = f"""SELECT ?generation WHERE {{ GRAPH <{CONTROL}> {{
  ?generation a <{TC}GraphGeneration> .
  FILTER NOT EXISTS {{ <{CONTROL}> <{TC}currentGeneration>|<{TC}previousGeneration> ?generation }}
}} }}"""


def generation_graph(generation: str) -> str:
    """The named graph holding a generation."""
    return GENERATIONS + generation


def with_bindings(query: str, substitutions: dict | None) -> str:
    """Bind variables the standard way: a VALUES block at the head of the WHERE
    group, so filters see the values as with an engine's own substitution. The
    values are RDF terms written by pyoxigraph, never user text pasted in."""
    if not substitutions:
        return query
    names = " ".join(str(v) for v in substitutions)
    values = " ".join(str(t) for t in substitutions.values())
    bare = blank_noise(query)
    where = re.search(r"(?<![\w:?$@-])WHERE(?![\w:-])\s*\{", bare, flags=re.IGNORECASE)
    at = where.end() if where else bare.find("{") + 1
    if at <= 0:
        raise ValueError("cannot bind values in a query without a WHERE group")
    return f"{query[:at]} VALUES ({names}) {{ ({values}) }} {query[at:]}"


def send_query(endpoints: Endpoints, query: str, generation: str | None,
               timeout: float) -> tuple[str, Exchange]:
    """POST the query (SPARQL 1.1 Protocol, URL-encoded) over one generation."""
    form = query_form(query) or "SELECT"
    fields = [("query", query)]
    if generation:
        fields.append(("default-graph-uri", generation_graph(generation)))
    try:
        exchange = Exchange(endpoints, "POST", endpoints.query, (), urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded",
                             "Accept": ACCEPT[form]}, timeout)
    except ServerRefused as err:
        raise QuerySyntaxError(f"SPARQL syntax {err}") from None
    return form, exchange


def read_outcome(form: str, exchange: Exchange, max_rows: int | None) -> Outcome:
    """The answer in the interchange form, stopped (connection closed) past max_rows."""
    try:
        if form == "ASK":
            value = json.loads(exchange.read_all())["boolean"]
            return Outcome("boolean", b"true" if value else b"false", False)
        header = 1 if form == "SELECT" else 0
        limit = None if max_rows is None else max_rows + header
        body, ends, kept = bytearray(), 0, None
        for block in exchange.blocks():
            body += block
            ends += block.count(b"\n")
            if limit is not None and ends > limit:  # perhaps past the cap: count exactly
                kept = _lines(body, header, complete=True)
                if len(kept) > limit:
                    break
                kept = None
        if kept is None and header and b"\r" not in body and (limit is None or ends < limit):
            # The whole answer, within the cap, already in the interchange form.
            return Outcome("solutions", bytes(body) if body.endswith(b"\n") else bytes(body) + b"\n",
                           False)
        if kept is None:  # the whole answer came
            kept = _lines(body, header, complete=False)
        truncated = limit is not None and len(kept) > limit
        kind = "solutions" if form == "SELECT" else "triples"
        return Outcome(kind, b"\n".join(kept[:limit]) + b"\n", truncated)
    finally:
        exchange.close()


def _lines(body: bytearray, header: int, complete: bool) -> list[bytes]:
    """The rows (or triples) in what was read, without line ends; blank lines
    between triples left out; `complete`: only lines whose end has come."""
    lines = bytes(body).split(b"\n")
    if complete or not lines[-1]:
        lines.pop()
    lines = [line.rstrip(b"\r") for line in lines]
    return lines if header else [line for line in lines if line.strip()]


class RemoteReader:
    """One generation on the server, read through pyoxigraph's Store API (the part
    tckg uses), so library code cannot tell it from an embedded store."""

    def __init__(self, endpoints: Endpoints, generation: str):
        self.endpoints, self.generation = endpoints, generation

    def query(self, query: str, substitutions: dict | None = None):
        form, exchange = send_query(self.endpoints, with_bindings(query, substitutions),
                                    self.generation, LIBRARY_TIMEOUT)
        outcome = read_outcome(form, exchange, None)
        return outcome.results()

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None):
        terms = {ox.Variable(n): t for n, t in (("s", subject), ("p", predicate), ("o", object))
                 if t is not None}
        rows = self.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", terms)
        return [ox.Quad(subject or r["s"], predicate or r["p"], object or r["o"],
                        ox.DefaultGraph()) for r in rows]

    def __iter__(self):
        return iter(self.quads_for_pattern())

    def dump(self, output=None, format=None, *, from_graph=None, prefixes=None, base_iri=None):
        """The whole generation serialised (its default graph is all there is)."""
        triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return ox.serialize(triples, output, format, prefixes=prefixes, base_iri=base_iri)

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(rows))["n"].value)


class RemoteRunner:
    """The public endpoint's queries against the server: checked here before
    anything is sent, each under a client-side deadline over the whole exchange,
    cut at the row cap while the answer streams in."""

    def __init__(self, endpoints: Endpoints, generation: str, timeout: float, max_rows: int,
                 workers: int):
        self.endpoints, self.generation = endpoints, generation
        self.timeout, self.max_rows = timeout, max_rows
        self._slots = threading.BoundedSemaphore(workers)

    def run(self, query: str) -> Outcome:
        check_query(query)
        try:
            query.encode("utf-8")
        except UnicodeEncodeError as err:
            raise QuerySyntaxError(f"the query is not valid Unicode text ({err.reason} at "
                                   f"character {err.start})") from None
        if not self._slots.acquire(timeout=self.timeout):
            raise QueryTimeout(f"every query slot stayed busy for {self.timeout:g} s; "
                               "try again shortly")
        try:
            form, exchange = send_query(self.endpoints, query, self.generation, self.timeout)
            return read_outcome(form, exchange, self.max_rows)
        finally:
            self._slots.release()

    def close(self) -> None:
        """Nothing to stop: each query is one HTTP exchange."""


class RemoteBackend:
    """The graph on an external SPARQL 1.1 server."""

    name = "external"

    def __init__(self, endpoints: Endpoints):
        self.endpoints = endpoints

    def manifest(self, home: Path | None = None) -> dict:
        form, exchange = send_query(self.endpoints, CURRENT, None, LIBRARY_TIMEOUT)
        rows = list(read_outcome(form, exchange, None).results())
        if not rows:
            raise StoreMissing(f"no graph in the SPARQL store at {self.endpoints.query}: "
                               "run `tckg build` first")
        return json.loads(rows[0]["manifest"].value)

    def open(self, home: Path | None = None, in_memory: bool = False) -> RemoteReader:
        return RemoteReader(self.endpoints, self.manifest()["generation"])

    def verify(self, home: Path | None = None) -> None:
        """The server answers with a current generation; keeping its files whole
        is the server's own business."""
        self.manifest()

    def ntriples(self, home: Path | None = None) -> bytes:
        dumped = self.open().dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return canonical_ntriples(dumped)

    def query_runner(self, home: Path | None, timeout: float, max_rows: int,
                     workers: int) -> RemoteRunner:
        return RemoteRunner(self.endpoints, self.manifest()["generation"], timeout, max_rows,
                            workers)

    def write(self, ntriples: bytes, home: Path | None, meta: dict) -> dict:
        """Load into a new generation's graph, check it is whole, switch in one
        update request, then drop what is older than the generation replaced."""
        checksum = hashlib.sha256(ntriples).hexdigest()
        generation = meta.get("generation") or generation_id(checksum)  # publish names its own
        graph = generation_graph(generation)
        expected = sum(1 for line in io.BytesIO(ntriples) if line.strip())  # no list of lines
        update(self.endpoints, f"INSERT DATA {{ GRAPH <{CONTROL}> {{ <{graph}> a "
                               f"<{TC}GraphGeneration> }} }}")
        try:
            self._load(graph, ntriples)
            loaded = self._count(graph)
            if loaded != expected:
                raise StoreMissing(f"the server holds {loaded} of the {expected} triples sent "
                                   f"to {graph}; the previous generation stays in use")
            manifest = dict(meta, triples=loaded, checksum=checksum, generation=generation)
            self._switch(graph, manifest)
        except BaseException:
            self._abandon(graph)
            raise
        for stale in self._stale():
            self._drop(stale)
        return manifest

    def _load(self, graph: str, ntriples: bytes) -> None:
        if self.endpoints.graph_store:
            for chunk in _chunks(ntriples, GSP_CHUNK):
                request(self.endpoints, "POST", self.endpoints.graph_store,
                        params=[("graph", graph), *self.endpoints.load_params], body=chunk,
                        headers={"Content-Type": "application/n-triples"})
            return
        for chunk in _chunks(ntriples, UPDATE_CHUNK):
            update(self.endpoints, f"INSERT DATA {{ GRAPH <{graph}> {{\n"
                                   f"{chunk.decode('utf-8')}\n}} }}")

    def _count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        form, exchange = send_query(self.endpoints, query, None, LIBRARY_TIMEOUT)
        return int(next(iter(read_outcome(form, exchange, None).results()))["n"].value)

    def _switch(self, graph: str, manifest: dict) -> None:
        text = json.dumps(manifest, sort_keys=True)
        literal = str(ox.Literal(text))
        update(self.endpoints, f"""WITH <{CONTROL}>
DELETE {{ <{CONTROL}> <{TC}currentGeneration> ?current ; <{TC}previousGeneration> ?previous }}
INSERT {{ <{CONTROL}> <{TC}currentGeneration> <{graph}> ; <{TC}previousGeneration> ?current .
         <{graph}> <{TC}generationManifest> {literal} }}
WHERE {{ OPTIONAL {{ <{CONTROL}> <{TC}currentGeneration> ?current }}
        OPTIONAL {{ <{CONTROL}> <{TC}previousGeneration> ?previous }} }}""")

    def _abandon(self, graph: str) -> None:
        """After a failed load: drop the half graph, unless the switch went through
        before the failure reached us (then it is the generation serving)."""
        # If the server is down now, the next load drops it (it is registered).
        with contextlib.suppress(StoreUnavailable, QueryTimeout):
            try:
                serving = generation_graph(self.manifest()["generation"])
            except StoreMissing:
                serving = None
            if serving != graph:
                self._drop(graph)

    def _stale(self) -> list[str]:
        form, exchange = send_query(self.endpoints, STALE, None, LIBRARY_TIMEOUT)
        return [row["generation"].value for row in read_outcome(form, exchange, None).results()]

    def _drop(self, graph: str) -> None:
        update(self.endpoints, f"DROP SILENT GRAPH <{graph}> ;\n"
                               f"DELETE WHERE {{ GRAPH <{CONTROL}> {{ <{graph}> ?p ?o }} }}")


def _chunks(ntriples: bytes, size: int):
    """Whole lines, about `size` bytes at a time."""
    start = 0
    while start < len(ntriples):
        end = ntriples.find(b"\n", min(start + size, len(ntriples) - 1))
        end = len(ntriples) if end < 0 else end + 1
        yield ntriples[start:end]
        start = end


def wait_until_up(endpoints: Endpoints, seconds: float = 30.0) -> None:
    """Block until the server answers a query (for scripts that start one)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            request(endpoints, "GET", endpoints.query, params={"query": "ASK {}"},
                    headers={"Accept": ACCEPT["ASK"]}, timeout=5)
            return
        except (StoreUnavailable, QueryTimeout):  # not up yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)

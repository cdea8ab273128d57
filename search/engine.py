"""Search and "find similar": the library functions the CLI and the HTTP API call.

A Searcher holds the model, the FAISS index and BM25 for one state home, loaded
once; `search(...)` and `similar(...)` use one per home, per process.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from kg.store import state_home
from kg.vocab import short_id
from search import glossary, ranking
from search.documents import Document
from search.encoder import Encoder, load_encoder, model_name
from search.filters import NO_FILTERS, Filters, allowed_positions
from search.index import SearchIndex, load_index
from search.lexical import Lexical
from search.onnx_encoder import OnnxEncoder
from search.vectors import nearest

MAX_QUERY_CHARS = 2000
DEPTH = 100  # candidates taken from each ranking before fusion
MODES = ("hybrid", "dense", "bm25")
QUERY_CACHE = 4096


class QueryRejected(ValueError):
    """A query that cannot be searched (empty, too long)."""


class UnknownAction(LookupError):
    """An action IRI (or short id) that is not in the index."""


def result(doc: Document, score: float) -> dict:
    return {
        "action": doc.action, "id": short_id(doc.action), "local_id": doc.local_id,
        "institution": doc.institution, "text": doc.text, "score": round(float(score), 4),
        "pillars": doc.pillars, "recommendations": doc.recommendations,
        "recommendations_via_crosswalk": [c for c in doc.recommendation_closure
                                          if c not in doc.recommendations],
        "suggested_recommendations": doc.suggested,
        "due_by": doc.due_by or None,
    }


class Searcher:
    def __init__(self, index: SearchIndex, encoder: Encoder | None = None,
                 fusion: str = "weighted", expand: bool = True):
        """`expand`: the sector glossary widens queries (both rankings) and the
        BM25 documents; False is the method before it (benchmarks compare them)."""
        self.index, self._encoder, self.fusion, self.expand = index, encoder, fusion, expand
        self.documents = index.documents
        self.lexical = Lexical(index.texts, expand)
        self._positions = {d.action: i for i, d in enumerate(self.documents)}
        self._positions.update({short_id(d.action): i for i, d in enumerate(self.documents)})
        self.children = children_of(self.documents)
        # Query vectors of recent queries: encoding is ~90% of a search's CPU,
        # and people (and pages that re-run a search) repeat queries.
        self.query_vector = lru_cache(maxsize=QUERY_CACHE)(self._query_vector)

    @classmethod
    def open(cls, home: Path | None = None) -> Searcher:
        return cls(load_index(home or state_home(), model_name()))

    @property
    def encoder(self) -> Encoder | OnnxEncoder:
        """The model, loaded on first use (seconds): bad input and `similar`,
        which reads stored vectors, never wait for it."""
        if self._encoder is None:
            self._encoder = (self.index.query_encoder()
                             or load_encoder(self.index.manifest["model"]))
        return self._encoder

    def search(self, query: str, limit: int = 10, filters: Filters = NO_FILTERS,
               mode: str = "hybrid") -> list[dict]:
        query = check_query(query)
        allowed = allowed_positions(self.documents, filters)
        vector = None
        if mode != "bm25":  # the model does not know PDR is appraisal: the glossary says so
            vector = self.query_vector(glossary.widened(query) if self.expand else query)
        ranked = self._rank(query, vector, allowed, limit, mode)
        return [result(self.documents[p], s) for p, s in ranked[:limit]]

    def similar(self, action: str, limit: int = 10, same_institution: bool = False,
                filters: Filters = NO_FILTERS) -> list[dict]:
        """The actions most like one action, never itself; other institutions'
        only, unless `same_institution`."""
        position = self.position(action)
        source = self.documents[position]
        allowed = allowed_positions(self.documents, filters)
        candidates = np.arange(len(self.documents)) if allowed is None else allowed
        keep = [p for p in candidates.tolist() if p != position and
                (same_institution or self.documents[p].institution != source.institution)]
        vector = self.index.vectors.index.reconstruct(position)
        hits, scores = nearest(self.index.vectors, vector, limit, np.array(keep, dtype=np.int64))
        return [result(self.documents[p], s) for p, s in zip(hits.tolist(), scores.tolist())]

    def _query_vector(self, query: str) -> np.ndarray:
        vector = self.encoder.encode([query])[0]
        vector.setflags(write=False)  # shared through the cache
        return vector

    def position(self, action: str) -> int:
        key = action.strip()
        if key not in self._positions:
            raise UnknownAction(f"no action {key!r} in the index; give an action IRI "
                                f"(e.g. {self.documents[0].action}) or its short id "
                                f"(e.g. {short_id(self.documents[0].action)})")
        return self._positions[key]

    def _rank(self, query: str, vector: np.ndarray | None, allowed: np.ndarray | None,
              limit: int, mode: str) -> list[tuple[int, float]]:
        depth = max(DEPTH, limit)
        dense: dict[int, float] = {}
        lexical: dict[int, float] = {}
        if mode in ("hybrid", "dense"):
            hits, scores = nearest(self.index.vectors, vector, depth, allowed)
            dense = dict(zip(hits.tolist(), scores.tolist()))
        if mode in ("hybrid", "bm25"):
            bm25 = self.lexical.scores(query)
            best = ranking.top_positions(bm25, depth, allowed)
            lexical = {p: float(bm25[p]) for p in best.tolist() if bm25[p] > 0}
        if mode == "dense":
            fused = dense
        elif mode == "bm25":
            fused = lexical
        elif self.fusion == "weighted":
            fused = ranking.weighted(dense, lexical)
        else:
            fused = ranking.rrf([np.array(list(dense)), np.array(list(lexical), dtype=np.int64)])
        return ranking.ordered(ranking.beneath_children(fused, self.children))


def children_of(documents: list[Document]) -> dict[int, list[int]]:
    """Parent position -> its sub-actions' positions."""
    position = {d.action: i for i, d in enumerate(documents)}
    children: dict[int, list[int]] = {}
    for i, document in enumerate(documents):
        if document.parent in position:
            children.setdefault(position[document.parent], []).append(i)
    return children


def check_query(query: str) -> str:
    text = (query or "").strip()
    if not text:
        raise QueryRejected("the query is empty: give some words to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRejected(f"the query is {len(text):,} characters long; the limit is "
                            f"{MAX_QUERY_CHARS:,}")
    return text


@lru_cache(maxsize=4)
def _searcher(home: Path) -> Searcher:
    return Searcher.open(home)


def search(query: str, limit: int = 10, filters: Filters = NO_FILTERS,
           home: Path | None = None) -> list[dict]:
    """Hybrid search over every action in the graph, best first."""
    return _searcher(home or state_home()).search(query, limit, filters)


def similar(action: str, limit: int = 10, same_institution: bool = False,
            home: Path | None = None) -> list[dict]:
    """The actions most like `action` (IRI or short id), other institutions' first."""
    return _searcher(home or state_home()).similar(action, limit, same_institution)

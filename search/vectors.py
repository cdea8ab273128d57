"""The dense index: FAISS, exact inner product over normalised vectors by default
(`IndexIDMap` over `IndexFlatIP`, so scores are cosines and ids are document
positions). HNSW is available behind `TCKG_INDEX=hnsw`; its recall against exact
search is measured in benchmarks/bench_search.py."""
from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

INDEX_TYPES = ("flat", "hnsw")

# One query at a time: FAISS's OpenMP threads cost more to wake than a search
# takes here, and their spinning slowed the ONNX query encoder beside them
# (five plans: 11 ms per search with the default threads, 5 ms with one).
faiss.omp_set_num_threads(1)


def index_type() -> str:
    kind = os.environ.get("TCKG_INDEX", "flat").strip().lower() or "flat"
    if kind not in INDEX_TYPES:
        raise ValueError(f"TCKG_INDEX={kind!r} is not one of {', '.join(INDEX_TYPES)}")
    return kind


def build_vectors(vectors: np.ndarray, kind: str = "flat") -> faiss.Index:
    dimension = vectors.shape[1]
    if kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = 80
        inner.hnsw.efSearch = 256  # recall@10 0.86 at 64, 0.97 at 256 (100k, bench_search.py hnsw)
    else:
        inner = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIDMap(inner)
    index.add_with_ids(vectors, np.arange(len(vectors), dtype=np.int64))
    return index


def save_vectors(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_vectors(path: Path) -> faiss.Index:
    return faiss.read_index(str(path))


def nearest(index: faiss.Index, vector: np.ndarray, k: int,
            allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The k best (positions, cosines), best first, among the allowed positions
    (all when None): the filter applies before ranking, not after."""
    params = None
    if allowed is not None:
        k = min(k, len(allowed))
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        if not isinstance(faiss.downcast_index(index.index), faiss.IndexFlat):
            # A graph index walks past filtered-out nodes and can come back with
            # fewer than k; the allowed set is scored exactly instead.
            return _exact_among(index, vector, k, allowed)
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
    scores, ids = index.search(vector.reshape(1, -1), k, params=params)
    keep = ids[0] >= 0
    return ids[0][keep], scores[0][keep]


def _exact_among(index: faiss.Index, vector: np.ndarray, k: int,
                 allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inner = faiss.downcast_index(index.index)
    scores = inner.reconstruct_batch(allowed.astype(np.int64)) @ vector
    best = np.argsort(-scores, kind="stable")[:k]
    return allowed[best], scores[best]

"""The search index folder in the state home: the FAISS file, the documents (ids,
texts and the fields filters need) as JSON, and a manifest naming the model,
dimension, count and the checksum of the graph it was built from. No pickle.

Loading refuses an index built by another model or from another graph: a stale
index is never silently used.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from kg.integrity import checksums, read_json, verify
from kg.store import open_store, read_manifest
from search import glossary
from search.documents import Document, document_text, read_documents
from search.encoder import Encoder
from search.onnx_encoder import OnnxEncoder, export_checked
from search.vectors import build_vectors, index_type, load_vectors, save_vectors

INDEX_DIR = "index"
MANIFEST, VECTORS, DOCUMENTS = "manifest.json", "vectors.faiss", "documents.json"
QUERY_ENCODER = "query-encoder"  # the model exported to ONNX, for fast query encoding
FORMAT_VERSION = 3  # 2: documents name their parent action; 3: vectors of widened texts
# What represents an action best, measured on benchmarks/relevance (see README):
# its own text and the labels of the recommendations its institution links it to.
# Parent text, success measures, pillars and titles did not help.
DOCUMENT_FIELDS = ("text", "recommendation_labels")


class IndexUnusable(RuntimeError):
    """No index, or one that does not match the graph or the configured model."""


@dataclass
class SearchIndex:
    documents: list[Document]
    texts: list[str]
    vectors: faiss.Index
    manifest: dict
    folder: Path | None = None

    def query_encoder(self):
        """The ONNX export when the build verified it, else None (use the model)."""
        if self.folder is None or self.manifest.get("query_encoder") != "onnx":
            return None
        return OnnxEncoder(self.folder / QUERY_ENCODER, self.manifest["model"])


def build_index(home: Path, encoder: Encoder, fields: tuple[str, ...] = DOCUMENT_FIELDS,
                kind: str | None = None) -> dict:
    """Embed every action of the graph in `home` and write the index beside it,
    built in a new folder and swapped in, like the graph."""
    graph_manifest = read_manifest(home)
    documents = read_documents(open_store(home))
    texts = [document_text(d, fields) for d in documents]
    kind = kind or index_type()
    embedded = [embedded_text(t) for t in texts]
    embeddings = _embed(encoder, embedded)
    vectors = build_vectors(embeddings, kind)
    fresh, live = home / f"{INDEX_DIR}.new", home / INDEX_DIR
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    query_encoder = export_checked(encoder, fresh / QUERY_ENCODER, embedded, embeddings)
    manifest = {
        "format": FORMAT_VERSION, "model": encoder.name, "dimension": encoder.dimension,
        "count": len(documents), "index_type": kind, "document_fields": list(fields),
        "graph_checksum": graph_manifest["checksum"], "query_encoder": query_encoder,
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    save_vectors(vectors, fresh / VECTORS)
    payload = [dict(d.to_json(), indexed_text=t) for d, t in zip(documents, texts)]
    (fresh / DOCUMENTS).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    manifest["checksums"] = checksums(fresh)  # every file but the manifest, checked on load
    (fresh / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    shutil.rmtree(live, ignore_errors=True)
    fresh.rename(live)
    return manifest


def embedded_text(indexed: str) -> str:
    """What a document's vector is made from: its indexed text widened by the
    sector glossary (search/glossary.py), as queries are (tune nDCG@10 0.805 ->
    0.824 over widening queries alone, bench_search.py)."""
    return glossary.widened(indexed)


def _embed(encoder: Encoder, texts: list[str]):
    """Vectors for the texts, each distinct text encoded once (plans repeat wording)."""
    distinct = list(dict.fromkeys(texts))
    vectors = encoder.encode(distinct)
    row = {text: i for i, text in enumerate(distinct)}
    return vectors[[row[t] for t in texts]]


def load_index(home: Path, model: str) -> SearchIndex:
    """The index in `home`, checked against the graph there and the model in use."""
    folder = home / INDEX_DIR
    if not (folder / MANIFEST).exists():
        raise IndexUnusable(f"no search index in {folder}: run `tckg build` first")
    manifest = read_json(folder / MANIFEST, IndexUnusable)
    graph_checksum = read_manifest(home)["checksum"]
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexUnusable(f"the search index in {folder} is of an older format: "
                            "run `tckg build` to rebuild it")
    if manifest.get("graph_checksum") != graph_checksum:
        raise IndexUnusable(f"the search index in {folder} was built from another graph "
                            "(stale): run `tckg build` to rebuild it")
    if manifest["model"] != model:
        raise IndexUnusable(f"the search index was built with the model {manifest['model']!r} "
                            f"but {model!r} is configured (TCKG_MODEL): rebuild with "
                            "`tckg build`, or configure the index's model; models are never mixed")
    verify(folder, manifest.get("checksums"), IndexUnusable)
    vectors = load_vectors(folder / VECTORS)
    payload = read_json(folder / DOCUMENTS, IndexUnusable)
    if not (len(payload) == vectors.ntotal == manifest["count"]
            and vectors.d == manifest["dimension"]):
        raise IndexUnusable(f"the search index in {folder} is damaged (counts or dimension "
                            "disagree): run `tckg build` to rebuild it")
    texts = [entry.pop("indexed_text") for entry in payload]
    return SearchIndex([Document(**entry) for entry in payload], texts, vectors, manifest, folder)


def stage_index(home: Path, index: SearchIndex, drop: tuple[str, ...], documents: list[Document],
                vectors, checksum: str, generation: str) -> dict:
    """The index with the actions under the `drop` prefixes taken out and
    `documents` (embedded as `vectors`) put in, staged as index.pending for the
    graph with `checksum`: the other actions keep their stored vectors, and the
    index stays exact, in the IRI order a full build gives."""
    kept = [i for i, d in enumerate(index.documents) if not d.action.startswith(drop)]
    stored = faiss.downcast_index(index.vectors.index).reconstruct_n(0, index.vectors.ntotal)
    fields = tuple(index.manifest["document_fields"])
    docs = [index.documents[i] for i in kept] + list(documents)
    texts = [index.texts[i] for i in kept] + [document_text(d, fields) for d in documents]
    rows = np.vstack([stored[kept], np.asarray(vectors, dtype=np.float32).reshape(-1, stored.shape[1])])
    order = sorted(range(len(docs)), key=lambda i: docs[i].action)
    fresh = home / f"{INDEX_DIR}.pending"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    if index.manifest.get("query_encoder") == "onnx":  # the same export: linked, not copied
        shutil.copytree(index.folder / QUERY_ENCODER, fresh / QUERY_ENCODER, copy_function=os.link)
    save_vectors(build_vectors(rows[order], index.manifest["index_type"]), fresh / VECTORS)
    payload = [dict(docs[i].to_json(), indexed_text=texts[i]) for i in order]
    (fresh / DOCUMENTS).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    manifest = dict(index.manifest, count=len(docs), graph_checksum=checksum, generation=generation,
                    built=datetime.now(UTC).isoformat(timespec="seconds"))
    manifest["checksums"] = checksums(fresh)  # the files written here, not the old index's
    (fresh / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


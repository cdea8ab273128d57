"""`tckg build` with the model: the graph with its suggested links, the fitted
suggesters, then the search index (embedding the graph's actions)."""
from __future__ import annotations

import json
import time
from pathlib import Path

from kg.build import build_graph, build_inputs, progress
from kg.store import StoreMissing, read_manifest
from search.encoder import Encoder, load_encoder, model_name
from search.index import INDEX_DIR, build_index
from search.linking import SUGGEST_DIR, SuggestLinks


def build_all(home: Path, encoder: Encoder) -> dict:
    """Everything `tckg build` makes, one model load for all of it."""
    suggest = SuggestLinks(encoder)
    manifest = build_graph(home, enrich=suggest, inputs=build_inputs(home, encoder.name))
    suggest.suggesters.save(home)
    build_search_index(home, encoder)
    return manifest


def build_search_index(home: Path, encoder: Encoder | None = None) -> dict:
    encoder = encoder or timed_load_encoder()
    started = time.perf_counter()
    manifest = build_index(home, encoder)
    progress(f"search index: {manifest['count']} actions, {manifest['dimension']}-d "
             f"{manifest['index_type']} index, queries encoded by {manifest['query_encoder']}, "
             f"in {time.perf_counter() - started:.1f} s -> {home / 'index'}")
    return manifest


def timed_load_encoder() -> Encoder:
    started = time.perf_counter()
    encoder = load_encoder()
    progress(f"model {encoder.name} loaded in {time.perf_counter() - started:.1f} s")
    return encoder


def up_to_date(home: Path) -> str | None:
    """Why a build would change nothing (the same sources, added plans, ontology
    files, labels, model and code as the state in home, whose graph, index and
    suggesters agree), or None. Reads manifests only: no model load."""
    try:
        graph = read_manifest(home)
    except StoreMissing:
        return None
    model = model_name()
    for folder in (INDEX_DIR, SUGGEST_DIR):
        path = home / folder / "manifest.json"
        if not path.exists():
            return None
        part = json.loads(path.read_text(encoding="utf-8"))
        if part.get("graph_checksum") != graph["checksum"] or part.get("model") != model:
            return None
    if graph.get("inputs") != build_inputs(home, model):
        return None
    return (f"the graph ({graph['actions']} actions), index and suggesters in {home} were "
            "built from the same sources, added plans, ontology, labels, model and code")

"""`tckg build` with the model: the graph with its suggested links, the fitted
suggesters, then the search index (embedding the graph's actions)."""
from __future__ import annotations

import time
from pathlib import Path

from kg.build import build_graph, build_inputs, progress
from search.encoder import Encoder, load_encoder
from search.index import build_index
from search.linking import SuggestLinks


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


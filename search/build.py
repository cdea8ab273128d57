"""`tckg build`, the search part: embed the graph's actions into the index."""
from __future__ import annotations

import time
from pathlib import Path

from kg.build import progress
from search.encoder import load_encoder
from search.index import build_index


def build_search_index(home: Path) -> dict:
    started = time.perf_counter()
    encoder = load_encoder()
    progress(f"model {encoder.name} loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    manifest = build_index(home, encoder)
    progress(f"search index: {manifest['count']} actions, {manifest['dimension']}-d "
             f"{manifest['index_type']} index, queries encoded by {manifest['query_encoder']}, "
             f"in {time.perf_counter() - started:.1f} s -> {home / 'index'}")
    return manifest

"""`tckg build`, the graph part: sources -> plan model -> RDF -> store."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from kg.ontology import ROOT, ontology_graph
from kg.rdf import plans_to_graph
from kg.sources import load_sources
from kg.store import canonical_ntriples, write_store

SOURCES_DIR = ROOT / "data" / "sources"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_graph(home: Path, sources_dir: Path = SOURCES_DIR) -> dict:
    """Parse every source, build the graph with the ontology, swap it into home."""
    started = time.perf_counter()
    plans = load_sources(sources_dir)
    for plan in plans:
        progress(f"parsed {plan.source_file}: {len(plan.actions)} actions "
                 f"({len(plan.leaf_actions())} leaf) for {plan.institution}")
    graph = plans_to_graph(plans, sources_dir) + ontology_graph()
    ntriples = canonical_ntriples(graph.serialize(format="nt", encoding="utf-8"))
    # Each source's SHA-256 is in the graph (tc:sha256); the manifest's checksum covers it.
    manifest = write_store(ntriples, home, {"actions": sum(len(p.actions) for p in plans)})
    progress(f"graph: {manifest['triples']} triples, {manifest['actions']} actions, "
             f"in {time.perf_counter() - started:.1f} s -> {home}")
    return manifest

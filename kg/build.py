"""`tckg build`, the graph part: sources -> plan model -> RDF -> store."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph

from kg import resources
from kg.ontology import ontology_graph
from kg.rdf import plans_to_graph, summary_links
from kg.sources import load_sources
from kg.store import canonical_ntriples, memory_store, write_store
from kg.vocab import TC

SOURCES_DIR = resources.SOURCES  # the five plans, as installed


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# A build step that reads the graph built from the sources and returns more
# statements about it (the suggested links): search/linking.py provides one.
Enrich = Callable[[ox.Store], Graph]


def build_graph(home: Path, sources_dir: Path = SOURCES_DIR, enrich: Enrich | None = None) -> dict:
    """Parse every source, build the graph with the ontology, add what `enrich`
    derives from it, and swap the whole into home: one write, so a failing
    step leaves the previous graph as it was."""
    started = time.perf_counter()
    plans = load_sources(sources_dir)
    for plan in plans:
        progress(f"parsed {plan.source_file}: {len(plan.actions)} actions "
                 f"({len(plan.leaf_actions())} leaf) for {plan.institution}")
    graph = plans_to_graph(plans, sources_dir)
    graph += summary_links(graph)
    graph += ontology_graph()
    ntriples = canonical_ntriples(graph.serialize(format="nt", encoding="utf-8"))
    meta = {"actions": sum(len(p.actions) for p in plans)}
    if enrich is not None:
        derived = enrich(memory_store(ntriples))
        meta["suggested_links"] = len(set(derived.subjects(RDF.type, TC.SuggestedLink)))
        ntriples = canonical_ntriples(ntriples + derived.serialize(format="nt", encoding="utf-8"))
    # Each source's SHA-256 is in the graph (tc:sha256); the manifest's checksum covers it.
    manifest = write_store(ntriples, home, meta)
    progress(f"graph: {manifest['triples']} triples, {manifest['actions']} actions"
             + (f", {meta['suggested_links']} suggested links" if enrich else "")
             + f", in {time.perf_counter() - started:.1f} s -> {home}")
    return manifest

"""`tckg build`, the graph part: sources -> plan model -> RDF -> store."""
from __future__ import annotations

import hashlib
import importlib.resources
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph

from kg import resources
from kg.integrity import read_json, verify
from kg.ontology import ontology_graph
from kg.plans import REGISTRY, plans_dir
from kg.publish import STAGED, new_generation, registry_graph
from kg.rdf import plans_to_graph, summary_links
from kg.sources import load_sources
from kg.store import (
    StoreMissing,
    canonical_ntriples,
    memory_store,
    read_manifest,
    verify_graph,
    write_store,
)
from kg.vocab import TC

SOURCES_DIR = resources.SOURCES  # the five plans, as installed


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# A build step that reads the graph built from the sources and returns more
# statements about it (the suggested links): search/linking.py provides one.
Enrich = Callable[[ox.Store], Graph]


def build_graph(home: Path, sources_dir: Path = SOURCES_DIR, enrich: Enrich | None = None,
                inputs: str = "") -> dict:
    """Parse every source and every plan added to home/plans, build the graph
    with the ontology, add what `enrich` derives from it, and swap the whole
    into home: one write, so a failing step leaves the previous graph as it
    was. `inputs` (build_inputs) is recorded so an unchanged build can be skipped."""
    started = time.perf_counter()
    plans = load_sources(sources_dir)
    for plan in plans:
        progress(f"parsed {plan.source_file}: {len(plan.actions)} actions "
                 f"({len(plan.leaf_actions())} leaf) for {plan.institution}")
    added, added_plans = registry_graph(home)
    for plan in added_plans:
        progress(f"added plan {plan.source_file}: {len(plan.actions)} actions for {plan.institution}")
    plans += added_plans
    graph = plans_to_graph(plans[:len(plans) - len(added_plans)], sources_dir) + added
    graph += summary_links(graph)  # the crosswalk closure, for added plans too
    graph += ontology_graph()
    ntriples = canonical_ntriples(graph.serialize(format="nt", encoding="utf-8"))
    meta = {"actions": sum(len(p.actions) for p in plans), "inputs": inputs}
    if enrich is not None:
        derived = enrich(memory_store(ntriples))
        meta["suggested_links"] = len(set(derived.subjects(RDF.type, TC.SuggestedLink)))
        ntriples = canonical_ntriples(ntriples + derived.serialize(format="nt", encoding="utf-8"))
    # Each source's SHA-256 is in the graph (tc:sha256); the manifest's checksum covers it.
    meta["generation"] = new_generation()
    manifest = write_store(ntriples, home, meta)
    progress(f"graph: {manifest['triples']} triples, {manifest['actions']} actions"
             + (f", {meta['suggested_links']} suggested links" if enrich else "")
             + f", in {time.perf_counter() - started:.1f} s -> {home}")
    return manifest


CODE_PACKAGES = ("kg", "search")


def _python_files(package: str, folder=None, prefix: str = ""):
    """The package's own .py files as installed, (relative name, file)."""
    folder = folder or importlib.resources.files(package)
    for entry in sorted(folder.iterdir(), key=lambda f: f.name):
        name = f"{prefix or package}/{entry.name}"
        if entry.is_dir() and not entry.name.startswith(("_", ".")):
            yield from _python_files(package, entry, name)
        elif entry.name.endswith(".py"):
            yield name, entry


def build_inputs(home: Path, model: str, sources_dir: Path = SOURCES_DIR,
                 registry: bytes | None = None) -> str:
    """A checksum of everything a build reads: the sources, the added plans'
    registry (which holds each file's SHA-256), the ontology files, the curated
    labels, the model's name and tckg's own code. Equal checksums, equal build."""
    digest = hashlib.sha256(model.encode())
    inputs = [*((f"sources/{f.name}", f) for f in resources.files_in(sources_dir, "")),
              *((name, f) for name, f in resources.shipped() if not name.startswith("data/sources/")),
              *((name, f) for package in CODE_PACKAGES for name, f in _python_files(package))]
    for name, file in inputs:
        digest.update(name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    if registry is None:
        path = plans_dir(home) / REGISTRY
        registry = path.read_bytes() if path.exists() else b""
    digest.update(b"registry\0" + registry)
    return digest.hexdigest()


class _Damaged(Exception):
    """A derived part whose files are not what its manifest lists."""


def up_to_date(home: Path, model: str) -> str | None:
    """Why a build would change nothing (the same sources, added plans, ontology
    files, labels, model and code as the state in home, whose graph and derived
    parts agree and are whole), or None. Reads manifests and checks the files'
    checksums, as loading them would: a damaged file means a build (it repairs
    it), not "nothing to build". No model, no search imports."""
    try:
        graph = read_manifest(home)
        verify_graph(home)
        for folder in STAGED:  # the derived parts: search index, suggesters
            part = read_json(home / folder / "manifest.json", _Damaged)
            if part.get("graph_checksum") != graph["checksum"] or part.get("model") != model:
                return None
            verify(home / folder, part.get("checksums"), _Damaged)
    except (StoreMissing, _Damaged):
        return None
    if graph.get("inputs") != build_inputs(home, model):
        return None
    return (f"the graph ({graph['actions']} actions), index and suggesters in {home} were "
            "built from the same sources, added plans, ontology, labels, model and code")

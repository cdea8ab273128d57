"""Synthetic action plans at any size, built by the project's own RDF builder.

Actions reuse the five real plans' texts, owners and fields, shuffled across
made-up institutions, so sizes and value distributions stay realistic.
Usage: python benchmarks/synthetic.py N OUT.nt
"""
from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

from kg.build import SOURCES_DIR
from kg.model import Plan
from kg.ontology import ontology_graph
from kg.rdf import add_plan, new_graph, summary_links
from kg.sources import load_sources

ACTIONS_PER_PLAN = 200


def synthetic_plans(n_actions: int, seed: int = 7, per_plan: int = ACTIONS_PER_PLAN):
    """Plans of per_plan actions each, n_actions in all, yielded one by one."""
    rng = random.Random(seed)
    pool = [a for p in load_sources(SOURCES_DIR) for a in p.leaf_actions()]
    for k in range(0, n_actions, per_plan):
        size = min(per_plan, n_actions - k)
        plan = Plan(slug=f"synthetic-{k // per_plan:05d}",
                    institution=f"Synthetic University {k // per_plan}",
                    title="Synthetic Technician Commitment action plan", source_file="synthetic.txt",
                    period_start="2024-01", period_end="2026-12")
        plan.actions = [replace(rng.choice(pool), local_id=str(i + 1), parent_id=None) for i in range(size)]
        yield plan


def write_ntriples(n_actions: int, out: Path) -> int:
    """The synthetic graph (with the ontology) as N-Triples; returns the action count."""
    with out.open("wb") as sink:
        sink.write(ontology_graph().serialize(format="nt", encoding="utf-8"))
        for plan in synthetic_plans(n_actions):
            graph = new_graph()
            add_plan(graph, plan)
            graph += summary_links(graph)  # as kg/build.py derives them
            sink.write(graph.serialize(format="nt", encoding="utf-8"))
    return n_actions


def replicate(nt: Path, copies: int, out: Path) -> None:
    """The synthetic graph `copies` times over, each copy's plans, actions and
    institutions under new IRIs and names (the ontology once): a large graph in
    seconds instead of regenerating it action by action."""
    lines = nt.read_bytes().splitlines(keepends=True)
    synthetic = [line for line in lines if b"/synthetic-" in line]
    with out.open("wb") as sink:
        sink.writelines(line for line in lines if b"/synthetic-" not in line)
        for copy in range(copies):
            block = b"".join(synthetic)
            if copy:
                block = (block.replace(b"/synthetic-", b"/synthetic-c%d-" % copy)
                         .replace(b'"Synthetic University ', b'"Synthetic University C%d-' % copy))
            sink.write(block)


if __name__ == "__main__":
    write_ntriples(int(sys.argv[1]), Path(sys.argv[2]))

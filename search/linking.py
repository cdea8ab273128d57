"""Suggested links at build time: fit the suggesters on the graph's asserted links
and the curated labels (data/talent-labels.json), and pillars on the graph's
pillars; score every action against R1-R16, give the graph its suggested links,
and keep the fitted suggesters for `tckg suggest`.

Every action gets suggestions, also those whose institution states links, so
that suggestions and statements can be compared. An action's score never hears
its own institution's labelled actions (the build scores the graph as it would
an institution it has never seen). Adding the curated labels of the three plans
that state no links raised top-3 accuracy on institutions held out from 0.70 to
0.83 on those plans (benchmarks/bench_suggest.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyoxigraph as ox
from rdflib import Graph

from kg import resources
from kg.build import progress
from kg.integrity import checksums, read_json, verify
from kg.store import read_manifest
from kg.suggested import Run, Suggestion, suggestion_graph
from kg.vocab import action_iri_from_short_id
from search.documents import Document, read_documents
from search.encoder import Encoder
from search.suggest import METHOD_VERSION, LinkSuggester, PillarSuggester, action_text

LABELS_FILE = resources.TALENT_LABELS
SUGGEST_DIR = "suggest"
MANIFEST = "manifest.json"
# Suggestions kept per action. On the five plans no action has a sixth link
# scored at or above 0.2, well under the threshold analysts are pointed to.
KEPT = 5


class LabelsError(ValueError):
    """Curated labels that name an action the graph lacks, or a code outside R1-R16."""


class SuggestersUnusable(RuntimeError):
    """No fitted suggesters, or ones fitted on another graph or with another model."""


def asserted_summary_codes(document: Document) -> set[str]:
    """The R-codes an institution links the action to, directly or via the crosswalk."""
    return {c for c in document.recommendation_closure if c.startswith("R")}


def curated_labels(path: Path = LABELS_FILE) -> dict[str, set[str]]:
    """Action IRI -> the R-codes the curated labels give it."""
    try:
        labels = json.loads(path.read_text(encoding="utf-8"))["labels"]
        return {str(action_iri_from_short_id(short)): set(codes) for short, codes in labels.items()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as err:
        raise LabelsError(f"cannot read the curated labels {path}: {err!r}; expected "
                          '{"labels": {"slug:id": ["R5", ...]}}') from None


def curated_primary(path: Path = LABELS_FILE) -> dict[str, str]:
    """Action IRI -> the main R-code the curated labels give it (the first listed)."""
    labels = json.loads(path.read_text(encoding="utf-8"))["labels"]
    return {str(action_iri_from_short_id(short)): codes[0] for short, codes in labels.items()}


def training_labels(documents: list[Document], curated: dict[str, set[str]]) -> dict[int, set[str]]:
    """Document position -> its R-codes: what its institution asserts, else the
    curated labels; actions with neither are left out."""
    known = {d.action for d in documents}
    summary = {f"R{n}" for n in range(1, 17)}
    wrong = sorted(a for a, given in curated.items() if a not in known or not given <= summary)
    if wrong:
        raise LabelsError(f"the curated labels name actions the graph lacks or codes outside "
                          f"R1-R16: {', '.join(wrong[:5])}")
    labels = {}
    for i, document in enumerate(documents):
        codes = asserted_summary_codes(document) or curated.get(document.action, set())
        if codes:
            labels[i] = codes
    return labels


@dataclass
class Suggesters:
    links: LinkSuggester
    pillars: PillarSuggester
    model: str

    @classmethod
    def fit(cls, encoder: Encoder, documents: list[Document], vectors: np.ndarray,
            curated: dict[str, set[str]]) -> Suggesters:
        """Links learnt from the labelled actions, pillars from all."""
        labels = training_labels(documents, curated)
        linked = sorted(labels)
        links = LinkSuggester(encoder).fit(
            vectors[linked], [labels[i] for i in linked], [documents[i].institution for i in linked],
            [documents[i].pillars for i in linked])
        pillars = PillarSuggester(encoder).fit(
            vectors, [set(d.pillars) for d in documents], [d.institution for d in documents])
        return cls(links, pillars, encoder.name)

    def save(self, home: Path) -> None:
        """Beside the graph they were fitted on, checked against it on load."""
        fresh, live = home / f"{SUGGEST_DIR}.new", home / SUGGEST_DIR
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        self.links.save(fresh / "links.npz")
        self.pillars.save(fresh / "pillars.npz")
        manifest = {"method": METHOD_VERSION, "model": self.model,
                    "graph_checksum": read_manifest(home)["checksum"],
                    "checksums": checksums(fresh)}
        (fresh / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        shutil.rmtree(live, ignore_errors=True)
        fresh.rename(live)

    @classmethod
    def load(cls, home: Path, model: str) -> Suggesters:
        folder = home / SUGGEST_DIR
        if not (folder / MANIFEST).exists():
            raise SuggestersUnusable(f"no fitted suggesters in {folder}: run `tckg build` first")
        manifest = read_json(folder / MANIFEST, SuggestersUnusable)
        if (manifest.get("graph_checksum") != read_manifest(home)["checksum"]
                or manifest.get("method") != METHOD_VERSION or manifest.get("model") != model):
            raise SuggestersUnusable(f"the suggesters in {folder} were fitted on another graph, "
                                     "method or model (stale): run `tckg build` to refit them")
        verify(folder, manifest.get("checksums"), SuggestersUnusable)
        return cls(LinkSuggester.load(folder / "links.npz"),
                   PillarSuggester.load(folder / "pillars.npz"), model)


class SuggestLinks:
    """The build step handed to kg.build.build_graph: graph in, suggested links out.
    After it ran, `suggesters` holds what it fitted, for `save`."""

    def __init__(self, encoder: Encoder, labels_file: Path = LABELS_FILE):
        self.encoder, self.labels_file = encoder, labels_file
        self.suggesters: Suggesters | None = None

    def __call__(self, store: ox.Store) -> Graph:
        started = datetime.now(UTC)
        documents = read_documents(store)
        vectors = self.encoder.encode([action_text(d.text) for d in documents])
        self.suggesters = Suggesters.fit(self.encoder, documents, vectors,
                                         curated_labels(self.labels_file))
        suggestions = best_links(self.suggesters.links, documents, vectors)
        run = labelled_run(self.encoder.name, started, self.labels_file)
        progress(f"suggested links: the {KEPT} best of R1-R16 for each of {len(documents)} "
                 f"actions ({METHOD_VERSION}, {self.encoder.name})")
        return suggestion_graph(suggestions, run)


def best_links(links: LinkSuggester, documents: list[Document], vectors: np.ndarray) -> list[Suggestion]:
    """The KEPT best R-codes for each action, scored without its own institution."""
    scores = links.scores(vectors, [d.institution for d in documents], [d.pillars for d in documents])
    return [Suggestion(d.action, links.codes[j], float(row[j]), rank)
            for d, row in zip(documents, scores)
            for rank, j in enumerate(np.argsort(-row, kind="stable")[:KEPT], start=1)]


def labelled_run(model: str, started: datetime, labels_file: Path = LABELS_FILE) -> Run:
    return Run(model, METHOD_VERSION, started, datetime.now(UTC), labels_file.name,
               hashlib.sha256(labels_file.read_bytes()).hexdigest())


def stage_suggesters(home: Path, checksum: str, generation: str) -> None:
    """The fitted suggesters, unchanged, staged as suggest.pending for the graph
    with `checksum`: an added plan is scored by them, not refitted into them
    (`tckg build --force` refits on every plan)."""
    live, fresh = home / SUGGEST_DIR, home / f"{SUGGEST_DIR}.pending"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(live, fresh, copy_function=os.link)
    manifest = json.loads((live / MANIFEST).read_text(encoding="utf-8"))
    (fresh / MANIFEST).unlink()
    (fresh / MANIFEST).write_text(json.dumps(dict(manifest, graph_checksum=checksum,
                                                  generation=generation), indent=2), encoding="utf-8")

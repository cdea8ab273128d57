"""`tckg add` and `tckg remove`: publish a validated plan into the graph, its
search index and its suggested links, incrementally, or take one out.

Only the plan's own work is done: its triples are written beside the graph's,
its actions alone are embedded (the others keep their stored vectors) and
scored by the suggesters `tckg build` fitted, and the new state is swapped in
whole (kg/publish.py). One writer at a time (kg.plans.lock).
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kg import plans as registry
from kg.build import SOURCES_DIR, build_inputs
from kg.model import UnreadablePlan
from kg.publish import (
    commit,
    counts,
    current_ntriples,
    new_generation,
    now,
    plan_prefixes,
    plan_triples,
    recover,
    stage_registry,
    submitted_plan,
    without,
)
from kg.store import canonical_ntriples, memory_store
from kg.suggested import suggestion_graph
from kg.validate import Report, validate
from kg.vocab import TCID, institution_iri, plan_iri
from search.documents import document_text, read_documents
from search.encoder import model_name
from search.index import QUERY_ENCODER, SearchIndex, embedded_text, load_index, stage_index
from search.linking import Suggesters, best_links, labelled_run, stage_suggesters
from search.onnx_encoder import OnnxEncoder
from search.suggest import action_text


@dataclass
class Outcome:
    report: Report
    entry: registry.Entry | None = None  # None: refused, nothing changed
    replaced: registry.Entry | None = None
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)

    @property
    def iri(self) -> str | None:
        return str(plan_iri(self.entry.id)) if self.entry else None


class Publisher:
    """The state home's index and suggesters, loaded once, to publish into.
    The encoder is the index's own ONNX export when the build verified it."""

    def __init__(self, home: Path, encoder=None, validator=validate):
        # `validator`: kg.validate.validate or the API's worker pool's (same results).
        self.home, self._encoder, self._validate = home, encoder, validator

    def encoder(self, index: SearchIndex):
        """The given encoder, else the index's ONNX export (TCKG_ENCODER_THREADS
        threads, default 1: on this shared 2-core machine a second thread only
        contended), else the model."""
        if self._encoder is None:
            if index.manifest.get("query_encoder") == "onnx":
                threads = int(os.environ.get("TCKG_ENCODER_THREADS") or 1)
                self._encoder = OnnxEncoder(index.folder / QUERY_ENCODER, index.manifest["model"],
                                            threads=threads)
            else:
                from search.encoder import load_encoder
                self._encoder = load_encoder(index.manifest["model"])
        return self._encoder

    def add(self, data: bytes, fmt: str, fields: dict | None = None) -> Outcome:
        """Validate, then publish when the plan conforms. UnreadablePlan for a
        file that cannot be read; a refused plan changes nothing."""
        fields = {k: v for k, v in (fields or {}).items() if v} if fmt == "csv" else {}
        started = time.perf_counter()
        report = self._validate(data, fmt, **fields)
        if not report.conforms:
            return Outcome(report)
        plan = submitted_plan(data, fmt, fields)
        with registry.lock(self.home):
            recover(self.home)
            entry, replaced = self._register(data, fmt, fields, plan)
            self._publish(entry, replaced, data)
        return Outcome(report, entry, replaced, time.perf_counter() - started)

    def _register(self, data: bytes, fmt: str, fields: dict, plan) -> tuple:
        entries = registry.read_registry(self.home)
        slug = registry.institution_slug(plan.institution, source_institutions())
        pid = registry.plan_id(slug, plan.period_start, plan.period_end)
        version = registry.next_version(entries, pid)
        entry = registry.Entry(
            id=pid, version=version, institution=plan.institution, institution_slug=slug,
            title=plan.title, start=plan.period_start, end=plan.period_end, format=fmt,
            file=registry.version_file(pid, version, fmt), sha256=hashlib.sha256(data).hexdigest(),
            actions=len(plan.actions), added=now(), fields=fields)
        # Written before the commit, harmless until the registry names it.
        registry.write_atomically(registry.plans_dir(self.home) / entry.file, data)
        replaced = next((e for e in registry.published(entries) if e.id == pid), None)
        if replaced:
            replaced.status, replaced.changed = registry.REPLACED, entry.added
        self.entries = [*entries, entry]
        return entry, replaced

    def _publish(self, entry: registry.Entry, replaced, data: bytes) -> None:
        home, pid = self.home, entry.id
        base = without(current_ntriples(home), plan_prefixes(pid), None)
        triples, _ = plan_triples(home, self.entries, pid)
        merged = canonical_ntriples(base + triples.serialize(format="nt", encoding="utf-8"))
        prefix = str(TCID[f"{pid}/"])
        documents = [d for d in read_documents(memory_store(merged)) if d.action.startswith(prefix)]
        index = load_index(home, model_name())
        encoder, fields = self.encoder(index), tuple(index.manifest["document_fields"])
        started = datetime.now(UTC)
        # What the suggesters read (the text) and what the index embeds, encoded
        # once: without asserted links the two are the same text.
        texts = [action_text(d.text) for d in documents]
        indexed = [embedded_text(document_text(d, fields)) for d in documents]
        distinct = list(dict.fromkeys(texts + indexed))
        encoded = encoder.encode(distinct)
        row = {text: i for i, text in enumerate(distinct)}
        text_vectors, vectors = encoded[[row[t] for t in texts]], encoded[[row[t] for t in indexed]]
        suggesters = Suggesters.load(home, index.manifest["model"])
        suggestions = best_links(suggesters.links, documents, text_vectors)
        links = suggestion_graph(suggestions, labelled_run(encoder.name, started),
                                 TCID[f"{pid}/suggestion-run"])
        final = canonical_ntriples(merged + links.serialize(format="nt", encoding="utf-8"))
        for document in documents:
            document.suggested = [{"code": s.code, "score": float(f"{s.score:.4f}")}
                                  for s in suggestions if s.action == document.action]
        self._swap(final, index, plan_prefixes(pid), documents, vectors)

    def remove(self, pid: str) -> registry.Entry:
        """Take a published plan out of the graph; its files stay, marked removed."""
        with registry.lock(self.home):
            recover(self.home)
            self.entries = registry.read_registry(self.home)
            entry = registry.live_entry(self.entries, pid)
            entry.status, entry.changed = registry.REMOVED, now()
            others = [e for e in registry.published(self.entries)
                      if e.institution_slug == entry.institution_slug]
            orphan = None if others or entry.institution_slug in source_institutions().values() \
                else str(institution_iri(entry.institution_slug))
            final = canonical_ntriples(without(current_ntriples(self.home), plan_prefixes(pid), orphan))
            index = load_index(self.home, model_name())
            self._swap(final, index, plan_prefixes(pid), [], [])
        return entry

    def _swap(self, final: bytes, index: SearchIndex, drop, documents, vectors) -> None:
        generation, checksum = new_generation(), hashlib.sha256(final).hexdigest()
        stage_index(self.home, index, drop, documents, vectors, checksum, generation)
        stage_suggesters(self.home, checksum, generation)
        data = stage_registry(self.home, generation, self.entries)
        meta = dict(counts(final), inputs=build_inputs(self.home, index.manifest["model"],
                                                       registry=data))
        commit(self.home, final, meta, generation)


def source_institutions() -> dict[str, str]:
    """Institution name -> slug, for the plans under data/sources."""
    try:
        meta = json.loads((SOURCES_DIR / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {s["institution"]: s["slug"] for s in meta["sources"]}


__all__ = ["Outcome", "Publisher", "UnreadablePlan"]

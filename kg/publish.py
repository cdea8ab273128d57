"""Publishing a validated plan: its file kept in the registry (kg/plans.py), its
triples in the graph, swapped in whole.

A published plan is read back into the plan model and written by the same RDF
builder as the sources (kg/rdf.py), so only terms the graph knows get in, and
its IRIs are minted here, not by the submitter: `id/<plan-id>/action/<own id>`,
where the plan id is the institution's slug and the period. A replacement (same
institution, same period) has the same plan id, so an action that keeps its id
keeps its IRI.

Every triple of an added plan has a subject under `id/<plan-id>/` or
`id/source/plans/<plan-id>/`: the plan can be taken out of a graph by prefix.

Writers stage the derived parts (search index, suggesters, registry) as
`<name>.pending`, tagged with the generation of the graph they belong to, then
swap the graph in (the commit point) and move the staged parts in. A writer
killed on the way leaves the previous state; `recover` (run by the next writer)
finishes a swap that committed, and drops one that did not.
"""
from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg import plans as registry
from kg.model import Action, Deadline, Plan, UnreadablePlan
from kg.plan_csv import read_csv_plan
from kg.rdf import add_plan, new_graph, summary_links
from kg.store import StoreMissing, read_manifest, write_store
from kg.store import current_ntriples as store_ntriples
from kg.submission import read_submission
from kg.vocab import DCAT, PILLAR_IRIS, TC, TCID, action_iri, institution_iri, plan_iri, source_iri

PILLAR_NAMES = {iri: name for name, iri in PILLAR_IRIS.items()}
STAGED = ("index", "suggest")  # derived folders staged as <name>.pending
ACTION_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/tckg/ontology#Action> ."
LINK_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/tckg/ontology#SuggestedLink> ."


def new_generation() -> str:
    """Names one state of the graph; readers compare it to see a change."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the submission as the plan model


def submitted_plan(data: bytes, fmt: str, fields: dict) -> Plan:
    """The plan a submission describes, in the plan model (ids as the author gave them)."""
    if fmt == "csv":
        plan = read_csv_plan(data, **fields)
        for action in plan.actions:
            action.iri_key = None
        return plan
    return plan_from_graph(read_submission(data, fmt).graph)


def plan_from_graph(graph: Graph) -> Plan:
    """A Turtle or JSON-LD plan read back into the model; what the model cannot
    hold (terms the graph does not know) is left out."""
    nodes = list(graph.subjects(RDF.type, TC.ActionPlan))
    if len(nodes) != 1:
        raise UnreadablePlan(f"publish one plan per file: this one describes {len(nodes)}")
    node = nodes[0]
    inst = graph.value(node, DCTERMS.publisher)
    name = graph.value(inst, RDFS.label) or graph.value(inst, SKOS.prefLabel)
    period = graph.value(node, DCTERMS.temporal)
    plan = Plan(slug="", institution=str(name or ""), title=str(graph.value(node, DCTERMS.title) or ""),
                source_file="", period_start=_text(graph, period, DCAT.startDate),
                period_end=_text(graph, period, DCAT.endDate),
                period_wording=_text(graph, period, RDFS.label))
    actions = list(graph.objects(node, TC.hasAction))
    ids = {a: str(graph.value(a, DCTERMS.identifier)) for a in actions}
    for action in sorted(actions, key=lambda a: ids[a]):
        plan.actions.append(_action(graph, action, ids))
    return plan


def _text(graph: Graph, node, prop) -> str | None:
    value = graph.value(node, prop) if node is not None else None
    return None if value is None else str(value)


def _action(graph: Graph, node, ids: dict) -> Action:
    text = str(graph.value(node, DCTERMS.description))
    due = _text(graph, node, TC.deadline)
    status = graph.value(node, TC.status)
    owners = [str(graph.value(o, RDFS.label) or str(o).rsplit("/", 1)[-1])
              for o in sorted(graph.objects(node, TC.owner))]
    return Action(
        local_id=ids[node], text=text, source_text=_text(graph, node, TC.sourceText) or text,
        lines=(0, 0), parent_id=ids.get(graph.value(node, DCTERMS.isPartOf)),
        title=_text(graph, node, DCTERMS.title),
        pillars=sorted(PILLAR_NAMES[p] for p in graph.objects(node, TC.pillar) if p in PILLAR_NAMES),
        recommendations=sorted(str(r).rsplit("talent-", 1)[-1]
                               for r in graph.objects(node, TC.addressesRecommendation)),
        deadline=Deadline(due, _text(graph, node, TC.timeframeWording) or due) if due else None,
        owners=owners, owner_wording=_text(graph, node, TC.ownerWording),
        success_measures=sorted(str(m) for m in graph.objects(node, TC.successMeasure)),
        status_code=str(status).rsplit("status-", 1)[-1] if status is not None else None,
        progress=_text(graph, node, TC.progress), comment=_text(graph, node, TC.comment))


# --- the plan as published triples


def plan_prefixes(pid: str) -> tuple[str, ...]:
    """Every subject of an added plan's triples starts with one of these."""
    return str(TCID[f"{pid}/"]), str(source_iri(f"plans/{pid}/"))


def publish_form(plan: Plan, entry: registry.Entry) -> Plan:
    """The plan under its minted names: slug = plan id, ids made IRI-safe."""
    plan.slug, plan.source_file = entry.id, f"{registry.PLANS_DIR}/{entry.file}"
    plan.institution, plan.title = entry.institution, entry.title or plan.title
    for action in plan.actions:
        action.iri_key = quote(action.local_id, safe="")
    return plan


def plan_triples(home: Path, entries: list[registry.Entry], pid: str) -> tuple[Graph, Plan]:
    """The live version of plan `pid` as triples, with what it replaced."""
    live = registry.live_entry(entries, pid)
    plan = read_entry(home, live)
    graph = new_graph()
    add_plan(graph, plan, registry.plans_dir(home) / live.file)
    _rename(graph, institution_iri(pid), institution_iri(live.institution_slug))
    graph += summary_links(graph)  # the crosswalk closure a full build derives too
    if live.format != "csv":  # a Turtle or JSON-LD file has no rows to point at
        graph.remove((None, TC.sourceLineStart, None))
        graph.remove((None, TC.sourceLineEnd, None))
    node = plan_iri(pid)
    graph.add((node, DCTERMS.issued, Literal(live.added, datatype=XSD.dateTime)))
    newer = node
    for old in sorted((e for e in entries if e.id == pid and e.status == registry.REPLACED),
                      key=lambda e: -e.version):
        newer = _version(graph, home, old, newer)
    return graph, plan


def _version(graph: Graph, home: Path, entry: registry.Entry, newer: URIRef) -> URIRef:
    """A replaced version: kept as a PROV entity that lists its actions, so an
    analyst can see what a plan dropped or gained."""
    node = URIRef(f"{plan_iri(entry.id)}/v{entry.version}")
    source = source_iri(f"{registry.PLANS_DIR}/{entry.file}")
    for triple in (
            (node, RDF.type, PROV.Entity),
            (node, RDFS.label, Literal(f"{entry.title} ({entry.institution}, version {entry.version})")),
            (node, DCTERMS.issued, Literal(entry.added, datatype=XSD.dateTime)),
            (node, PROV.wasDerivedFrom, source), (node, DCTERMS.isReplacedBy, newer),
            (newer, DCTERMS.replaces, node),
            (source, RDF.type, TC.SourceDocument),
            (source, DCTERMS.identifier, Literal(f"{registry.PLANS_DIR}/{entry.file}")),
            (source, TC.sha256, Literal(entry.sha256))):
        graph.add(triple)
    for action in read_entry(home, entry).actions:
        graph.add((node, DCTERMS.hasPart, action_iri(entry.id, action.iri_key)))
    return node


def _rename(graph: Graph, old: URIRef, new: URIRef) -> None:
    for s, p, o in list(graph.triples((old, None, None))):
        graph.remove((s, p, o))
        graph.add((new, p, o))
    for s, p, o in list(graph.triples((None, None, old))):
        graph.remove((s, p, o))
        graph.add((s, p, new))


def read_entry(home: Path, entry: registry.Entry) -> Plan:
    data = (registry.plans_dir(home) / entry.file).read_bytes()
    return publish_form(submitted_plan(data, entry.format, entry.fields), entry)


def registry_graph(home: Path) -> tuple[Graph, list[Plan]]:
    """Every published added plan, for `tckg build` beside data/sources."""
    graph, plans = new_graph(), []
    entries = registry.read_registry(home)
    for entry in registry.published(entries):
        triples, plan = plan_triples(home, entries, entry.id)
        graph += triples
        plans.append(plan)
    return graph, plans


# --- the graph without a plan, and counts


def without(ntriples: bytes, prefixes: tuple[str, ...], institution: str | None) -> bytes:
    """The N-Triples less every triple whose subject starts with a prefix, and the
    institution's own triples when `institution` is given (no plan left to publish it)."""
    marks = tuple(b"<" + p.encode() for p in prefixes)
    if institution:
        marks += (b"<" + institution.encode() + b"> ",)
    return b"\n".join(line for line in ntriples.splitlines() if not line.startswith(marks)) + b"\n"


def current_ntriples(home: Path) -> bytes:
    """The graph now served, as canonical N-Triples, from the configured store
    (a dump file left by an earlier embedded build is not the external server's graph)."""
    return store_ntriples(home)


def counts(ntriples: bytes) -> dict:
    return {"actions": ntriples.count(ACTION_TYPE), "suggested_links": ntriples.count(LINK_TYPE)}


# --- staging, commit and recovery


def staged(home: Path, name: str) -> Path:
    return home / f"{name}.pending"


def stage_registry(home: Path, generation: str, entries: list[registry.Entry]) -> bytes:
    data = registry.registry_bytes(entries)
    registry.write_atomically(registry.plans_dir(home) / f"{registry.REGISTRY}.{generation}.pending", data)
    return data


@dataclass
class Committed:
    manifest: dict
    generation: str


def commit(home: Path, ntriples: bytes, meta: dict, generation: str) -> Committed:
    """Swap the graph in (the commit point), then the parts staged for it."""
    manifest = write_store(ntriples, home, dict(meta, generation=generation))
    recover(home)
    return Committed(manifest, generation)


def recover(home: Path) -> None:
    """Finish what a committed writer staged for the live graph; drop the rest.
    Run by every writer under the lock, before it reads the state."""
    try:
        live = read_manifest(home).get("generation")
    except StoreMissing:
        live = None
    for name in STAGED:
        folder = staged(home, name)
        manifest = folder / "manifest.json"
        if not folder.exists():
            continue
        tag = json.loads(manifest.read_text(encoding="utf-8")).get("generation") if manifest.exists() else None
        if live is not None and tag == live:
            old = home / f"{name}.old"
            shutil.rmtree(old, ignore_errors=True)
            if (home / name).exists():
                (home / name).rename(old)
            folder.rename(home / name)
            shutil.rmtree(old, ignore_errors=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    for pending in registry.plans_dir(home).glob(f"{registry.REGISTRY}.*.pending"):
        tag = pending.name.removeprefix(f"{registry.REGISTRY}.").removesuffix(".pending")
        if live is not None and tag == live:
            pending.replace(registry.plans_dir(home) / registry.REGISTRY)
        else:
            pending.unlink()

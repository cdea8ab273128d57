"""Plan model -> RDF. Knows the ontology's terms and nothing of source formats."""
from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.model import Action, Plan
from kg.ontology import ontology_graph, stakeholder_types, statuses
from kg.text import month_end
from kg.vocab import (
    DCAT,
    ORG,
    PILLAR_IRIS,
    TC,
    TCID,
    action_iri,
    institution_iri,
    plan_iri,
    recommendation_iri,
    slugify,
    source_iri,
    stakeholder_iri,
)

# The terms written for every action, made once: TC is an open rdflib Namespace,
# whose every attribute access builds and checks a new URIRef (a fifth of the
# time a 2,000-action CSV plan took to read).
_ACTION, _SOURCE_TEXT, _PILLAR, _ADDRESSES = TC.Action, TC.sourceText, TC.pillar, TC.addressesRecommendation
_SUCCESS_MEASURE, _DEADLINE, _DUE_BY = TC.successMeasure, TC.deadline, TC.dueBy
_TIMEFRAME_WORDING, _START_DATE = TC.timeframeWording, TC.startDate
_TALENT_LINK_STATED, _MENTIONED_IN_FEEDBACK = TC.talentLinkStated, TC.mentionedInFeedback
_SOURCE_LINE_START, _SOURCE_LINE_END = TC.sourceLineStart, TC.sourceLineEnd
_HAS_ACTION, _OWNER, _STAKEHOLDER, _STAKEHOLDER_TYPE, _STATUS = (
    TC.hasAction, TC.owner, TC.Stakeholder, TC.stakeholderType, TC.status)
# rdflib's own namespaces are no cheaper: each access is a __getattr__ call.
_TYPE, _LABEL, _IDENTIFIER, _DESCRIPTION, _IS_PART_OF = (
    RDF.type, RDFS.label, DCTERMS.identifier, DCTERMS.description, DCTERMS.isPartOf)
_DERIVED_FROM, _DATE, _MONTH = PROV.wasDerivedFrom, XSD.date, XSD.gYearMonth
# The action's plain-text fields, by the property each is written with.
_ACTION_LITERALS = (
    (DCTERMS.title, "title"), (TC.pillarWording, "pillar_wording"),
    (TC.ownerWording, "owner_wording"), (TC.statusWording, "status"),
    (TC.progress, "progress"), (TC.comment, "comment"),
    (TC.supportingActions, "supporting_actions"), (TC.institutionalGoal, "institutional_goal"),
)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, ns in {"tc": TC, "dct": DCTERMS, "prov": PROV, "skos": SKOS,
                       "org": ORG, "dcat": DCAT}.items():
        graph.bind(prefix, ns)
    return graph


def date_literal(value: str) -> Literal:
    """'YYYY-MM-DD' as xsd:date, 'YYYY-MM' as xsd:gYearMonth."""
    return Literal(value, datatype=_DATE if len(value) == 10 else _MONTH)


def crosswalk() -> dict[URIRef, set[URIRef]]:
    """Each recommendation -> the summary recommendations (R1-R16) it stands for:
    a summary one itself, a recommendation to employers its crosswalk targets
    (skos:broadMatch or skos:closeMatch), as the curated ontology states them."""
    graph = ontology_graph()
    summary = set(graph.subjects(RDF.type, TC.SummaryRecommendation))
    closure = {}
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        targets = {t for p in (SKOS.broadMatch, SKOS.closeMatch) for t in graph.objects(concept, p)}
        closure[concept] = ({concept} | targets) & summary
    return closure


def summary_links(graph: Graph) -> Graph:
    """tc:addressesSummaryRecommendation for every asserted link in the graph,
    through the crosswalk: derived once at build time, so that coverage queries
    read one property instead of a property path (at 100,000 actions the path
    made the coverage matrix take over a second)."""
    closure, derived = crosswalk(), Graph()
    for action, stated in graph.subject_objects(TC.addressesRecommendation):
        for target in closure.get(stated, ()):
            derived.add((action, TC.addressesSummaryRecommendation, target))
    return derived


def plans_to_graph(plans: list[Plan], sources_dir: Path) -> Graph:
    graph = new_graph()
    for plan in plans:
        add_plan(graph, plan, sources_dir / plan.source_file)
    return graph


def add_plan(graph: Graph, plan: Plan, source_path: Path | None = None) -> URIRef:
    inst, node = institution_iri(plan.slug), plan_iri(plan.slug)
    graph.add((inst, RDF.type, TC.Institution))
    graph.add((inst, RDFS.label, Literal(plan.institution)))
    graph.add((inst, SKOS.prefLabel, Literal(plan.institution)))
    graph.add((node, RDF.type, TC.ActionPlan))
    if plan.title:
        graph.add((node, DCTERMS.title, Literal(plan.title)))
    graph.add((node, DCTERMS.publisher, inst))
    if plan.period_start or plan.period_end:
        period = URIRef(f"{node}/period")
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        for prop, value in ((DCAT.startDate, plan.period_start), (DCAT.endDate, plan.period_end)):
            if value:
                graph.add((period, prop, date_literal(value)))
        if plan.period_wording:
            graph.add((period, RDFS.label, Literal(plan.period_wording)))
    source = source_iri(plan.source_file) if source_path else None
    if source_path:
        graph.add((node, PROV.wasDerivedFrom, source))
        graph.add((source, RDF.type, TC.SourceDocument))
        graph.add((source, DCTERMS.identifier, Literal(plan.source_file)))
        graph.add((source, RDFS.label, Literal(f"{plan.institution}: {plan.source_file}")))
        graph.add((source, TC.sha256, Literal(hashlib.sha256(source_path.read_bytes()).hexdigest())))
    types, status_scheme = stakeholder_types(), statuses()
    keys: dict[str, str] = {}
    for action in plan.actions:
        keys.setdefault(action.local_id, action.iri_key or action.local_id)
    for action in plan.actions:
        iri = action_iri(plan.slug, action.iri_key or action.local_id)
        graph.add((node, _HAS_ACTION, iri))
        _add_action(graph, iri, action, plan, source, keys)
        for name in action.owners:
            owner = stakeholder_iri(plan.slug, name)
            graph.add((iri, _OWNER, owner))
            graph.add((owner, _TYPE, _STAKEHOLDER))
            graph.add((owner, _LABEL, Literal(name)))
            for kind in types.all_in(name):
                graph.add((owner, _STAKEHOLDER_TYPE, kind))
        if action.status_code:  # a label of the scheme ("Ongoing"), or a code for the shapes to judge
            graph.add((iri, _STATUS, status_scheme.named(action.status_code)
                       or TCID[f"status-{slugify(action.status_code)}"]))
        elif action.status and (status := status_scheme.leading(action.status)):
            graph.add((iri, _STATUS, status))
    return node


def _add_action(graph: Graph, iri: URIRef, action: Action, plan: Plan, source, keys) -> None:
    add = graph.add
    add((iri, _TYPE, _ACTION))
    add((iri, _IDENTIFIER, Literal(action.local_id)))
    add((iri, _DESCRIPTION, Literal(action.text)))
    add((iri, _SOURCE_TEXT, Literal(action.source_text)))
    if action.parent_id:
        add((iri, _IS_PART_OF, action_iri(plan.slug, keys.get(action.parent_id, action.parent_id))))
    # Values outside the schemes still become IRIs, so that the SHACL shapes,
    # not this builder, tell a plan's author what is wrong with them.
    for pillar in action.pillars:
        add((iri, _PILLAR, PILLAR_IRIS.get(pillar) or TCID[f"pillar-{slugify(pillar)}"]))
    for code in action.recommendations:
        add((iri, _ADDRESSES, recommendation_iri(code)))
    for measure in action.success_measures:
        add((iri, _SUCCESS_MEASURE, Literal(measure)))
    literals = {prop: getattr(action, name) for prop, name in _ACTION_LITERALS}
    for prop, value in literals.items():
        if value:
            add((iri, prop, Literal(value)))
    if action.talent_link_stated:
        add((iri, _TALENT_LINK_STATED, Literal(True)))
    if action.mentioned_in_feedback:
        add((iri, _MENTIONED_IN_FEEDBACK, Literal(True)))
    if due := action.deadline:
        add((iri, _DEADLINE, date_literal(due.value)))
        try:
            add((iri, _DUE_BY, Literal(month_end(due.value), datatype=_DATE)))
        except ValueError:
            pass  # not a real month: the shapes report the deadline itself
        add((iri, _TIMEFRAME_WORDING, Literal(due.wording)))
        if due.start:
            add((iri, _START_DATE, date_literal(due.start)))
    if source is not None:
        add((iri, _DERIVED_FROM, source))
        add((iri, _SOURCE_LINE_START, Literal(action.lines[0])))
        add((iri, _SOURCE_LINE_END, Literal(action.lines[1])))

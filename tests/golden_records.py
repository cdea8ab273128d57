"""One source plan as a plain record, read two ways: from the parser's plan model
and from the built graph. The golden files under tests/golden/ hold the reviewed
record; both readings must equal it whole, so a parser or builder change shows
up as a diff a person reviews."""
from __future__ import annotations

from kg.model import Plan
from kg.ontology import statuses
from kg.text import month_end
from kg.vocab import TCID, action_iri, plan_iri

TC = "https://w3id.org/tckg/ontology#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _status_slug(action) -> str | None:
    """The status the graph records for an action: its code, or the concept its
    wording opens with ("In progress - ..." is in-progress)."""
    if action.status_code:
        return action.status_code
    concept = statuses().leading(action.status) if action.status else None
    return str(concept).removeprefix(f"{TCID}status-") if concept else None


def plan_record(plan: Plan) -> dict:
    """What the parser made of one source plan, every field a person reviews."""
    return {
        "slug": plan.slug,
        "institution": plan.institution,
        "title": plan.title,
        "source_file": plan.source_file,
        "period": {"start": plan.period_start, "end": plan.period_end,
                   "wording": plan.period_wording},
        "actions": [_action_record(a) for a in plan.actions],
    }


def _action_record(a) -> dict:
    due = a.deadline
    return {
        "local_id": a.local_id,
        "lines": list(a.lines),
        "parent": a.parent_id,
        "title": a.title,
        "text": a.text,
        "source_text": a.source_text,
        "pillars": list(a.pillars),
        "pillar_wording": a.pillar_wording,
        "recommendations": list(a.recommendations),
        "talent_link_stated": a.talent_link_stated,
        "owners": list(a.owners),
        "owner_wording": a.owner_wording,
        "deadline": due.value if due else None,
        "due_by": month_end(due.value) if due else None,
        "deadline_start": due.start if due else None,
        "deadline_wording": due.wording if due else None,
        "status": a.status,
        "status_is": _status_slug(a),
        "progress": a.progress,
        "success_measures": list(a.success_measures),
        "comment": a.comment,
        "institutional_goal": a.institutional_goal,
        "supporting_actions": a.supporting_actions,
        "mentioned_in_feedback": a.mentioned_in_feedback,
    }


# --- the same record, read back from the graph

def _one(store, subject: str, prop: str):
    values = _all(store, subject, prop)
    assert len(values) <= 1, (subject, prop, values)
    return values[0] if values else None


def _all(store, subject: str, prop: str) -> list[str]:
    import pyoxigraph as ox
    return [q.object.value for q in store.quads_for_pattern(ox.NamedNode(subject),
                                                             ox.NamedNode(prop), None)]


def _label(store, iri: str | None) -> str | None:
    return _one(store, iri, RDFS + "label") if iri else None


def graph_record(store, plan_model: Plan) -> dict:
    """What the built graph holds for the plan, in the record's shape. The plan
    model gives only the order of the actions (a graph has none)."""
    plan = str(plan_iri(plan_model.slug))
    publisher = _one(store, plan, DCT + "publisher")
    period = _one(store, plan, DCT + "temporal")
    source = _one(store, plan, "http://www.w3.org/ns/prov#wasDerivedFrom")
    held = set(_all(store, plan, TC + "hasAction"))
    order = [str(action_iri(plan_model.slug, a.iri_key or a.local_id)) for a in plan_model.actions]
    assert held == set(order), "the graph holds other actions than the parser made"
    return {
        "slug": plan_model.slug,
        "institution": _label(store, publisher),
        "title": _one(store, plan, DCT + "title"),
        "source_file": _one(store, source, DCT + "identifier"),
        "period": {"start": period and _one(store, period, DCAT + "startDate"),
                   "end": period and _one(store, period, DCAT + "endDate"),
                   "wording": period and _label(store, period)},
        "actions": [_graph_action(store, iri) for iri in order],
    }


def _pillar_label(iri: str) -> str:
    return {"pillar-visibility": "Visibility", "pillar-recognition": "Recognition",
            "pillar-career-development": "Career Development",
            "pillar-sustainability": "Sustainability"}[iri.removeprefix(str(TCID))]


def _code_order(code: str) -> tuple[str, int]:
    return code[0], int(code[1:])


def _graph_action(store, iri: str) -> dict:
    one = lambda prop: _one(store, iri, prop)
    parent = one(DCT + "isPartOf")
    status = one(TC + "status")
    start, end = one(TC + "sourceLineStart"), one(TC + "sourceLineEnd")
    pillars = [_pillar_label(p) for p in _all(store, iri, TC + "pillar")]
    codes = [c.removeprefix(f"{TCID}talent-") for c in _all(store, iri, TC + "addressesRecommendation")]
    owners = [_label(store, o) for o in _all(store, iri, TC + "owner")]
    stated = one(TC + "talentLinkStated")
    feedback = one(TC + "mentionedInFeedback")
    return {
        "local_id": one(DCT + "identifier"),
        "lines": [int(start), int(end)],
        "parent": parent and _one(store, parent, DCT + "identifier"),
        "title": one(DCT + "title"),
        "text": one(DCT + "description"),
        "source_text": one(TC + "sourceText"),
        # The graph has no order: multi-valued fields are compared as sorted lists.
        "pillars": sorted(pillars),
        "pillar_wording": one(TC + "pillarWording"),
        "recommendations": sorted(codes, key=_code_order),
        "talent_link_stated": stated == "true",
        "owners": sorted(owners),
        "owner_wording": one(TC + "ownerWording"),
        "deadline": one(TC + "deadline"),
        "due_by": one(TC + "dueBy"),
        "deadline_start": one(TC + "startDate"),
        "deadline_wording": one(TC + "timeframeWording"),
        "status": one(TC + "statusWording"),
        "status_is": status and status.removeprefix(f"{TCID}status-"),
        "progress": one(TC + "progress"),
        "success_measures": sorted(_all(store, iri, TC + "successMeasure")),
        "comment": one(TC + "comment"),
        "institutional_goal": one(TC + "institutionalGoal"),
        "supporting_actions": one(TC + "supportingActions"),
        "mentioned_in_feedback": feedback == "true",
    }


def unordered(record: dict) -> dict:
    """A record with its multi-valued fields sorted, as the graph gives them."""
    actions = []
    for a in record["actions"]:
        a = dict(a)
        a["pillars"] = sorted(a["pillars"])
        a["recommendations"] = sorted(a["recommendations"], key=_code_order)
        a["owners"] = sorted(a["owners"])
        a["success_measures"] = sorted(a["success_measures"])
        actions.append(a)
    return {**record, "actions": actions}

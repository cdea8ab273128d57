"""The HTML page of a resource under /id/ for a browser: an action, an institution,
a plan and a recommendation get pages a person reads; anything else a table of
its statements. The data comes from the catalog (what /actions/{id} answers) and
the search documents (what /search returns)."""
from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from api.coverage import coverage
from api.routes.pages import facts
from api.web import natural_key, render
from kg import catalog
from kg.ontology import recommendation_labels
from kg.suggested import THRESHOLD
from search.engine import result

PART_OF = "http://purl.org/dc/terms/isPartOf"
PREFIXES = {"https://w3id.org/tckg/ontology#": "tc:", "http://purl.org/dc/terms/": "dct:",
            "http://www.w3.org/2004/02/skos/core#": "skos:", "http://www.w3.org/ns/prov#": "prov:",
            "http://www.w3.org/2000/01/rdf-schema#": "rdfs:", "http://www.w3.org/ns/org#": "org:",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
            "http://www.w3.org/ns/dcat#": "dcat:", "https://w3id.org/tckg/id/": "tcid:"}


def short(iri: str) -> str:
    for namespace, prefix in PREFIXES.items():
        if iri.startswith(namespace):
            return prefix + iri[len(namespace):]
    return iri


def _documents(request: Request):
    return request.app.state.searcher.documents


def _ordered(docs) -> list[dict]:
    return [result(d, 0) for d in sorted(docs, key=lambda d: natural_key(d.local_id))]


def action_page(request: Request, iri: str, triples: list[ox.Triple]) -> HTMLResponse | None:
    found = catalog.action(request.app.state.store, iri)
    if found is None:
        return None
    documents = {d.action: d for d in _documents(request)}
    children = [documents[t.subject.value] for t in triples
                if t.predicate.value == PART_OF and t.subject.value in documents]
    parent = documents.get(found["part_of"] or "")
    similar = request.app.state.searcher.similar(iri, 5) if iri in documents else []
    title = f"{found['institution']} · action {found['local_id']}"
    plan_title = next((p["title"] for p in request.app.state.catalog["institutions"]
                       if p["plan"] == found["plan"]), None)
    return render(request, "action.html", title=title, a=found, iri=iri, plan_title=plan_title,
                  labels=recommendation_labels(), children=_ordered(children),
                  parent=result(parent, 0) if parent else None, similar=similar,
                  facts=facts(request))


def _peers(request: Request, codes: list[str], institution: str, documents) -> dict[str, list]:
    """Other institutions' best actions for each recommendation, chosen as the
    validation report's peer exemplars are (search/exemplars.py), as result cards."""
    from search.exemplars import peer_exemplars

    assistant = request.app.state.assistant
    chosen = peer_exemplars(assistant.searcher, assistant.suggesters,
                            {"recommendations": codes}, institution)
    by_iri = {d.action: d for d in documents}
    return {entry["code"]: [dict(result(by_iri[a["action"]], 0), suggested_score=a["score"])
                            for a in entry["actions"]] for entry in chosen["recommendations"]}


def institution_page(request: Request, iri: str) -> HTMLResponse | None:
    plans = [i for i in request.app.state.catalog["institutions"] if i["institution"] == iri]
    if not plans:
        return None
    documents = _documents(request)
    own = [d for d in documents if d.institution_iri == iri]
    table, pillars = coverage(documents, "R"), coverage(documents, "pillars")
    row = next((r for r in table.rows if r.iri == iri), None)
    pillar_row = next((r for r in pillars.rows if r.iri == iri), None)
    if row is None or pillar_row is None:  # a plan with no actions: its statements will do
        return None
    medians = list(zip(table.medians(iri), table.medians(iri, "suggested")))
    labels = recommendation_labels()
    silent = [code for (code, _), cell in zip(table.columns, row.cells) if cell.asserted == 0]
    peers = _peers(request, silent, plans[0]["name"], documents)
    gaps = [(code, labels[code], peers.get(code, [])) for code in silent]
    return render(request, "institution.html", title=plans[0]["name"], plans=plans, iri=iri,
                  actions=len(own), table=table, row=row, medians=medians, pillars=pillars,
                  pillar_row=pillar_row, gaps=gaps, facts=facts(request))


def plan_page(request: Request, iri: str) -> HTMLResponse | None:
    plan = next((i for i in request.app.state.catalog["institutions"] if i["plan"] == iri), None)
    if plan is None:
        return None
    own = [d for d in _documents(request) if d.institution_iri == plan["institution"]]
    return render(request, "plan.html", title=plan["title"] or f"{plan['name']}'s plan",
                  plan=plan, iri=iri, actions=_ordered(own), facts=facts(request))


def recommendation_page(request: Request, iri: str) -> HTMLResponse | None:
    found = next((r for r in request.app.state.catalog["recommendations"]
                  if r["recommendation"] == iri), None)
    if found is None:
        return None
    code = found["code"]
    documents = _documents(request)
    asserted = [d for d in documents if code in d.recommendation_closure]
    suggested = sorted(((s["score"], d) for d in documents if d not in asserted
                        for s in d.suggested if s["code"] == code and s["score"] >= THRESHOLD),
                       key=lambda pair: -pair[0])
    return render(request, "recommendation.html", title=f"{code}: {found['label']}", r=found,
                  iri=iri, asserted=sorted((result(d, 0) for d in asserted),
                                           key=lambda r: (r["institution"],
                                                          natural_key(r["local_id"]))),
                  suggested=[result(d, 0) for _, d in suggested], facts=facts(request))


def statements_page(request: Request, iri: str, triples: list[ox.Triple]) -> HTMLResponse:
    node = ox.NamedNode(iri)
    out = [t for t in triples if t.subject == node]
    into = [t for t in triples if t.subject != node]
    names = {t.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]: t.object.value for t in out}
    label = next((names[k] for k in ("label", "prefLabel", "title", "identifier", "description")
                  if k in names), iri.rsplit("/", 1)[-1])
    label = label if len(label) <= 90 else label[:89] + "…"
    return render(request, "resource.html", title=label, iri=iri, out=out, into=into,
                  short=short, is_iri=lambda term: isinstance(term, ox.NamedNode))


def resource_page(request: Request, iri: str, triples: list[ox.Triple]) -> HTMLResponse:
    """The most readable page the resource has."""
    types = {t.object.value for t in triples if t.subject.value == iri
             and t.predicate.value.endswith("22-rdf-syntax-ns#type")}
    tc = "https://w3id.org/tckg/ontology#"
    page = None
    if tc + "Action" in types:
        page = action_page(request, iri, triples)
    elif tc + "ActionPlan" in types:
        page = plan_page(request, iri)
    elif types & {tc + "SummaryRecommendation", tc + "EmployerRecommendation"} or \
            iri.rsplit("/", 1)[-1].startswith("talent-"):
        page = recommendation_page(request, iri)
    elif tc + "Institution" in types:
        page = institution_page(request, iri)
    return page or statements_page(request, iri, triples)

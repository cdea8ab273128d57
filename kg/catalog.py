"""What the graph holds, as plain dicts for the front doors: one action in full,
the institutions and the recommendations with their coverage, and any
resource's description (its outgoing and incoming triples) for linked data.
Values are bound through substitutions, never pasted into query text."""
from __future__ import annotations

import pyoxigraph as ox

from kg.store.query import select_rows
from kg.suggested import THRESHOLD

PREFIXES = """PREFIX tc: <https://w3id.org/tckg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""

def _node(iri: str) -> ox.NamedNode | None:
    """The IRI as a node, or None when it is not a valid IRI (so names nothing here)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


# Single-valued fields of an action, by the key the API gives them.
ACTION_FIELDS = {
    "local_id": "dct:identifier", "text": "dct:description", "title": "dct:title",
    "deadline": "tc:deadline", "due_by": "tc:dueBy", "timeframe_wording": "tc:timeframeWording",
    "start_date": "tc:startDate", "status_wording": "tc:statusWording", "progress": "tc:progress",
    "comment": "tc:comment", "supporting_actions": "tc:supportingActions",
    "owner_wording": "tc:ownerWording", "pillar_wording": "tc:pillarWording",
    "institutional_goal": "tc:institutionalGoal", "source_text": "tc:sourceText",
    "source_line_start": "tc:sourceLineStart", "source_line_end": "tc:sourceLineEnd",
    "part_of": "dct:isPartOf", "status": "tc:status/skos:prefLabel",
}
NUMBERS = ("source_line_start", "source_line_end")
ACTION_LISTS = {
    "pillars": "tc:pillar/skos:prefLabel", "recommendations": "tc:addressesRecommendation/skos:notation",
    "success_measures": "tc:successMeasure", "owners": "tc:owner/rdfs:label",
    "source": "prov:wasDerivedFrom/dct:identifier",
}


def action(store: ox.Store, iri: str) -> dict | None:
    """Every field the graph holds for one action, or None if it is not an action."""
    node = _node(iri)
    if node is None:
        return None
    head = select_rows(store, PREFIXES + """SELECT ?a ?institution ?name ?plan WHERE {
        ?plan tc:hasAction ?a ; dct:publisher ?institution . ?institution rdfs:label ?name }""",
                       a=node)
    if not head:
        return None
    found = {"action": iri, "institution": head[0]["name"], "institution_iri": head[0]["institution"],
             "plan": head[0]["plan"]}
    for key, path in ACTION_FIELDS.items():
        rows = select_rows(store, PREFIXES + f"SELECT ?a ?v WHERE {{ ?a {path} ?v }}", a=node)
        value = rows[0]["v"] if rows else None
        found[key] = int(value) if key in NUMBERS and value is not None else value
    for key, path in ACTION_LISTS.items():
        rows = select_rows(store, PREFIXES + f"SELECT DISTINCT ?a ?v WHERE {{ ?a {path} ?v }} ORDER BY ?v",
                           a=node)
        found[key] = [r["v"] for r in rows]
    found["suggested_recommendations"] = [
        {"code": r["code"], "score": float(r["score"]), "rank": int(r["rank"])}
        for r in select_rows(store, PREFIXES + """SELECT ?a ?code ?score ?rank WHERE {
            ?a tc:suggestedLink ?link .
            ?link tc:suggestedRecommendation/skos:notation ?code ; tc:score ?score ; tc:rank ?rank .
        } ORDER BY ?rank""", a=node)]
    return found


# Actions with suggested links at or above the threshold (a constant of ours,
# not user input), by recommendation and institution.
SUGGESTED = PREFIXES + f"""
SELECT ?recommendation ?institution (COUNT(DISTINCT ?action) AS ?actions) WHERE {{
  ?action tc:suggestedLink ?link .
  ?link tc:suggestedRecommendation ?recommendation ; tc:score ?score .
  FILTER(?score >= {THRESHOLD})
  ?plan tc:hasAction ?action ; dct:publisher ?institution .
}}
GROUP BY ?recommendation ?institution
"""


def _suggested(store: ox.Store) -> list[dict]:
    return select_rows(store, SUGGESTED)


INSTITUTIONS = PREFIXES + """
SELECT ?institution ?name ?plan ?title ?start ?end (COUNT(DISTINCT ?action) AS ?actions)
       (COUNT(DISTINCT ?recommendation) AS ?recommendations)
WHERE {
  ?plan a tc:ActionPlan ; dct:publisher ?institution ; tc:hasAction ?action .
  ?institution rdfs:label ?name .
  OPTIONAL { ?plan dct:title ?title }
  OPTIONAL { ?plan dct:temporal ?period . OPTIONAL { ?period dcat:startDate ?start }
             OPTIONAL { ?period dcat:endDate ?end } }
  OPTIONAL { ?action tc:addressesRecommendation/(skos:broadMatch|skos:closeMatch)? ?recommendation .
             ?recommendation a tc:SummaryRecommendation }
}
GROUP BY ?institution ?name ?plan ?title ?start ?end
ORDER BY ?name
"""


def institutions(store: ox.Store) -> list[dict]:
    """Each institution with its plan and counts: actions, the R1-R16 it links
    (asserted, directly or through the crosswalk), and the R1-R16 its actions
    have suggested links to at or above the threshold."""
    suggested: dict[str, set[str]] = {}
    for row in _suggested(store):
        suggested.setdefault(row["institution"], set()).add(row["recommendation"])
    rows = select_rows(store, INSTITUTIONS)
    return [{"institution": r["institution"], "name": r["name"], "plan": r["plan"],
             "title": r.get("title"), "period_start": r.get("start"), "period_end": r.get("end"),
             "actions": int(r["actions"]),
             "summary_recommendations_addressed": int(r["recommendations"]),
             "summary_recommendations_suggested": len(suggested.get(r["institution"], ())),
             "suggestion_threshold": THRESHOLD} for r in rows]


RECOMMENDATIONS = PREFIXES + """
SELECT ?recommendation ?code ?label ?definition ?scheme
       (COUNT(DISTINCT ?action) AS ?actions) (COUNT(DISTINCT ?institution) AS ?institutions)
WHERE {
  ?recommendation skos:inScheme ?scheme ; skos:notation ?code ; skos:prefLabel ?label .
  VALUES ?scheme { <https://w3id.org/tckg/id/scheme-talent-summary>
                   <https://w3id.org/tckg/id/scheme-talent-employer> }
  OPTIONAL { ?recommendation skos:definition ?definition }
  OPTIONAL { ?action tc:addressesRecommendation/(skos:broadMatch|skos:closeMatch)? ?recommendation .
             ?plan tc:hasAction ?action ; dct:publisher ?institution }
}
GROUP BY ?recommendation ?code ?label ?definition ?scheme
"""


def recommendations(store: ox.Store) -> list[dict]:
    """R1-R16 then E1-E23, each with its asserted coverage: actions and institutions
    linking it (an E-code's links count for the R-codes the crosswalk maps it to),
    and its suggested coverage at or above the threshold (R-codes only: the
    suggester links to R1-R16)."""
    suggested: dict[str, dict] = {}
    for row in _suggested(store):
        counts = suggested.setdefault(row["recommendation"], {"actions": 0, "institutions": 0})
        counts["actions"] += int(row["actions"])
        counts["institutions"] += 1
    rows = select_rows(store, RECOMMENDATIONS)
    found = [{"recommendation": r["recommendation"], "code": r["code"], "label": r["label"],
              "definition": r.get("definition"),
              "kind": "summary" if r["scheme"].endswith("summary") else "employer",
              "asserted": {"actions": int(r["actions"]), "institutions": int(r["institutions"])},
              "suggested": dict(suggested.get(r["recommendation"],
                                              {"actions": 0, "institutions": 0}),
                                min_score=THRESHOLD)}
             for r in rows]
    return sorted(found, key=lambda r: (r["kind"] != "summary", int(r["code"][1:])))


def describe(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The resource's outgoing and incoming triples (empty when the graph has none)."""
    node = _node(iri)
    if node is None:
        return []
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(node, None, None)]
    triples += [ox.Triple(q.subject, q.predicate, q.object)
                for q in store.quads_for_pattern(None, None, node)]
    return triples

"""Search documents: one per action, read from the graph (never the sources).

A document carries the text that is embedded and indexed, plus the fields the
filters and the result objects need, so a search never goes back to the store.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

# One row per action; multi-valued fields come back joined with a unit separator
# (a character no plan text contains) and are split here.
SEP = "\u241f"
ACTIONS_QUERY = f"""
PREFIX tc:   <https://w3id.org/tckg/ontology#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?action ?id ?institution ?institutionName ?text ?title ?parent ?parentText ?dueBy
  (GROUP_CONCAT(DISTINCT ?measure; SEPARATOR="{SEP}") AS ?measures)
  (GROUP_CONCAT(DISTINCT ?pillarLabel; SEPARATOR="{SEP}") AS ?pillars)
  (GROUP_CONCAT(DISTINCT ?code; SEPARATOR="{SEP}") AS ?codes)
  (GROUP_CONCAT(DISTINCT ?summaryCode; SEPARATOR="{SEP}") AS ?summaryCodes)
  (GROUP_CONCAT(DISTINCT ?recLabel; SEPARATOR="{SEP}") AS ?recLabels)
  (GROUP_CONCAT(DISTINCT ?ownerType; SEPARATOR="{SEP}") AS ?ownerTypes)
WHERE {{
  ?plan tc:hasAction ?action ; dct:publisher ?institution .
  ?institution rdfs:label ?institutionName .
  ?action dct:identifier ?id ; dct:description ?text .
  OPTIONAL {{ ?action dct:title ?title }}
  OPTIONAL {{ ?action dct:isPartOf ?parent . ?parent dct:description ?parentText }}
  OPTIONAL {{ ?action tc:dueBy ?dueBy }}
  OPTIONAL {{ ?action tc:successMeasure ?measure }}
  OPTIONAL {{ ?action tc:pillar/skos:prefLabel ?pillarLabel }}
  OPTIONAL {{ ?action tc:addressesRecommendation ?rec .
             ?rec skos:notation ?code ; skos:prefLabel ?recLabel .
             OPTIONAL {{ ?rec (skos:broadMatch|skos:closeMatch) ?summary .
                        ?summary a tc:SummaryRecommendation ; skos:notation ?summaryCode }} }}
  OPTIONAL {{ ?action tc:owner/tc:stakeholderType/skos:prefLabel ?ownerType }}
}}
GROUP BY ?action ?id ?institution ?institutionName ?text ?title ?parent ?parentText ?dueBy
ORDER BY ?action
"""

SUGGESTIONS_QUERY = """
PREFIX tc: <https://w3id.org/tckg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?action ?code ?score WHERE {
  ?action tc:suggestedLink ?link .
  ?link tc:suggestedRecommendation/skos:notation ?code ; tc:score ?score ; tc:rank ?rank .
}
ORDER BY ?action ?rank
"""


@dataclass
class Document:
    action: str                 # the action's IRI
    local_id: str               # the plan's own number for it
    institution: str            # the publishing institution's name
    institution_iri: str
    text: str                   # the whole action text
    title: str = ""
    parent: str = ""            # the IRI of the action this one is a sub-action of, or ""
    parent_text: str = ""
    success_measures: list[str] = field(default_factory=list)
    pillars: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)  # asserted codes, as stated
    # Asserted codes with the R-codes the crosswalk maps them to: what a filter matches.
    recommendation_closure: list[str] = field(default_factory=list)
    recommendation_labels: list[str] = field(default_factory=list)
    owner_types: list[str] = field(default_factory=list)
    due_by: str = ""            # xsd:date, last day of the deadline, or ""
    # The machine's suggested links, best first: [{"code": "R5", "score": 0.61}, ...]
    suggested: list[dict] = field(default_factory=list)

    def suggested_codes(self, min_score: float) -> list[str]:
        return [s["code"] for s in self.suggested if s["score"] >= min_score]

    def to_json(self) -> dict:
        return asdict(self)


def _value(term) -> str:
    return term.value if term is not None else ""


def _values(term) -> list[str]:
    return sorted(v for v in _value(term).split(SEP) if v)


def _code_order(code: str) -> tuple[str, int]:
    return code[0], int(code[1:]) if code[1:].isdigit() else 0


def read_documents(store: ox.Store) -> list[Document]:
    """Every action in the graph as a document, in IRI order."""
    documents = []
    for row in store.query(ACTIONS_QUERY):
        codes = sorted(_values(row["codes"]), key=_code_order)
        closure = sorted(set(codes) | set(_values(row["summaryCodes"])), key=_code_order)
        documents.append(Document(
            action=row["action"].value, local_id=row["id"].value,
            institution=row["institutionName"].value, institution_iri=row["institution"].value,
            text=row["text"].value, title=_value(row["title"]),
            parent=_value(row["parent"]), parent_text=_value(row["parentText"]),
            success_measures=_values(row["measures"]), pillars=_values(row["pillars"]),
            recommendations=codes, recommendation_closure=closure,
            recommendation_labels=_values(row["recLabels"]),
            owner_types=_values(row["ownerTypes"]), due_by=_value(row["dueBy"])))
    by_action = {d.action: d for d in documents}
    for row in store.query(SUGGESTIONS_QUERY):
        by_action[row["action"].value].suggested.append(
            {"code": row["code"].value, "score": float(row["score"].value)})
    return documents


def document_text(doc: Document, fields: tuple[str, ...] = ("text",)) -> str:
    """The text embedded and indexed for a document: the named fields joined.

    Which fields help was measured on the relevance set (benchmarks/bench_search.py);
    the default is the choice recorded in the README.
    """
    parts = []
    for name in fields:
        value = getattr(doc, name)
        parts.extend(value if isinstance(value, list) else [value])
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())

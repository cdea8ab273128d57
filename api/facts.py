"""What a result card shows that a search result does not carry: each action's
status, owner and deadline in the plan's own words, read from the graph in one query
and kept for the app's life (the graph, like the index, is loaded once)."""
from __future__ import annotations

import pyoxigraph as ox

from kg.catalog import PREFIXES
from kg.store.query import select_rows

FACTS = PREFIXES + """
SELECT ?action ?plan ?status ?statusWording ?deadline ?owner WHERE {
  ?plan tc:hasAction ?action .
  OPTIONAL { ?action tc:ownerWording ?owner }
  OPTIONAL { ?action tc:status/skos:prefLabel ?status }
  OPTIONAL { ?action tc:statusWording ?statusWording }
  OPTIONAL { ?action tc:timeframeWording ?deadline }
}"""


def action_facts(store: ox.Store) -> dict[str, dict[str, str]]:
    """Action IRI -> {"plan", "status", "deadline", "owner"}, each but the plan
    only when the plan gives it."""
    facts: dict[str, dict[str, str]] = {}
    for row in select_rows(store, FACTS):
        found = facts.setdefault(row["action"], {"plan": row["plan"]})
        status = row.get("status") or row.get("statusWording")
        if status:
            found.setdefault("status", status)
        if row.get("deadline"):
            found.setdefault("deadline", row["deadline"])
        if row.get("owner"):
            found.setdefault("owner", row["owner"])
    return facts

"""Namespaces and the IRIs the graph mints. Instance IRIs derive from an
institution's slug and an action's own local id, so they survive rebuilds."""
from __future__ import annotations

import re

from rdflib import Namespace, URIRef

TC = Namespace("https://w3id.org/tckg/ontology#")
TCID = Namespace("https://w3id.org/tckg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

PILLAR_IRIS = {
    "Visibility": TCID["pillar-visibility"],
    "Recognition": TCID["pillar-recognition"],
    "Career Development": TCID["pillar-career-development"],
    "Sustainability": TCID["pillar-sustainability"],
}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def institution_iri(slug: str) -> URIRef:
    return TCID[slug]


def plan_iri(slug: str) -> URIRef:
    return TCID[f"{slug}/plan"]


def action_iri(slug: str, local_id: str) -> URIRef:
    return TCID[f"{slug}/action/{local_id}"]


def short_id(iri: str) -> str:
    """An action IRI's short form, "slug:local" (e.g. "northumbria:16")."""
    slug, _, local = str(iri).removeprefix(str(TCID)).partition("/action/")
    return f"{slug}:{local}"


def action_iri_from_short_id(short: str) -> URIRef:
    """The action IRI a short id ("northumbria:16") names."""
    slug, _, local = short.partition(":")
    return action_iri(slug, local)


def stakeholder_iri(slug: str, name: str) -> URIRef:
    return TCID[f"{slug}/stakeholder/{slugify(name)}"]


def source_iri(file_name: str) -> URIRef:
    return TCID[f"source/{file_name}"]


def recommendation_iri(code: str) -> URIRef:
    """The concept for a TALENT code. A code outside R1-R16 and E1-E23 gets an
    IRI in the same pattern, which the SHACL shapes refuse with a message."""
    return TCID[f"talent-{code.strip().upper()}"]

"""The project's ontology files and the concept schemes read from them."""
from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg import resources
from kg.vocab import TCID

# The ontology folder as installed (kg/resources.py): a Traversable, not always a Path.
ONTOLOGY_DIR = resources.ONTOLOGY
ONTOLOGY_FILES = ("tckg.ttl", "schemes.ttl", "talent.ttl")


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    graph = Graph()
    for name in ONTOLOGY_FILES:
        graph.parse(data=(ONTOLOGY_DIR / name).read_bytes(), format="turtle")
    return graph


class ConceptMatcher:
    """Recognises a scheme's concepts in free wording by their labels, matched
    as whole words ignoring case. Labels live in the scheme, not in code."""

    def __init__(self, scheme: URIRef):
        graph = ontology_graph()
        self._patterns: list[tuple[re.Pattern, URIRef]] = []
        self._found: dict[str, list[URIRef]] = {}
        self._labels: dict[str, URIRef] = {}
        for concept in sorted(graph.subjects(SKOS.inScheme, scheme)):
            for prop in (SKOS.prefLabel, SKOS.altLabel):
                for label in graph.objects(concept, prop):
                    self._labels.setdefault(_folded(label), concept)
                    words = r"\s+".join(re.escape(w) for w in str(label).split())
                    self._patterns.append((re.compile(rf"(?<![\w&]){words}(?![\w&])", re.IGNORECASE), concept))

    def all_in(self, text: str) -> list[URIRef]:
        """Every concept named anywhere in the text, in scheme order. Remembered
        per text: a plan names the same owners again and again, and trying every
        label on each (75 patterns) was a sixth of reading a 2,000-action CSV."""
        if (known := self._found.get(text)) is None:
            if len(self._found) >= 4096:
                self._found.clear()
            known = self._found[text] = sorted({c for p, c in self._patterns if p.search(text)})
        return list(known)

    def named(self, text: str) -> URIRef | None:
        """The concept one of whose labels is the whole text ("Ongoing"), any case."""
        return self._labels.get(_folded(text))

    def leading(self, text: str) -> URIRef | None:
        """The concept the text opens with ("Complete", "In progress - ...")."""
        hits = [(m.end(), c) for p, c in self._patterns if (m := p.match(text.strip()))]
        return max(hits)[1] if hits else None


def _folded(label: str) -> str:
    return " ".join(str(label).lower().split())


@lru_cache(maxsize=1)
def stakeholder_types() -> ConceptMatcher:
    return ConceptMatcher(TCID["scheme-stakeholder-types"])


@lru_cache(maxsize=1)
def pillars() -> ConceptMatcher:
    return ConceptMatcher(TCID["scheme-pillars"])


@lru_cache(maxsize=1)
def statuses() -> ConceptMatcher:
    return ConceptMatcher(TCID["scheme-status"])


@lru_cache(maxsize=8)
def scheme_labels(scheme: str) -> dict[str, str]:
    """A scheme's concepts, IRI -> English prefLabel (e.g. "scheme-talent-summary")."""
    graph = ontology_graph()
    return {str(c): str(graph.value(c, SKOS.prefLabel))
            for c in sorted(graph.subjects(SKOS.inScheme, TCID[scheme]))}


@lru_cache(maxsize=1)
def recommendation_labels() -> dict[str, str]:
    """TALENT code ("R5", "E3") -> its short label, R1-R16 then E1-E23."""
    graph = ontology_graph()
    codes = {}
    for scheme in ("scheme-talent-summary", "scheme-talent-employer"):
        for concept in scheme_labels(scheme):
            codes[str(graph.value(URIRef(concept), SKOS.notation))] = scheme_labels(scheme)[concept]
    return dict(sorted(codes.items(), key=lambda kv: (kv[0][0] != "R", int(kv[0][1:]))))

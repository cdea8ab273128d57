"""Suggested TALENT links: which summary recommendations (R1-R16) an action serves.

Two methods, compared in benchmarks/bench_suggest.py:
- zero-shot: the cosine between the action's text and each recommendation's
  full text (with the employer recommendations the crosswalk maps to it);
- learned: a logistic regression (scikit-learn) over (action, recommendation)
  pairs, whose features are the zero-shot cosine, its margin to the action's best
  cosine, and the vote of the most similar actions of *other* institutions that
  assert links. Its probability is the suggestion's score; one model serves all
  sixteen recommendations, so a recommendation with few labelled actions still
  gets a calibrated score.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rdflib import URIRef
from rdflib.namespace import SKOS
from sklearn.linear_model import LogisticRegression

from kg.ontology import ontology_graph, recommendation_labels
from kg.vocab import TCID

METHOD_VERSION = "tckg-suggest-1"
NEIGHBOURS = 10


def recommendation_texts() -> dict[str, str]:
    """R-code -> its full text, followed by the E-recommendations mapped to it."""
    graph = ontology_graph()
    texts = {}
    for code in (c for c in recommendation_labels() if c.startswith("R")):
        concept = TCID[f"talent-{code}"]
        parts = [str(graph.value(concept, SKOS.prefLabel)), str(graph.value(concept, SKOS.definition))]
        for relation in (SKOS.broadMatch, SKOS.closeMatch):
            for employer in sorted(graph.subjects(relation, concept)):
                parts.append(str(graph.value(URIRef(employer), SKOS.definition)))
        texts[code] = ". ".join(parts)
    return texts


@dataclass
class Labelled:
    """Actions whose institution states links: their vectors, R-codes and institution."""
    vectors: np.ndarray
    codes: list[set[str]]
    institutions: list[str]


class LinkSuggester:
    def __init__(self, encoder, codes: list[str] | None = None):
        texts = recommendation_texts()
        self.codes = codes or list(texts)
        self.recommendation_vectors = encoder.encode([texts[c] for c in self.codes])
        self.model: LogisticRegression | None = None
        self.labelled: Labelled | None = None

    def zero_shot(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each action (row) with each recommendation (column)."""
        return vectors @ self.recommendation_vectors.T

    def _votes(self, vectors: np.ndarray, institutions: list[str],
               training: bool = False) -> np.ndarray:
        """Per action and recommendation: the similarity-weighted share of its nearest
        labelled actions that assert the recommendation. Never its own institution's
        (an institution's rows share labels and wording); while training with a
        single institution, which has no other, never the action itself."""
        labelled = self.labelled
        targets = np.array([[c in codes for c in self.codes] for codes in labelled.codes], float)
        similarity = vectors @ labelled.vectors.T
        votes = np.zeros((len(vectors), len(self.codes)))
        alone = training and len(set(labelled.institutions)) == 1
        for i, institution in enumerate(institutions):
            if alone:
                allowed = np.arange(len(labelled.codes)) != i
            else:
                allowed = np.array([other != institution for other in labelled.institutions])
            scores = np.where(allowed, similarity[i], -np.inf)
            best = np.argsort(-scores)[:NEIGHBOURS]
            best = best[np.isfinite(scores[best])]
            weights = np.clip(scores[best], 0, None)
            if weights.sum() > 0:
                votes[i] = weights @ targets[best] / weights.sum()
        return votes

    def _features(self, vectors: np.ndarray, institutions: list[str],
                  training: bool = False) -> np.ndarray:
        cosine = self.zero_shot(vectors)
        margin = cosine - cosine.max(axis=1, keepdims=True)
        votes = self._votes(vectors, institutions, training)
        return np.stack([cosine, margin, votes], axis=-1).reshape(-1, 3)

    def fit(self, labelled: Labelled) -> LinkSuggester:
        """Learn from the asserted links; each action's votes come from other
        institutions only, as they will for an institution never seen."""
        self.labelled = labelled
        features = self._features(labelled.vectors, labelled.institutions, training=True)
        targets = np.array([[c in codes for c in self.codes] for codes in labelled.codes]).ravel()
        self.model = LogisticRegression(C=1.0, max_iter=1000).fit(features, targets)
        return self

    def scores(self, vectors: np.ndarray, institutions: list[str]) -> np.ndarray:
        """Probability that each action (row) serves each recommendation (column)."""
        features = self._features(vectors, institutions)
        return self.model.predict_proba(features)[:, 1].reshape(len(vectors), len(self.codes))

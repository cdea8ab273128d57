"""Suggestions for an action: which TALENT summary recommendations (R1-R16) it
serves, and which pillars it belongs to.

Two methods, compared in benchmarks/bench_suggest.py:
- zero-shot: the cosine between the action's text and each concept's text (a
  recommendation's full text with the employer recommendations the crosswalk
  maps to it; a pillar's definition);
- learned: a logistic regression (scikit-learn) over (action, concept) pairs,
  whose features are the zero-shot cosine, its margin to the action's best
  cosine, and the vote of the most similar labelled actions of *other*
  institutions; for recommendations also the pillar prior (how much likelier
  the recommendation is among other institutions' labelled actions of the
  action's pillars than among all). Its probability is the suggestion's score;
  one model serves all concepts of a scheme, so a concept with few labelled
  actions still gets a score.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rdflib import URIRef
from rdflib.namespace import SKOS
from sklearn.linear_model import LogisticRegression

from kg.model import PILLARS
from kg.ontology import ontology_graph, recommendation_labels
from kg.vocab import TCID
from search import glossary

# 2: curated labels join the asserted links in training; 3: actions read widened;
# 4: the pillar prior
METHOD_VERSION = "tckg-suggest-4"
NEIGHBOURS = 10
# The pillar prior's smoothing: the base rates get one pseudo-count per concept,
# and a recommendation's rate among an action's pillars is pulled towards its base
# rate with the weight of four labelled actions (chosen before measuring; 0.5x to
# 8x this changed the main-code top-3 within 0.892-0.938, all above without it).
PRIOR_SMOOTHING = 1.0
PRIOR_WEIGHT = 4.0


def action_text(text: str) -> str:
    """What the suggesters read of an action (or a draft): its text widened by the
    sector glossary, so "PDA" reads as appraisal too. Each institution held out,
    main-code top-1 / top-3 / macro recall@3 0.600 / 0.800 / 0.722 -> 0.646 /
    0.846 / 0.899 (benchmarks/bench_suggest.py); widening the recommendations'
    texts as well lowered the asserted links' top-1 (0.608 -> 0.582)."""
    return glossary.widened(text)


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
    """Labelled actions: their vectors, which concepts each carries (a boolean
    row per action, a column per concept), their institutions, and their pillars
    (a boolean row per action, a column per pillar; no columns where unused)."""
    vectors: np.ndarray
    targets: np.ndarray
    institutions: list[str]
    pillars: np.ndarray


def pillar_texts() -> dict[str, str]:
    """Pillar label -> "Label: definition"."""
    graph = ontology_graph()
    texts = {}
    for concept in sorted(graph.subjects(SKOS.inScheme, TCID["scheme-pillars"])):
        label = str(graph.value(concept, SKOS.prefLabel))
        texts[label] = f"{label}: {graph.value(concept, SKOS.definition)}"
    return texts


class ConceptSuggester:
    """Scores actions against the concepts of one scheme (texts: concept -> text)."""

    # The pillars a scheme's features read (none: the pillar suggester predicts them)
    pillar_names: tuple[str, ...] = ()

    def __init__(self, encoder, texts: dict[str, str]):
        self.codes = list(texts)
        self.concept_vectors = encoder.encode([texts[c] for c in self.codes])
        self.model: LogisticRegression | None = None
        self.labelled: Labelled | None = None

    def zero_shot(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each action (row) with each concept (column)."""
        return vectors @ self.concept_vectors.T

    def _others(self, institutions: list[str | None], training: bool) -> np.ndarray:
        """Per action (row), which labelled actions (columns) may inform it: never
        its own institution's (an institution's rows share labels and wording);
        while training with a single institution, which has no other, never the
        action itself."""
        labelled = np.array(self.labelled.institutions, dtype=object)
        if training and len(set(self.labelled.institutions)) == 1:
            return ~np.eye(len(institutions), len(labelled), dtype=bool)
        return np.array([labelled != institution for institution in institutions]).reshape(
            len(institutions), len(labelled))

    def _votes(self, vectors: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Per action and concept: the similarity-weighted share of its nearest
        allowed labelled actions that carry the concept."""
        labelled = self.labelled
        similarity = vectors @ labelled.vectors.T
        votes = np.zeros((len(vectors), len(self.codes)))
        for i, allowed in enumerate(others):
            scores = np.where(allowed, similarity[i], -np.inf)
            best = np.argsort(-scores)[:NEIGHBOURS]
            best = best[np.isfinite(scores[best])]
            weights = np.clip(scores[best], 0, None)
            if weights.sum() > 0:
                votes[i] = weights @ labelled.targets[best] / weights.sum()
        return votes

    def _extra(self, others: np.ndarray, pillars: np.ndarray) -> list[np.ndarray]:
        """Further (action x concept) features; a scheme adds its own."""
        return []

    def _features(self, vectors: np.ndarray, institutions: list[str | None],
                  pillars: np.ndarray, training: bool = False) -> np.ndarray:
        cosine = self.zero_shot(vectors)
        margin = cosine - cosine.max(axis=1, keepdims=True)
        others = self._others(institutions, training)
        columns = [cosine, margin, self._votes(vectors, others), *self._extra(others, pillars)]
        return np.stack(columns, axis=-1).reshape(-1, len(columns))

    def pillar_matrix(self, pillars: list[list[str]] | None, rows: int) -> np.ndarray:
        """The actions' pillars as a boolean matrix over `pillar_names` (all False
        where unknown: a draft, or no pillars given)."""
        names = self.pillar_names
        if pillars is None:
            return np.zeros((rows, len(names)), dtype=bool)
        return np.array([[n in given for n in names] for given in pillars], dtype=bool).reshape(
            rows, len(names))

    def fit(self, vectors: np.ndarray, codes: list[set[str]], institutions: list[str],
            pillars: list[list[str]] | None = None) -> ConceptSuggester:
        """Learn from labelled actions (their vectors, the concepts each carries,
        their institutions, their pillars); each action's features come from
        other institutions only, as they will for an institution never seen."""
        targets = np.array([[c in labels for c in self.codes] for labels in codes])
        matrix = self.pillar_matrix(pillars, len(vectors))
        self.labelled = Labelled(vectors, targets, list(institutions), matrix)
        features = self._features(vectors, institutions, matrix, training=True)
        self.model = LogisticRegression(C=1.0, max_iter=1000).fit(features, targets.ravel())
        return self

    def scores(self, vectors: np.ndarray, institutions: list[str | None],
               pillars: list[list[str]] | None = None) -> np.ndarray:
        """Probability that each action (row) serves each concept (column); an action
        of no known institution (None: a draft) hears every labelled action, and
        one of no known pillars gets no pillar prior."""
        features = self._features(vectors, institutions, self.pillar_matrix(pillars, len(vectors)))
        return self.model.predict_proba(features)[:, 1].reshape(len(vectors), len(self.codes))

    def save(self, path: Path) -> None:
        """The fitted state as plain arrays in one .npz (no pickle)."""
        np.savez(path, codes=np.array(self.codes), concept_vectors=self.concept_vectors,
                 coef=self.model.coef_, intercept=self.model.intercept_,
                 vectors=self.labelled.vectors, targets=self.labelled.targets,
                 institutions=np.array(self.labelled.institutions),
                 pillars=self.labelled.pillars)

    @classmethod
    def load(cls, path: Path) -> ConceptSuggester:
        with np.load(path, allow_pickle=False) as saved:
            suggester = cls.__new__(cls)
            suggester.codes = [str(c) for c in saved["codes"]]
            suggester.concept_vectors = saved["concept_vectors"]
            suggester.labelled = Labelled(saved["vectors"], saved["targets"],
                                          [str(i) for i in saved["institutions"]], saved["pillars"])
            model = LogisticRegression()
            model.coef_, model.intercept_ = saved["coef"], saved["intercept"]
            model.classes_, model.n_features_in_ = np.array([False, True]), saved["coef"].shape[1]
            suggester.model = model
        return suggester


class LinkSuggester(ConceptSuggester):
    """Recommendations, with the pillar prior as a fourth feature."""

    pillar_names = PILLARS

    def __init__(self, encoder):
        super().__init__(encoder, recommendation_texts())

    def _extra(self, others: np.ndarray, pillars: np.ndarray) -> list[np.ndarray]:
        return [pillar_prior(self.labelled, others, pillars)]


class PillarSuggester(ConceptSuggester):
    def __init__(self, encoder):
        super().__init__(encoder, pillar_texts())


def pillar_prior(labelled: Labelled, others: np.ndarray, pillars: np.ndarray) -> np.ndarray:
    """Per action and recommendation: log(rate among the allowed labelled actions
    that share the action's pillars / rate among all allowed), both smoothed.
    A labelled action counts by the share of its pillars that are the action's,
    so one filed under all four pillars says little about any. An action with no
    pillars (a draft) gets 0: no evidence either way. Learnt afresh from the
    labelled actions each action may hear (never its own institution's)."""
    targets = labelled.targets.astype(float)
    overlap = pillars.astype(float) @ labelled.pillars.T.astype(float)
    shares = overlap / np.maximum(labelled.pillars.sum(axis=1), 1)
    concepts = targets.shape[1]
    prior = np.zeros((len(pillars), concepts))
    for i, allowed in enumerate(others):
        base = (targets[allowed].sum(axis=0) + PRIOR_SMOOTHING) / (
            allowed.sum() + PRIOR_SMOOTHING * concepts)
        weights = np.where(allowed, shares[i], 0.0)
        rate = (weights @ targets + PRIOR_WEIGHT * PRIOR_SMOOTHING * base) / (
            weights.sum() + PRIOR_WEIGHT * PRIOR_SMOOTHING)
        prior[i] = np.log(rate / base)
    return prior

"""The plan author's assistant: for a draft action, the pillars and TALENT
recommendations it suggests (with scores) and the most similar actions elsewhere."""
from __future__ import annotations

import numpy as np

from kg.ontology import recommendation_labels
from search.engine import Searcher, check_query
from search.suggest import Labelled, LinkSuggester, PillarSuggester

RECOMMENDATIONS_SHOWN = 5


class Assistant:
    """Suggesters fitted on every action in the index: recommendations on the
    links institutions assert, pillars on all actions' pillars."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        encoder, documents = searcher.encoder, searcher.documents
        vectors = encoder.encode([d.text for d in documents])
        linked = [i for i, d in enumerate(documents)
                  if any(c.startswith("R") for c in d.recommendation_closure)]
        self.links = LinkSuggester(encoder).fit(Labelled(
            vectors[linked],
            [{c for c in documents[i].recommendation_closure if c.startswith("R")} for i in linked],
            [documents[i].institution for i in linked]))
        self.pillars = PillarSuggester(encoder).fit(Labelled(
            vectors, [set(d.pillars) for d in documents], [d.institution for d in documents]))
        self.labels = recommendation_labels()

    def suggest(self, text: str, limit: int = 5) -> dict:
        text = check_query(text)
        vector = self.searcher.encoder.encode([text])
        pillar_scores = self.pillars.scores(vector, [None])[0]
        link_scores = self.links.scores(vector, [None])[0]
        return {
            "pillars": [{"label": self.pillars.codes[i], "score": round(float(pillar_scores[i]), 4)}
                        for i in np.argsort(-pillar_scores)],
            "recommendations": [
                {"code": self.links.codes[i], "label": self.labels[self.links.codes[i]],
                 "score": round(float(link_scores[i]), 4)}
                for i in np.argsort(-link_scores)[:RECOMMENDATIONS_SHOWN]],
            "similar": self.searcher.search(text, limit),
        }

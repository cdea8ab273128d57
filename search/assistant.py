"""The plan author's assistant: for a draft action, the pillars and TALENT
recommendations it suggests (with scores) and the most similar actions elsewhere.
It uses the suggesters `tckg build` fitted, so it answers at once."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kg.ontology import recommendation_labels
from search.engine import Searcher, check_query
from search.linking import Suggesters
from search.suggest import action_text

if TYPE_CHECKING:  # validation's imports (pySHACL) are not needed to suggest
    from kg.validate import Report

RECOMMENDATIONS_SHOWN = 5


class Assistant:
    def __init__(self, searcher: Searcher, suggesters: Suggesters):
        self.searcher, self.suggesters = searcher, suggesters
        self.labels = recommendation_labels()

    @classmethod
    def open(cls, home: Path) -> Assistant:
        searcher = Searcher.open(home)
        return cls(searcher, Suggesters.load(home, searcher.index.manifest["model"]))

    def suggest(self, text: str, limit: int = 5) -> dict:
        """A draft belongs to no institution yet: every labelled action votes."""
        text = check_query(text)
        # The draft read as the suggesters read an action; search widens its query
        # the same way, so the vector is encoded once for both.
        vector = self.searcher.query_vector(action_text(text))[None, :]
        pillars, links = self.suggesters.pillars, self.suggesters.links
        pillar_scores = pillars.scores(vector, [None])[0]
        link_scores = links.scores(vector, [None])[0]
        return {
            "pillars": [{"label": pillars.codes[i], "score": round(float(pillar_scores[i]), 4)}
                        for i in np.argsort(-pillar_scores)],
            "recommendations": [
                {"code": links.codes[i], "label": self.labels[links.codes[i]],
                 "score": round(float(link_scores[i]), 4)}
                for i in np.argsort(-link_scores)[:RECOMMENDATIONS_SHOWN]],
            "similar": self.searcher.search(text, limit),
        }

    def exemplars_for(self, report: Report) -> dict:
        """Other institutions' best actions for each recommendation and pillar
        the submitted plan leaves unaddressed (search/exemplars.py)."""
        from search.exemplars import peer_exemplars

        return peer_exemplars(self.searcher, self.suggesters, report.not_addressed, report.institution)

    def pillars_for(self, report: Report) -> list[dict]:
        """For each action of a submitted plan that has no pillar, the pillars its
        text suggests, best first: [{"focus", "action_id", "row", "pillars"}]."""
        focus = [f for f, text in report.without_pillar.items() if text.strip()]
        if not focus:
            return []
        vectors = self.searcher.encoder.encode([action_text(report.without_pillar[f]) for f in focus])
        scores = self.suggesters.pillars.scores(vectors, [None] * len(focus))
        where = {r.focus: {"action_id": r.action_id, "row": r.row} for r in report.results}
        labels = self.suggesters.pillars.codes
        return [{"focus": f, **where.get(f, {"action_id": None, "row": None}),
                 "pillars": [{"label": labels[j], "score": round(float(row[j]), 4)}
                             for j in np.argsort(-row)]}
                for f, row in zip(focus, scores)]


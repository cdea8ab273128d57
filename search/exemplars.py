"""Peer exemplars: for each TALENT recommendation (R1-R16) and pillar a plan does
not address, the best few actions other institutions have for it, so an author
sees what peers do where the plan is silent.

Actions whose institution links them to the recommendation (directly or through
the crosswalk), or gives them the pillar, come first, best matching the
concept's own text first; then actions the machine links to it at or above the
suggestion threshold, highest score first. Within each kind, one action per
institution before a second from any, so the few shown are varied.
"""
from __future__ import annotations

import faiss

from kg.ontology import recommendation_labels
from kg.suggested import THRESHOLD
from kg.vocab import short_id

SHOWN = 3


def peer_exemplars(searcher, suggesters, not_addressed: dict, institution: str | None,
                   shown: int = SHOWN) -> dict:
    """{"recommendations": [{"code", "label", "actions"}], "pillars": [{"label", "actions"}]}."""
    docs = searcher.documents
    index = searcher.index.vectors
    vectors = faiss.downcast_index(index.index).reconstruct_n(0, index.ntotal)
    links, pillars = suggesters.links, suggesters.pillars
    link_cosines, pillar_cosines = links.zero_shot(vectors), pillars.zero_shot(vectors)
    others = [i for i, d in enumerate(docs) if d.institution != institution]
    labels = recommendation_labels()
    out = {"recommendations": [], "pillars": []}
    for code in not_addressed.get("recommendations", []):
        if code not in links.codes:
            continue
        cosine = link_cosines[:, links.codes.index(code)]
        asserted = sorted((i for i in others if code in docs[i].recommendation_closure),
                          key=lambda i: -cosine[i])
        scored = {i: _score(docs[i], code) for i in others if i not in set(asserted)}
        suggested = sorted((i for i, s in scored.items() if s >= THRESHOLD), key=lambda i: -scored[i])
        picks = (_varied([(i, "asserted", None) for i in asserted], docs, shown)
                 + _varied([(i, "suggested", scored[i]) for i in suggested], docs, shown))[:shown]
        out["recommendations"].append({"code": code, "label": labels.get(code, code),
                                       "actions": [_action(docs[i], how, s) for i, how, s in picks]})
    for label in not_addressed.get("pillars", []):
        cosine = pillar_cosines[:, pillars.codes.index(label)]
        asserted = sorted((i for i in others if label in docs[i].pillars), key=lambda i: -cosine[i])
        picks = _varied([(i, "asserted", None) for i in asserted], docs, shown)
        out["pillars"].append({"label": label,
                               "actions": [_action(docs[i], how, s) for i, how, s in picks]})
    return out


def _score(doc, code: str) -> float:
    return max((s["score"] for s in doc.suggested if s["code"] == code), default=0.0)


def _varied(candidates: list[tuple], docs, shown: int) -> list[tuple]:
    """The best `shown`, one per institution first, in the candidates' order."""
    firsts, seconds, seen = [], [], set()
    for candidate in candidates:
        name = docs[candidate[0]].institution
        (seconds if name in seen else firsts).append(candidate)
        seen.add(name)
    return (firsts + seconds)[:shown]


def _action(doc, link: str, score: float | None) -> dict:
    return {"action": doc.action, "id": short_id(doc.action), "institution": doc.institution,
            "text": doc.text, "link": link, "score": None if score is None else round(score, 4)}


"""Search filters, resolved to the set of documents a ranking may return.

Filters apply before ranking, so `limit=K` gives K results whenever K documents
pass. A value that names nothing is refused with the values that exist, rather
than quietly returning nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from kg.ontology import recommendation_labels, scheme_labels
from kg.suggested import LINKS, THRESHOLD
from kg.vocab import slugify
from search.documents import Document


class FilterError(ValueError):
    """A filter value that names nothing the graph knows."""


@dataclass(frozen=True)
class Filters:
    institution: str | None = None     # name or slug: "Northumbria University", "northumbria"
    pillar: str | None = None          # label or slug: "Career Development", "career-development"
    recommendation: str | None = None  # TALENT code: "R5", "E3" (asserted, or via the crosswalk)
    links: str | None = None           # which links `recommendation` matches: LINKS, default asserted
    min_score: float | None = None     # a suggested link's least score, default THRESHOLD
    owner_type: str | None = None      # stakeholder type label or slug: "Human resources"
    due_from: date | None = None       # deadline on or after
    due_to: date | None = None         # deadline on or before

    def is_empty(self) -> bool:
        return all(v is None for v in vars(self).values())


def _pick(value: str, choices: dict[str, str], what: str) -> str:
    """The canonical choice for a value given by label or slug, case-insensitively."""
    wanted = slugify(value)
    for key, canonical in choices.items():
        if wanted in (slugify(key), slugify(canonical)):
            return canonical
    listed = ", ".join(sorted(set(choices.values()), key=str.lower))
    raise FilterError(f"unknown {what} {value!r}; known values: {listed}")


def allowed_positions(documents: list[Document], filters: Filters) -> np.ndarray | None:
    """Positions of the documents that pass every filter; None when none is set."""
    if filters.is_empty():
        return None
    if filters.recommendation is None and (filters.links or filters.min_score is not None):
        raise FilterError("links and min_score say how a recommendation filter matches: "
                          "give a recommendation too")
    if filters.due_from and filters.due_to and filters.due_from > filters.due_to:
        raise FilterError(f"due_from {filters.due_from} is after due_to {filters.due_to}")
    tests = []
    if filters.institution is not None:
        names = {d.institution_iri.rsplit("/", 1)[-1]: d.institution for d in documents}
        name = _pick(filters.institution, names, "institution")
        tests.append(lambda d: d.institution == name)
    if filters.pillar is not None:
        pillar = _pick(filters.pillar, {v: v for v in scheme_labels("scheme-pillars").values()},
                       "pillar")
        tests.append(lambda d: pillar in d.pillars)
    if filters.recommendation is not None:
        code = _pick(filters.recommendation, {c: c for c in recommendation_labels()},
                     "recommendation code")
        tests.append(_link_test(code, filters))
    if filters.owner_type is not None:
        types = scheme_labels("scheme-stakeholder-types").values()
        owner_type = _pick(filters.owner_type, {v: v for v in types}, "owner type")
        tests.append(lambda d: owner_type in d.owner_types)
    if filters.due_from is not None:
        tests.append(lambda d: bool(d.due_by) and d.due_by >= filters.due_from.isoformat())
    if filters.due_to is not None:
        tests.append(lambda d: bool(d.due_by) and d.due_by <= filters.due_to.isoformat())
    return np.array([i for i, d in enumerate(documents) if all(t(d) for t in tests)],
                    dtype=np.int64)


def _link_test(code: str, filters: Filters):
    """Does a document link to `code` the way the filter asks: as its institution
    states (with the crosswalk), as the machine suggests at or above the least
    score, or either way."""
    links = filters.links or "asserted"
    if links not in LINKS:
        raise FilterError(f"unknown links {links!r}; known values: {', '.join(LINKS)}")
    least = THRESHOLD if filters.min_score is None else filters.min_score
    if not 0 <= least <= 1:
        raise FilterError(f"min_score {least} is outside 0-1")
    asserted = links in ("asserted", "any")
    suggested = links in ("suggested", "any")
    return lambda d: ((asserted and code in d.recommendation_closure)
                      or (suggested and code in d.suggested_codes(least)))


NO_FILTERS = Filters()

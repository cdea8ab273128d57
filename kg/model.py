"""The plan model: plain dataclasses that parsers fill and the RDF builder reads.

Nothing here knows RDF or any source format. Fields hold what a source says;
where a value was normalised (a date, a pillar, an owner's initials) the
source's own wording is kept beside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

PILLARS = ("Visibility", "Recognition", "Career Development", "Sustainability")


@dataclass(frozen=True)
class Deadline:
    """A deadline at the precision the source gives: 'YYYY-MM-DD' or 'YYYY-MM'."""

    value: str
    wording: str
    start: str | None = None  # where a timeframe also says when work starts

    @property
    def is_month(self) -> bool:
        return len(self.value) == 7


@dataclass
class Action:
    local_id: str
    text: str  # the whole action text, cleaned of markup
    source_text: str  # exactly as in the source
    lines: tuple[int, int]  # first and last source line, 1-based
    parent_id: str | None = None
    title: str | None = None
    pillars: list[str] = field(default_factory=list)
    pillar_wording: str | None = None
    recommendations: list[str] = field(default_factory=list)  # asserted codes: R5, E3
    talent_link_stated: bool = False  # "linked to TALENT" without saying which
    mentioned_in_feedback: bool = False
    deadline: Deadline | None = None
    owners: list[str] = field(default_factory=list)  # names, abbreviations expanded
    owner_wording: str | None = None
    success_measures: list[str] = field(default_factory=list)
    status: str | None = None  # the source's status wording; the builder normalises it
    status_code: str | None = None  # a status given as a code (the CSV template's column)
    progress: str | None = None
    comment: str | None = None
    supporting_actions: str | None = None
    institutional_goal: str | None = None
    iri_key: str | None = None  # names the action's IRI when ids may clash (a submitted CSV row)


@dataclass
class Plan:
    slug: str  # stable short name used in IRIs
    institution: str
    title: str
    source_file: str
    period_start: str | None = None  # YYYY-MM
    period_end: str | None = None
    period_wording: str | None = None
    actions: list[Action] = field(default_factory=list)

    def leaf_actions(self) -> list[Action]:
        parents = {a.parent_id for a in self.actions if a.parent_id}
        return [a for a in self.actions if a.local_id not in parents]


class UnreadablePlan(ValueError):
    """A submitted plan that cannot be read at all; the message says why."""


class SourceError(ValueError):
    """A source file that does not have the shape its parser expects."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = path, line

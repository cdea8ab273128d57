"""Coverage: institutions x recommendations (R1-R16 or E1-E23) or x pillars, each
cell the number of actions that address it, asserted and suggested apart.

Counted over the search documents (what /search filters on), so a cell's number
is the number of results its link lists; the R1-R16 counts equal the example
queries coverage-matrix.rq and coverage-matrix-suggested.rq (tested).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from statistics import median

from kg.ontology import recommendation_labels, scheme_labels
from kg.suggested import THRESHOLD
from search.documents import Document

SCHEMES = {"R": "TALENT summary recommendations R1-R16",
           "E": "TALENT recommendations to employers E1-E23",
           "pillars": "Technician Commitment pillars"}


@dataclass
class Cell:
    asserted: int = 0    # actions the institution links (R: directly or via the crosswalk)
    suggested: int = 0   # actions the machine links at or above the threshold (R only)


@dataclass
class Row:
    institution: str     # its name
    iri: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Coverage:
    scheme: str
    columns: list[tuple[str, str]]   # (code or pillar, label)
    rows: list[Row]
    threshold: float

    @property
    def most(self) -> int:
        return max((c.asserted for r in self.rows for c in r.cells), default=0)

    def medians(self, institution_iri: str, kind: str = "asserted") -> list[float]:
        """Per column, the other institutions' median count of actions
        (`kind`: "asserted" or "suggested")."""
        others = [r for r in self.rows if r.iri != institution_iri]
        return [median(getattr(r.cells[i], kind) for r in others) if others else 0
                for i in range(len(self.columns))]


def columns(scheme: str) -> list[tuple[str, str]]:
    if scheme == "pillars":
        return [(label, label) for label in scheme_labels("scheme-pillars").values()]
    return [(code, label) for code, label in recommendation_labels().items()
            if code.startswith(scheme)]


def coverage(documents: list[Document], scheme: str = "R",
             threshold: float = THRESHOLD) -> Coverage:
    """The table for one scheme ("R", "E" or "pillars"); unknown schemes raise KeyError."""
    SCHEMES[scheme]
    cols = columns(scheme)
    rows: dict[str, Row] = {}
    for doc in sorted(documents, key=lambda d: d.institution):
        row = rows.setdefault(doc.institution_iri, Row(doc.institution, doc.institution_iri,
                                                       [Cell() for _ in cols]))
        asserted = set(doc.pillars if scheme == "pillars" else doc.recommendation_closure)
        suggested = set(doc.suggested_codes(threshold)) if scheme == "R" else set()
        for cell, (code, _) in zip(row.cells, cols):
            cell.asserted += code in asserted
            cell.suggested += code in suggested
    return Coverage(scheme, cols, list(rows.values()), threshold)


def to_csv(table: Coverage) -> str:
    """One line per institution and column: the table a script can read."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["institution", "code", "label", "asserted_actions",
                     "suggested_actions", "min_score"])
    for row in table.rows:
        for (code, label), cell in zip(table.columns, row.cells):
            writer.writerow([row.institution, code, label, cell.asserted,
                             cell.suggested if table.scheme == "R" else "",
                             table.threshold if table.scheme == "R" else ""])
    return out.getvalue()

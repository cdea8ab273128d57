"""The CSV plan template, for people who do not write RDF, read into the plan model.

Header row, UTF-8 (a byte-order mark is allowed), RFC 4180 quoting, one row per
action. Structural problems (not UTF-8, no header, a missing column) make the
file unreadable; problems with values (an unknown pillar, a code like R17, a
date like 2024-13, a duplicate id) are left for the SHACL shapes to report, so
that CSV, Turtle and JSON-LD plans go through one validation path.
"""
from __future__ import annotations

import csv
import io
import re

from kg.limits import CSV_CELL_CHARS, CSV_COLUMNS, CSV_ROWS
from kg.model import PILLARS, Action, Deadline, Plan, UnreadablePlan
from kg.text import split_owners
from kg.vocab import slugify

COLUMNS = ("id", "parent", "action", "pillars", "recommendations", "owner", "due",
           "success_measure", "status")
REQUIRED = ("id", "action", "pillars")


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _pillar(name: str) -> str:
    """The canonical pillar name, matched ignoring case; other names pass through
    for the shapes to refuse."""
    return next((p for p in PILLARS if p.lower() == name.lower()), name)


def read_csv_plan(data: bytes, institution: str | None = None, title: str | None = None,
                  start: str | None = None, end: str | None = None) -> Plan:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadablePlan(f"the CSV is not UTF-8 (byte {err.start}): save it as UTF-8") from None
    if not text.strip():
        raise UnreadablePlan("the CSV file is empty: it needs a header row and one row per action")
    if not institution:
        raise UnreadablePlan("a CSV plan needs the institution's name (the institution field: "
                            "--institution on the command line, ?institution= over HTTP)")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as err:
        raise UnreadablePlan(f"the CSV header does not parse: {err}") from None
    if len(header) > CSV_COLUMNS.value():
        raise UnreadablePlan(f"the CSV header has {len(header):,} columns (limit "
                             f"{CSV_COLUMNS.value():,}, {CSV_COLUMNS.env})")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UnreadablePlan(f"the CSV header lacks the required column(s) {', '.join(missing)}; "
                             f"the template's columns are: {', '.join(COLUMNS)}")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise UnreadablePlan(f"unknown column(s) {', '.join(unknown)}; the template's columns are: "
                             f"{', '.join(COLUMNS)}")
    reader.fieldnames = header
    plan = Plan(slug=slugify(institution) or "submitted", institution=institution,
                title=title or "", source_file="", period_start=start, period_end=end)
    try:
        for number, row in enumerate(reader, start=2):
            _within_limits(row, number)
            plan.actions.append(_action(row, number))
    except csv.Error as err:
        raise UnreadablePlan(f"the CSV does not parse at line {reader.line_num}: {err}") from None
    return plan


def _within_limits(row: dict, number: int) -> None:
    """Refuse a row past the row limit, or with a cell past the cell limit."""
    if number - 1 > CSV_ROWS.value():
        raise UnreadablePlan(f"the CSV has more than {CSV_ROWS.value():,} rows "
                             f"(limit {CSV_ROWS.value():,}, {CSV_ROWS.env})")
    cells = [v for v in row.values() if isinstance(v, str)] + list(row.get(None) or [])
    longest = max(map(len, cells), default=0)
    if longest > CSV_CELL_CHARS.value():
        raise UnreadablePlan(f"row {number} has a cell of {longest:,} characters "
                             f"(limit {CSV_CELL_CHARS.value():,}, {CSV_CELL_CHARS.env})")


def _action(row: dict, number: int) -> Action:
    cell = {k: (v or "").strip() for k, v in row.items() if k}
    if None in row:
        raise UnreadablePlan(f"row {number} has more cells than the header has columns")
    due = cell.get("due", "")
    owners = cell.get("owner", "")
    return Action(
        local_id=cell.get("id", ""),
        iri_key=f"row-{number}",
        parent_id=cell.get("parent") or None,
        text=re.sub(r"\s+", " ", cell.get("action", "")),
        source_text=cell.get("action", ""),
        lines=(number, number),
        pillars=[_pillar(p) for p in _split(cell.get("pillars", ""))],
        recommendations=[c.upper() for c in _split(cell.get("recommendations", ""))],
        deadline=Deadline(due, due) if due else None,
        owners=[n for part in _split(owners) for n in split_owners(part)] if owners else [],
        owner_wording=owners or None,
        success_measures=[cell["success_measure"]] if cell.get("success_measure") else [],
        status=cell.get("status") or None,
        status_code=cell.get("status") or None,
    )

"""The CSV plan template, for people who do not write RDF, read into the plan model.

Header row, UTF-8 (a byte-order mark is allowed), RFC 4180 quoting, one row per
action. Structural problems (not UTF-8, no header, a missing column, a code that
can make no IRI) make the file unreadable; problems with values (an unknown
pillar, a code like R17, a date like 2024-13, a duplicate id) are left for the
SHACL shapes to report, so that CSV, Turtle and JSON-LD plans go through one
validation path.

A plan typed in a spreadsheet is read as its author meant it, where that is not
in doubt: column names in any case, with spaces for underscores and the usual
singular or plural ("Pillar", "Success measures", "Deadline"); pillars and
codes separated by commas as well as semicolons; a deadline written as "June 2025", "30 June 2025" or
"30/06/2025" (day first, as UK dates are) kept as written and read as the date.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from kg.limits import CSV_CELL_CHARS, CSV_COLUMNS, CSV_ROWS
from kg.model import Action, Deadline, Plan, UnreadablePlan
from kg.ontology import pillars
from kg.text import find_dates, split_owners
from kg.vocab import PILLAR_IRIS, slugify

COLUMNS = ("id", "parent", "action", "pillars", "recommendations", "owner", "due",
           "success_measure", "status", "progress", "title", "comment")
REQUIRED = ("id", "action", "pillars")
# Other names a spreadsheet gives the template's columns (after _column_key).
ALIASES = {"pillar": "pillars", "recommendation": "recommendations", "owners": "owner",
           "deadline": "due", "due_date": "due", "success_measures": "success_measure",
           "comments": "comment", "notes": "comment"}
# What a TALENT code may hold and still name an IRI: R17 or X5 reach the shapes,
# "E15 for a route" cannot.
_CODE = re.compile(r"[A-Za-z0-9._-]+")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_WORDED_DATE = re.compile(r"(\d{1,2}(st|nd|rd|th)?\s+)?[A-Za-z]{3,9}\.?\s+\d{4}")


def _column_key(name: str) -> str:
    key = re.sub(r"[\s_-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def _split(cell: str, separators: str = ";,") -> list[str]:
    return [part.strip() for part in re.split(f"[{separators}]", cell) if part.strip()]


def _pillar(name: str) -> str:
    """The canonical name of the pillar one of whose labels (in ontology/, any
    case) is the name: "Recognised", "career pathways"; other names pass through
    for the shapes to refuse."""
    concept = pillars().named(name)
    return next((p for p, iri in PILLAR_IRIS.items() if iri == concept), name)


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
        reader.fieldnames = _header([h.strip() for h in reader.fieldnames or []])
    except csv.Error as err:
        raise UnreadablePlan(f"the CSV header does not parse: {err}") from None
    plan = Plan(slug=slugify(institution) or "submitted", institution=institution,
                title=title or "", source_file="", period_start=start, period_end=end)
    try:
        for number, row in enumerate(reader, start=2):
            _within_limits(row, number)
            plan.actions.append(_action(row, number))
    except csv.Error as err:
        # line_num still counts the lines of the rows read before: the failing
        # row starts on the next line.
        raise UnreadablePlan(f"the CSV does not parse in the row starting at line "
                             f"{reader.line_num + 1}: {err}") from None
    return plan


def _header(names: list[str]) -> list[str]:
    """The template's name for each column, or a refusal that says which is wrong."""
    if len(names) > CSV_COLUMNS.value():
        raise UnreadablePlan(f"the CSV header has {len(names):,} columns (limit "
                             f"{CSV_COLUMNS.value():,}, {CSV_COLUMNS.env})")
    keys = [_column_key(n) for n in names]
    template = f"the template's columns are: {', '.join(COLUMNS)}"
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise UnreadablePlan(f"the CSV header lacks the required column(s) {', '.join(missing)}; "
                             + template)
    unknown = [n for n, k in zip(names, keys) if k not in COLUMNS]
    if unknown:
        raise UnreadablePlan(f"unknown column(s) {', '.join(unknown)}; rename or remove them: "
                             + template)
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise UnreadablePlan(f"more than one column for {', '.join(twice)} "
                             f"({', '.join(n for n, k in zip(names, keys) if k in twice)}); keep one")
    return keys


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
    codes = _split(cell.get("recommendations", ""))
    for code in codes:
        if not _CODE.fullmatch(code):
            raise UnreadablePlan(f"row {number}: the recommendation {code[:60]!r} is not a "
                                 "code (R1-R16, E1-E23); separate codes with ';'")
    return Action(
        local_id=cell.get("id", ""),
        iri_key=f"row-{number}",
        parent_id=cell.get("parent") or None,
        text=re.sub(r"\s+", " ", cell.get("action", "")),
        source_text=cell.get("action", ""),
        lines=(number, number),
        pillars=[_pillar(p) for p in _split(cell.get("pillars", ""))],
        recommendations=[c.upper() for c in codes],
        deadline=Deadline(_date(due), due) if due else None,
        owners=[n for part in _split(owners, ";") for n in split_owners(part)] if owners else [],
        owner_wording=owners or None,
        success_measures=[cell["success_measure"]] if cell.get("success_measure") else [],
        status=cell.get("status") or None,
        status_code=cell.get("status") or None,
        progress=cell.get("progress") or None,
        title=cell.get("title") or None,
        comment=cell.get("comment") or None,
    )


def _date(due: str) -> str:
    """The deadline as YYYY-MM or YYYY-MM-DD when the cell is one real date in words
    or day first with slashes; otherwise as written, for the shapes to judge."""
    read = None
    if uk := _UK_DATE.fullmatch(due):
        day, month, year = map(int, uk.groups())
        read = f"{year:04d}-{month:02d}-{day:02d}"
    elif _WORDED_DATE.fullmatch(due) and len(found := find_dates(due)) == 1:
        read = found[0][1]
    if read is None:
        return due
    try:
        date.fromisoformat(read if len(read) == 10 else f"{read}-01")
    except ValueError:  # 31/02/2025: shown to the author as they wrote it
        return due
    return read

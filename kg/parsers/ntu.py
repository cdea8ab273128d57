"""NTU's shape: a tab-separated table (Action, TC Theme, Success Criteria,
Timescale, Progress, Responsible, Comments) whose cells hold HTML lists and wrap
onto continuation lines.

A continuation line is one with no theme and no timescale: its cells are joined
to the same cells of the row above (the export wrapped a long cell, or a page
break cut it). Lists inside a cell stay part of that cell's field.
"""
from __future__ import annotations

from kg.model import Action, Deadline, SourceError
from kg.parsers.common import pillars_named
from kg.text import clean, find_dates, month_end, split_owners

COLUMNS = 7
ACTION, THEME, SUCCESS, TIMESCALE, PROGRESS, RESPONSIBLE, COMMENTS = range(COLUMNS)


def parse(lines: list[str], path: str, meta: dict) -> list[Action]:
    rows = _rows(lines, path)
    return [_action(str(n), cells, span) for n, (span, cells) in enumerate(rows, start=1)]


def _rows(lines, path):
    header = next((i for i, line in enumerate(lines) if line.startswith("Action\tTC Theme")), None)
    if header is None:
        raise SourceError(path, 1, "no table header 'Action<TAB>TC Theme...' found")
    rows: list[tuple[list[int], list[str]]] = []
    for no, line in enumerate(lines[header + 1:], start=header + 2):
        if not line.strip():
            continue
        cells = (line.split("\t") + [""] * COLUMNS)[:COLUMNS]
        if len(line.split("\t")) != COLUMNS:
            raise SourceError(path, no, f"expected {COLUMNS} tab-separated cells")
        if not cells[THEME].strip() and not cells[TIMESCALE].strip():
            if not rows:
                raise SourceError(path, no, "a continuation line before the first row")
            span, prev = rows[-1]
            span[1] = no
            rows[-1] = (span, [f"{a}\n{b}".strip() if b.strip() else a for a, b in zip(prev, cells)])
        else:
            rows.append(([no, no], cells))
    return rows


def _action(local_id, cells, span) -> Action:
    timescale = cells[TIMESCALE].strip()
    dates = [v for _, v in find_dates(timescale)]
    owners = clean(cells[RESPONSIBLE])
    return Action(
        local_id=local_id,
        text=clean(cells[ACTION]),
        source_text=cells[ACTION],
        lines=(span[0], span[1]),
        pillars=pillars_named(cells[THEME]),
        pillar_wording=cells[THEME].strip(),
        # Several dates: the plan's last milestone for the action is its deadline.
        deadline=Deadline(max(dates, key=month_end), timescale) if dates else None,
        owners=split_owners(owners) if owners else [],
        owner_wording=owners or None,
        success_measures=[clean(cells[SUCCESS])] if clean(cells[SUCCESS]) else [],
        status=clean(cells[PROGRESS]) or None,
        progress=clean(cells[PROGRESS]) or None,
        comment=clean(cells[COMMENTS]) or None,
    )

"""Manchester Met's shape: rows keyed by the 23 numbered TALENT recommendations
to employers (then 3 institutional goals), each with a cell of <p> actions and
four tick columns for the pillars.

One action per <p> paragraph, or per plain cell. A row cut by a page break goes
on in a line with the same number and an empty recommendation cell; its actions
continue the row's numbering and its ticks count for the whole row. An empty
tick cell is an unticked pillar.
"""
from __future__ import annotations

import re

from kg.model import PILLARS, Action, SourceError
from kg.text import clean, split_paragraphs

_ROW = re.compile(r"^(\d+)\.\t")
_TICK = "\u2713"


def parse(lines: list[str], path: str, meta: dict) -> list[Action]:
    actions: list[Action] = []
    goals = False
    rows: dict[tuple[bool, int], list[Action]] = {}
    row_ticks: dict[tuple[bool, int], set[str]] = {}
    goal_names: dict[int, str] = {}
    for no, line in enumerate(lines, start=1):
        if "Institutional goal" in line:
            goals = True
        if not (m := _ROW.match(line)):
            continue
        cells = line.split("\t")
        if len(cells) != 7:
            raise SourceError(path, no, f"expected 7 tab-separated cells, found {len(cells)}")
        number, key = int(m.group(1)), (goals, int(m.group(1)))
        if goals and cells[1].strip():
            goal_names[number] = clean(cells[1]).rstrip(".")
        row = rows.setdefault(key, [])
        row_ticks.setdefault(key, set()).update(
            p for p, cell in zip(PILLARS, cells[3:7]) if _TICK in cell
        )
        for paragraph in split_paragraphs(cells[2]):
            action = Action(
                local_id=f"{'G' if goals else ''}{number}.{len(row) + 1}",
                text=clean(paragraph),
                source_text=paragraph,
                lines=(no, no),
                recommendations=[] if goals else [f"E{number}"],
                institutional_goal=goal_names.get(number) if goals else None,
            )
            row.append(action)
            actions.append(action)
    for key, row in rows.items():
        for action in row:
            action.pillars = [p for p in PILLARS if p in row_ticks[key]]
    if not actions:
        raise SourceError(path, 1, "no numbered rows found")
    return actions

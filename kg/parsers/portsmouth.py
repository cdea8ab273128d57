"""Portsmouth's shape: an overview table of 21 numbered action statements, then
one block per action: "Action N", its title, a description, "Supporting Actions
Required:", "Success Measure:", "Stakeholders:" and "Commitment areas:" (one
pillar per line).

Supporting actions stay a field of their action. Stakeholder abbreviations are
expanded from the plan's own "Long Name (ABBR)" definitions and, for the few it
uses without defining, from the glossary in sources.json.
"""
from __future__ import annotations

import re

from kg.model import PILLARS, Action, SourceError
from kg.parsers.common import expand_owner, glossary_from_text
from kg.text import clean

_ACTION = re.compile(r"^Action (\d+)\s*$")
_OVERVIEW = re.compile(r"^(\d+)\t")
_FIELDS = {
    "Supporting Actions Required:": "supporting",
    "Success Measure:": "success",
    "Stakeholders:": "stakeholders",
    "Commitment areas:": "areas",
}


def parse(lines: list[str], path: str, meta: dict) -> list[Action]:
    glossary = glossary_from_text(lines) | meta.get("glossary", {})
    overview = {int(m.group(1)) for line in lines if (m := _OVERVIEW.match(line))}
    blocks = _blocks(lines)
    if sorted(n for n, _ in blocks) != sorted(overview):
        raise SourceError(path, 1, f"overview lists actions {sorted(overview)} "
                                   f"but the detail blocks are {[n for n, _ in blocks]}")
    return [_action(n, block, path, glossary) for n, block in blocks]


def _blocks(lines):
    blocks: list[tuple[int, list[tuple[int, str]]]] = []
    for no, line in enumerate(lines, start=1):
        if m := _ACTION.match(line):
            blocks.append((int(m.group(1)), [(no, line.strip())]))
        elif blocks and line.strip():
            blocks[-1][1].append((no, line.strip()))
    return blocks


def _action(number, block, path, glossary) -> Action:
    fields: dict[str, list[str]] = {"body": []}
    current = "body"
    for _, line in block[1:]:
        current = _FIELDS.get(line, current)
        if line not in _FIELDS:
            fields.setdefault(current, []).append(line)
    if len(fields["body"]) < 2 or "areas" not in fields:
        raise SourceError(path, block[0][0] if block else 1,
                          f"Action {number} lacks a title, a description or its commitment areas")
    title, description = fields["body"][0], " ".join(fields["body"][1:])
    pillars = [p for p in PILLARS if any(a.lower() == p.lower() for a in fields["areas"])]
    unknown = [a for a in fields["areas"] if a.lower() not in {p.lower() for p in PILLARS}]
    if unknown:
        raise SourceError(path, block[0][0], f"Action {number}: unknown commitment area {unknown}")
    stakeholders = " ".join(fields.get("stakeholders", []))
    return Action(
        local_id=str(number),
        title=clean(title),
        text=clean(f"{title.rstrip('.')}. {description}"),
        source_text="\n".join(fields["body"]),
        lines=(block[0][0], block[-1][0]),
        pillars=pillars,
        pillar_wording="; ".join(fields["areas"]),
        owners=[n for part in re.split(r"\s*/\s*", stakeholders) if part
                for n in expand_owner(part, glossary)],
        owner_wording=stakeholders or None,
        success_measures=[clean(" ".join(fields.get("success", [])))] if fields.get("success") else [],
        supporting_actions=clean(" ".join(fields.get("supporting", []))) or None,
    )

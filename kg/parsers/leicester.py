"""Leicester's shape: four workstreams of items (V1, R2, CD3, S4 ...), some with
sub-activities (V1a ... or unnumbered lines under an item), each with success
measure, phase (P1-P3, defined in the key), owner initials (defined in the key),
RAG status and comment.

Superscript 2 marks an activity "linked to TALENT Commission recommendations"
without saying which, superscript 1 "mentioned in feedback from technical
staff"; "^{1 2}" is the export's spelling of both. They become flags and leave
the cleaned text. Unnumbered sub-activities get the id of their parent and their
position ("R3.2"), so ids stay stable and never look like source ids.
"""
from __future__ import annotations

import re

from kg.model import PILLARS, Action, Deadline, SourceError
from kg.parsers.common import expand_owner
from kg.text import MONTHS, clean, split_owners

_PHASE = re.compile(r"^Phase (\d) \(P\d\) = (\w+) (\d\d) to (\w+) (\d\d)")
_KEY = re.compile(r"^([A-Za-z][A-Za-z ]{0,14}?) = (.+)$")
_WORKSTREAM = re.compile(r"^Workstream: (.+?)\t")
_ITEM_ID = re.compile(r"^(V|R|CD|S)\d+$")
_SUB_ID = re.compile(r"^((?:V|R|CD|S)\d+[a-z])\.\s+")
_MARKERS = re.compile(r"\^\{([12 ]+)\}|([\u00b9\u00b2]+)")
ID, ACTIVITY, SUCCESS, TIMEFRAME, OWNER, RAG, COMMENT = range(7)


def parse(lines: list[str], path: str, meta: dict) -> list[Action]:
    phases, glossary = _key(lines, path)
    actions: list[Action] = []
    pillar = parent = None
    children = 0
    for no, line in enumerate(lines, start=1):
        if m := _WORKSTREAM.match(line):
            pillar = _pillar(m.group(1), path, no)
            continue
        cells = line.split("\t")
        if pillar is None or len(cells) < 6 or not "".join(cells).strip():
            continue
        cells = (cells + [""] * 7)[:7]
        if _ITEM_ID.match(cells[ID].strip()):
            local_id, parent_id, children = cells[ID].strip(), None, 0
            parent = local_id
        elif not cells[ID].strip() and parent:
            children += 1
            sub = _SUB_ID.match(cells[ACTIVITY])
            local_id, parent_id = (sub.group(1) if sub else f"{parent}.{children}"), parent
        else:
            raise SourceError(path, no, f"row with an unknown activity id {cells[ID]!r}")
        deadline = _timeframe(cells[TIMEFRAME], phases, path, no)
        actions.append(_action(local_id, parent_id, cells, (no, no), pillar, deadline, glossary))
    if not actions:
        raise SourceError(path, 1, "no workstream activities found")
    return actions


def _key(lines, path):
    """Phases as {n: (start YYYY-MM, end YYYY-MM)} and the initials glossary."""
    phases, glossary = {}, {}
    for line in lines:
        if line.startswith("Activity\t"):
            break
        if m := _PHASE.match(line):
            start = f"20{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}"
            end = f"20{m.group(5)}-{MONTHS[m.group(4).lower()]:02d}"
            phases[int(m.group(1))] = (start, end)
        elif (m := _KEY.match(line)) and not line.startswith("Phase"):
            glossary[m.group(1).strip()] = m.group(2).strip()
    if not phases:
        raise SourceError(path, 1, "no phase key ('Phase 1 (P1) = ...') found")
    return phases, glossary


def _pillar(name, path, no):
    for p in PILLARS:
        if name.strip().lower() == p.lower():
            return p
    raise SourceError(path, no, f"unknown workstream {name!r}")


def _timeframe(wording, phases, path, no) -> Deadline | None:
    numbers = set()
    for a, b in re.findall(r"P(\d)(?:\s*-\s*P?(\d))?", wording):
        numbers.update(range(int(a), int(b or a) + 1))
    if not numbers:
        return None
    if missing := numbers - phases.keys():
        raise SourceError(path, no, f"time frame {wording!r} names phases {sorted(missing)} "
                                    "that the key does not define")
    return Deadline(phases[max(numbers)][1], wording, start=phases[min(numbers)][0])


def _action(local_id, parent_id, cells, span, pillar, deadline, glossary) -> Action:
    raw = cells[ACTIVITY]
    markers = "".join(a or b for a, b in _MARKERS.findall(raw))
    text = clean(_MARKERS.sub(" ", _SUB_ID.sub("", raw)))
    owner = clean(cells[OWNER])
    return Action(
        local_id=local_id,
        parent_id=parent_id,
        text=re.sub(r"\s+([.,;])", r"\1", text),
        source_text=raw,
        lines=span,
        pillars=[pillar],
        pillar_wording=f"Workstream: {pillar}",
        talent_link_stated=any(c in markers for c in "2\u00b2"),
        mentioned_in_feedback=any(c in markers for c in "1\u00b9"),
        deadline=deadline,
        owners=[n for part in split_owners(owner) for n in expand_owner(part, glossary)],
        owner_wording=owner or None,
        success_measures=[clean(cells[SUCCESS])] if clean(cells[SUCCESS]) else [],
        status=clean(cells[RAG]) or None,
        comment=clean(cells[COMMENT]) or None,
    )

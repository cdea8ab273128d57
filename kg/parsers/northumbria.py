"""Northumbria's shape: bullets under "We will ..." headings, each ending in a tab,
a bullet sign and a month-year deadline, often with (R#) codes.

What the export garbled, and how it is mended here:
- two pairs of bullets merged into one line, with two deadlines in the deadline
  cell: the line is split before the first word, four or more words in, that
  opens some other bullet of the plan ("reviewing", "having");
- a bullet whose tail spilled onto the next line ("are visible (R11)"): the tail
  is joined back;
- the last section exported as one run-on paragraph with each deadline pasted
  mid-sentence: it is split after each (R#) group, and a piece holding two
  deadlines is split at an opening word between them; the stray deadline is
  taken out of the text (the source text keeps it).
"""
from __future__ import annotations

import re
from itertools import pairwise

from kg.model import Action, Deadline, SourceError
from kg.parsers.common import pillars_named
from kg.text import clean, find_dates

_HEADING = re.compile(r"^\s*We will (.+?)\s+by\b")
_BULLET = re.compile(r"^[\s\u2022]*(?P<text>.*?)[ ]*\t\u2022\t(?P<due>[^\t\n]+?)\s*$", re.DOTALL)
_SPILL = re.compile(r"^(?P<text>[^\t]+?)\s*\t\t\u2022\s*$")
_CODES = re.compile(r"\((R\d+(?:\s*,\s*R\d+)*)\)")
_END = "MI TALENT Report Recommendations"


def parse(lines: list[str], path: str, meta: dict) -> list[Action]:
    sections = _sections(lines, path)
    openers = {w.lower() for _, _, items in sections for _, t in items if (w := _first_word(t))}
    actions: list[Action] = []
    for heading, _, items in sections:
        pillars = pillars_named(heading)
        for span, text in items:
            for source, text_only, due in _pieces(text, span[0], openers, path):
                actions.append(_action(len(actions) + 1, source, text_only, due, span, heading, pillars))
    return actions


def _sections(lines, path):
    """[(heading, line, [((first, last line), raw item text)])], spilled tails joined back."""
    sections: list[tuple[str, int, list[tuple[int, str]]]] = []
    for no, line in enumerate(lines, start=1):
        if line.startswith(_END):
            break
        if m := _HEADING.match(line):
            sections.append((f"We will {m.group(1)}", no, []))
        elif not sections or not line.strip() or line.startswith("Appendix One"):
            continue
        elif m := _SPILL.match(line):
            if not sections[-1][2]:
                raise SourceError(path, no, "a continuation line before any bullet")
            (first, _), prev = sections[-1][2][-1]
            sections[-1][2][-1] = ((first, no), _join_spill(prev, m.group("text")))
        else:
            sections[-1][2].append(((no, no), line))
    if not sections:
        raise SourceError(path, 1, "no 'We will ... by' section headings found")
    return sections


def _join_spill(item: str, tail: str) -> str:
    m = _BULLET.match(item)
    if not m:
        return f"{item} {tail}"
    # The line break stays in the source text; clean() folds it in the text.
    return f"{m.group('text')}\n{tail.strip()}\t\u2022\t{m.group('due')}"


def _first_word(item: str) -> str | None:
    m = _BULLET.match(item)
    words = (m.group("text") if m else item).split()
    return words[0] if words else None


def _pieces(item: str, line_no, openers, path):
    """[(source text, text, Deadline)] for one bullet line, merged bullets split apart."""
    if m := _BULLET.match(item):
        text, due = m.group("text"), m.group("due")
        if not text.strip():
            raise SourceError(path, line_no, f"a bullet with a deadline ({due.strip()!r}) and no action text")
        dates = [v for _, v in find_dates(due)]
        if not dates:
            raise SourceError(path, line_no, f"no deadline in {due!r}")
        parts = _split_at_openers(text, len(dates), openers, None)
        return [(p, p, Deadline(d, _wording(due, i, len(dates))))
                for i, (p, d) in enumerate(zip(parts, dates))]
    return _run_on(item.strip(), line_no, openers, path)


def _wording(due: str, index: int, count: int) -> str:
    if count == 1:
        return due.strip()
    return [m.group(0) for m in re.finditer(r"[A-Za-z]+ \d{4}", due)][index]


def _split_at_openers(text, count, openers, bounds):
    """Split text into `count` bullets before words that open other bullets.

    bounds, when given, are the positions of each piece's own date: a split must
    fall between two consecutive dates.
    """
    parts, rest, offset = [], text, 0
    for k in range(count - 1):
        cut = None
        for m in re.finditer(r"\b[a-z]+ing\b", rest):
            if len(rest[: m.start()].split()) < 4 or m.group(0) not in openers:
                continue
            pos = offset + m.start()
            if bounds and not (bounds[k] < pos < bounds[k + 1]):
                continue
            cut = m.start()
            break
        if cut is None:
            break
        parts.append(rest[:cut].strip())
        offset += cut
        rest = rest[cut:]
    return parts + [rest.strip()]


def _run_on(paragraph, line_no, openers, path):
    """The run-on last section: split after each (R#) group, then between dates."""
    cuts = [0] + [m.end() for m in _CODES.finditer(paragraph)] + [len(paragraph)]
    pieces = [p.strip() for a, b in pairwise(cuts) if (p := paragraph[a:b]).strip()]
    out = []
    for piece in pieces:
        dates = find_dates(piece)
        if not dates:
            raise SourceError(path, line_no, f"no deadline in run-on text {piece[:60]!r}")
        parts = _split_at_openers(piece, len(dates), openers, [p for p, _ in dates])
        for part in parts:
            (_, value), *_ = find_dates(part)
            wording = re.search(r"[A-Z][a-z]+ \d{4}", part).group(0)
            out.append((part, part.replace(wording, " ", 1), Deadline(value, wording)))
    return out


def _action(n, source, text, deadline, span, heading, pillars) -> Action:
    codes = [c.strip() for group in _CODES.findall(text) for c in group.split(",")]
    return Action(
        local_id=str(n),
        text=clean(text),
        source_text=source,
        lines=span,
        pillars=pillars,
        pillar_wording=heading,
        recommendations=codes,
        deadline=deadline,
    )

"""Pieces several parsers share: pillar words, glossaries, owner expansion."""
from __future__ import annotations

import re

from kg.model import PILLARS

# Words that name a pillar in headings and theme cells.
_PILLAR_WORDS = {
    "Visibility": r"visib\w*",
    "Recognition": r"recogni(?:s|z|tion)\w*",
    "Career Development": r"career\s+(?:development|pathways?)",
    "Sustainability": r"sustainab\w*",
}


def pillars_named(text: str) -> list[str]:
    """The pillars a heading or theme cell names, in canonical order.

    A heading or theme that names none (Northumbria's "vibrant technical
    community", NTU's "Evaluating Impact") is cross-cutting: it serves all four.
    """
    named = [p for p in PILLARS if re.search(_PILLAR_WORDS[p], text, flags=re.IGNORECASE)]
    return named or list(PILLARS)


def glossary_from_text(lines: list[str]) -> dict[str, str]:
    """Abbreviations a document defines as 'Long Name (ABBR)', where the long
    name's initials spell the abbreviation ("Technical Staff Working Group (TBC)"
    defines nothing: TBC is not its initials)."""
    found = {}
    for line in lines:
        for m in re.finditer(r"((?:[A-Z][\w']*\s+){1,6})\(([A-Z][A-Za-z&]{1,7})\)", line):
            words, letters = m.group(1).split(), re.sub(r"[^A-Z]", "", m.group(2))
            for k in range(len(words)):
                if "".join(w[0] for w in words[k:]) == letters:
                    found[m.group(2)] = " ".join(words[k:])
                    break
    return found


def expand_owner(part: str, glossary: dict[str, str]) -> list[str]:
    """Owner names in one part of an owner cell, abbreviations expanded.

    Where the part holds glossary abbreviations, those are the owners; otherwise
    the part itself is the owner's name.
    """
    names = [
        full for abbr, full in glossary.items()
        if re.search(rf"(?<![\w&]){re.escape(abbr)}(?![\w&])", part)
    ]
    return names or [part]

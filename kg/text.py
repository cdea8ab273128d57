"""Text helpers shared by the parsers: markup, whitespace, dates, owner lists."""
from __future__ import annotations

import calendar
import html
import re

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9

_TAG = re.compile(r"<[^>]+>")
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})\s*(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?\s+(\d{4})\b"
)
_MONTH_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{4}|\d{2})\b")
_YEAR_MONTH = re.compile(r"\d{4}-\d{2}")


def clean(text: str) -> str:
    """Markup stripped, entities decoded, whitespace folded."""
    text = html.unescape(_TAG.sub(" ", text))
    text = re.sub(r"\[([^\]]+)\]\(#\)", r"\1", text)  # markdown links with no target
    return re.sub(r"\s+", " ", text).strip()


def split_paragraphs(cell: str) -> list[str]:
    """The <p> paragraphs of an HTML cell, or the whole cell when it has none."""
    parts = re.findall(r"<p>(.*?)</p>", cell, flags=re.DOTALL)
    return [p for p in parts if clean(p)] or ([cell] if clean(cell) else [])


def _year(text: str) -> int:
    """A two-digit year is this century's; four digits are the year as written
    (by its digits, not its value: "0099" is not 2099)."""
    return int(text) + 2000 if len(text) == 2 else int(text)


def find_dates(text: str) -> list[tuple[int, str]]:
    """Every date the text mentions, as (position, 'YYYY-MM-DD' or 'YYYY-MM')."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        month = MONTHS.get(m.group(2).lower())
        if month:
            found.append((m.start(), f"{int(m.group(3)):04d}-{month:02d}-{int(m.group(1)):02d}"))
            taken.append(m.span())
    for m in _MONTH_YEAR.finditer(text):
        month = MONTHS.get(m.group(1).lower())
        if month and not any(a <= m.start() < b for a, b in taken):
            found.append((m.start(), f"{_year(m.group(2)):04d}-{month:02d}"))
    return sorted(found)


def month_end(value: str) -> str:
    """The last day a deadline covers, as YYYY-MM-DD."""
    if len(value) == 10:
        return value
    if not _YEAR_MONTH.fullmatch(value):  # "2025-06x" from a CSV cell: no month at all
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    year, month = int(value[:4]), int(value[5:7])
    return f"{value}-{calendar.monthrange(year, month)[1]:02d}"


def split_owners(text: str) -> list[str]:
    """An owner cell split into names on '/', ',', ';' and ' and ', but not
    inside parentheses ("Chair (supported by HR and OD)" is one name)."""
    names, depth, start = [], 0, 0
    for m in re.finditer(r"[()]|\s*(?:/|,|;|\band\b)\s*", text):
        token = m.group(0)
        if token in "()":
            depth += 1 if token == "(" else -1
        elif depth == 0:
            names.append(text[start:m.start()])
            start = m.end()
    names.append(text[start:])
    return [n.strip(" .") for n in names if n.strip(" .")]

"""Every input limit in one place, with its default and the environment variable
that changes it, checked before any parser sees the input.

The parsers here (rdflib's Turtle and JSON-LD readers, Python's json, Oxigraph's
SPARQL parser) recurse once per nesting level: 20,000 nested `[ ]` raise a
RecursionError in Python, 5,000 nested `{ }` overflow the Rust stack and kill the
process. So nesting is measured by a flat scan of the text first, with strings,
IRIs and comments blanked out, and refused past the limit.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    name: str     # what is limited, as the refusal names it
    env: str      # the environment variable that overrides the default
    default: int

    def value(self) -> int:
        """The limit in force: the environment's, else the default."""
        raw = os.environ.get(self.env)
        if not raw:
            return self.default
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{self.env}={raw!r} is not a whole number") from None
        if value < 1:
            raise ValueError(f"{self.env}={raw!r} must be at least 1")
        return value


UPLOAD_BYTES = Limit("submitted plan size in bytes", "TCKG_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
QUERY_CHARS = Limit("SPARQL query length in characters", "TCKG_MAX_QUERY_CHARS", 100_000)
QUERY_DEPTH = Limit("SPARQL nesting depth", "TCKG_MAX_QUERY_DEPTH", 100)
RDF_DEPTH = Limit("Turtle/JSON-LD nesting depth", "TCKG_MAX_RDF_DEPTH", 64)
CSV_ROWS = Limit("CSV rows", "TCKG_MAX_CSV_ROWS", 10_000)
CSV_COLUMNS = Limit("CSV columns", "TCKG_MAX_CSV_COLUMNS", 50)
CSV_CELL_CHARS = Limit("CSV cell length in characters", "TCKG_MAX_CSV_CELL_CHARS", 20_000)
ALL = (UPLOAD_BYTES, QUERY_CHARS, QUERY_DEPTH, RDF_DEPTH, CSV_ROWS, CSV_COLUMNS, CSV_CELL_CHARS)


class LimitExceeded(ValueError):
    """Input over a limit; the message names the limit and its variable."""

    def __init__(self, limit: Limit, what: str):
        super().__init__(f"{what} (limit {limit.value():,}, {limit.env})")
        self.limit = limit


# Text that cannot hold structure: strings (long forms first), IRIs, comments.
# Each string is written as a run of plain characters between escapes (the
# "unrolled" form of (plain|escape)*): the same matches, and 3-4x faster to
# scan a 2,000-action plan (0.07 s of JSON-LD, 0.04 s of Turtle before).
_TURTLE_NOISE = re.compile(
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|$)'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|$)"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\](){}]")
_OPENERS = "[({"


def nesting_depth(text: str, stop_above: int | None = None) -> int:
    """The deepest nesting of brackets of any kind in `text` (structure only:
    blank it of strings and comments first); stops counting past `stop_above`."""
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        if match.group() in _OPENERS:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    return deepest
        elif depth:
            depth -= 1
    return deepest


def check_query(query: str) -> None:
    """Refuse a SPARQL query over the length or nesting limit."""
    if len(query) > QUERY_CHARS.value():
        raise LimitExceeded(QUERY_CHARS, f"the query is {len(query):,} characters long")
    _check_depth(_TURTLE_NOISE.sub(" ", query), QUERY_DEPTH, "the query")


def check_turtle(text: str) -> None:
    """Refuse Turtle nested deeper than the limit (`[ ]` and `( )`)."""
    _check_depth(_TURTLE_NOISE.sub(" ", text), RDF_DEPTH, "the turtle")


def check_json(text: str) -> None:
    """Refuse JSON (JSON-LD) nested deeper than the limit (objects and arrays)."""
    _check_depth(_JSON_STRING.sub(" ", text), RDF_DEPTH, "the json-ld")


def _check_depth(bare: str, limit: Limit, what: str) -> None:
    allowed = limit.value()
    if nesting_depth(bare, stop_above=allowed) > allowed:
        raise LimitExceeded(limit, f"{what} is nested too deeply")


def check_upload(size: int) -> None:
    if size > UPLOAD_BYTES.value():
        raise LimitExceeded(UPLOAD_BYTES, f"the plan is {size:,} bytes")

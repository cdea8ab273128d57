"""Refuse SPARQL that must not run here: updates, and anything that would make
the engine fetch a URL (SERVICE). Checked on the query's tokens, with strings,
IRIs and comments removed, before the query reaches the engine: every engine
here executes SERVICE by sending an HTTP request. The length and nesting limits
(kg/limits.py) are checked first: Oxigraph's parser recurses once per nesting
level, and 5,000 nested groups overflow its stack and kill the process."""
from __future__ import annotations

import re

from kg import limits

_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
_KEYWORD = r"(?<![\w:?$@-]){}(?![\w:-])"
_UPDATE = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


class QueryRefused(ValueError):
    """A query this service will not run; the message says why."""


def _tokens_only(query: str) -> str:
    return _NOISE.sub(" ", query)


def blank_noise(query: str) -> str:
    """The query with strings, IRIs and comments blanked out character for
    character, so positions in it are positions in the query."""
    return _NOISE.sub(lambda m: " " * len(m.group()), query)


def query_form(query: str) -> str | None:
    """"SELECT", "ASK", "CONSTRUCT" or "DESCRIBE": the query's form, read past its
    prologue (what an external server will answer, and so what to ask it for);
    None when it opens with none of them (the engine then reports the syntax error)."""
    rest = re.sub(r"^\s*(?:(?:BASE|PREFIX\s+[\w.-]*:)\s*)*", "", _tokens_only(query),
                  flags=re.IGNORECASE)
    found = re.match(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", rest, flags=re.IGNORECASE)
    return found.group(1).upper() if found else None


def check_query(query: str) -> None:
    """Raise QueryRefused for a query over a limit, an update, or a query that
    would reach the network."""
    try:
        limits.check_query(query)
    except limits.LimitExceeded as err:
        raise QueryRefused(str(err)) from None
    bare = _tokens_only(query)
    for word in _UPDATE:
        if re.search(_KEYWORD.format(word), bare, flags=re.IGNORECASE) and not _is_query_form(bare):
            raise QueryRefused(
                f"SPARQL updates ({word}) are not allowed: this endpoint is read-only. "
                "Use SELECT, ASK, CONSTRUCT or DESCRIBE."
            )
    if re.search(_KEYWORD.format("SERVICE"), bare, flags=re.IGNORECASE):
        raise QueryRefused(
            "SERVICE clauses are not allowed: queries may not reach other endpoints "
            "over the network. Query this graph alone."
        )


def _is_query_form(bare: str) -> bool:
    """True when the first keyword after the prologue is a query form."""
    rest = re.sub(r"^\s*(?:(?:BASE|PREFIX\s+[\w.-]*:)\s*)*", "", bare, flags=re.IGNORECASE)
    return bool(re.match(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", rest, flags=re.IGNORECASE))

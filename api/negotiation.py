"""Content negotiation from pyoxigraph's own format tables."""
from __future__ import annotations

import pyoxigraph as ox

SOLUTION_TYPES = [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                  ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV]
GRAPH_TYPES = [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges, best first."""
    ranges = []
    for part in (header or "*/*").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    return sorted(ranges, key=lambda r: -r[1])


def choose(header: str | None, offered: list):
    """The offered format the Accept header prefers (the first offered wins a
    tie or a wildcard), or None when it accepts none of them."""
    for media, q in parse_accept(header):
        if q <= 0:
            continue
        for fmt in offered:
            essence = fmt.media_type.split(";")[0]
            if media in (essence, "*/*", f"{essence.split('/')[0]}/*"):
                return fmt
            if media == "application/json" and fmt is ox.QueryResultsFormat.JSON:
                return fmt
    return None


def prefers_html(header: str | None) -> bool:
    """True when the client (a browser) asks for HTML before any other type."""
    ranges = [media for media, q in parse_accept(header) if q > 0]
    return bool(ranges) and ranges[0] in ("text/html", "application/xhtml+xml")

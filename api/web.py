"""What every web page shares: the Jinja2 templates, the vendored assets' URLs,
and the small helpers templates use (links to /id/ pages, highlighting, shades).

Pages are rendered on the server from the data the JSON routes return; a little
plain JavaScript improves a page (the SPARQL editor) but no page needs it.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from kg.suggested import THRESHOLD
from kg.vocab import TCID

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"
CODEMIRROR = "/static/vendor/codemirror-5.65.21"
NAV = [("/", "Search"), ("/coverage", "Coverage"), ("/sparql", "SPARQL"),
       ("/validate", "Validate"), ("/data", "Open data"), ("/docs", "API docs")]
# Words too common to be worth marking in a result's text.
STOPWORDS = frozenset(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of", "on", "or", "the", "to", "with", "our", "we", "all"])

# Loaded through the package (importlib), so they are found in any installed form.
templates = Jinja2Templates(env=Environment(loader=PackageLoader("api", "templates"),
                                            autoescape=True))


def local_path(iri: str) -> str | None:
    """The path serving an IRI minted under /id/, else None."""
    return "/id/" + iri.removeprefix(str(TCID)) if iri.startswith(str(TCID)) else None


def href(iri: str) -> str:
    """Where a link to an IRI goes: its page here, else the IRI itself."""
    return local_path(iri) or iri


def slug(iri: str) -> str:
    """An institution IRI's slug ("northumbria")."""
    return iri.rsplit("/", 1)[-1]


def action_path(short_id: str) -> str:
    """The page of an action given by its short id ("northumbria:16")."""
    institution, _, local = short_id.partition(":")
    return f"/id/{institution}/action/{local}"


def natural_key(local_id: str) -> list:
    """Sorts "2.10" after "2.9" and "10" after "9", as plans number their actions."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", local_id) if part]


def highlight(text: str, query: str | None) -> Markup:
    """The text, escaped, with the query's words (and longer words they start) marked."""
    words = sorted({w for w in re.findall(r"\w+", (query or "").lower())
                    if len(w) > 2 and w not in STOPWORDS}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last:match.start()]), Markup("<mark>%s</mark>") % match.group(0)]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def shade(count: int, most: int) -> int:
    """A heatmap cell's shade, 0 (none) to 5 (the most of any cell)."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, min(5, round(5 * count / most)))


def query_string(**params) -> str:
    """A query string of the params that are set, for shareable links."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


templates.env.filters.update(href=href, slug=slug, action_path=action_path, highlight=highlight)
templates.env.globals.update(NAV=NAV, SWAGGER_UI=SWAGGER_UI, CODEMIRROR=CODEMIRROR,
                             THRESHOLD=THRESHOLD, query_string=query_string, shade=shade,
                             zip=zip)


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """A page from its template; `title` names it in the header and the tab."""
    return templates.TemplateResponse(request, template, context, status_code=status)

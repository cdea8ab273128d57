"""The few HTML pages the API serves to browsers: a resource's linked-data page and
the SPARQL endpoint's page of example queries. Plain, escaped, no templates."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

import pyoxigraph as ox

from kg.vocab import TCID

STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
         "table{border-collapse:collapse}td{border-top:1px solid #ddd;padding:.3rem .6rem;"
         "vertical-align:top}pre{background:#f6f6f6;padding:.6rem;overflow-x:auto}")


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}"
            f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}"
            "</body></html>")


def local_path(iri: str) -> str | None:
    """The API path serving an IRI minted under /id/, else None."""
    return "/id/" + iri.removeprefix(str(TCID)) if iri.startswith(str(TCID)) else None


def _term(term) -> str:
    if isinstance(term, ox.NamedNode):
        href = local_path(term.value) or term.value
        return f'<a href="{escape(href)}">{escape(term.value)}</a>'
    if isinstance(term, ox.Literal):
        return escape(term.value)
    return escape(str(term))


def resource_page(iri: str, triples: list[ox.Triple]) -> str:
    node = ox.NamedNode(iri)
    out = [t for t in triples if t.subject == node]
    into = [t for t in triples if t.subject != node]
    rows = "".join(f"<tr><td>{_term(t.predicate)}</td><td>{_term(t.object)}</td></tr>" for t in out)
    back = "".join(f"<tr><td>{_term(t.subject)}</td><td>{_term(t.predicate)}</td></tr>"
                   for t in into)
    alternates = " · ".join(f'<a href="?format={f}">{f}</a>' for f in ("turtle", "jsonld"))
    body = (f"<p><code>{escape(iri)}</code> — also as {alternates}</p><table>{rows}</table>"
            + (f"<h2>Referred to by</h2><table>{back}</table>" if back else ""))
    names = {t.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]: t.object.value for t in out}
    label = next((names[k] for k in ("label", "title", "prefLabel", "description") if k in names),
                 iri.rsplit("/", 1)[-1])
    label = label if len(label) <= 90 else label[:89] + "…"
    return page(label, body)


def queries_page(endpoint: str, queries: list[tuple[str, str, str]]) -> str:
    """The endpoint's page: each example query (name, title, text) with a link that runs it."""
    items = "".join(
        f"<h2>{escape(title)}</h2><p><a href=\"{escape(endpoint)}?query={quote(text)}\">run "
        f"<code>{escape(name)}</code></a></p><pre>{escape(text)}</pre>"
        for name, title, text in queries)
    intro = (f"<p>A read-only SPARQL 1.1 Protocol endpoint at <code>{escape(endpoint)}</code>: "
             "GET <code>?query=</code>, or POST a form or <code>application/sparql-query"
             "</code>. Example queries:</p>")
    return page("tckg SPARQL endpoint", intro + items)

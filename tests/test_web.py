"""The web pages, in process: each page shows what its JSON twin (or the example
SPARQL query it stands beside) answers, escapes what it is given, labels every
control, and loads nothing from elsewhere."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from markupsafe import escape

from kg.store.query import example_queries
from tests.test_validate import HEADER, PLAN, TEMPLATES

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
QUERIES = {name: text for name, _, text in example_queries()}


def page(client, url: str, status: int = 200, **kwargs) -> str:
    response = client.get(url, headers=BROWSER, **kwargs)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


def listed(html: str) -> list[str]:
    """The short ids of the result cards, in order ("northumbria:16")."""
    results = html.split('<ol class="results">', 1)[1].split("</ol>", 1)[0]
    return [f"{i}:{n}" for i, n in re.findall(r'<h3><a href="/id/([^/"]+)/action/([^"]+)">',
                                              results)]


def sparql_rows(client, query: str) -> list[dict]:
    response = client.post("/sparql", data={"query": query},
                           headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# --- search -----------------------------------------------------------------------------

def test_the_front_page_is_a_search_box(client):
    html = page(client, "/")
    assert re.search(r'<input type="search" id="q" name="q"', html)
    assert '<label for="q">Search the actions</label>' in html
    assert "<ol" not in html  # no results before a search


def test_a_shared_search_url_shows_the_search_results_in_order(client):
    html = page(client, "/?q=fair+attribution+policy")
    expected = client.get("/search", params={"q": "fair attribution policy", "limit": 20}).json()
    assert listed(html) == [r["id"] for r in expected]
    assert len({r["institution"] for r in expected[:5]}) >= 3
    assert "<mark>attribution</mark>" in html and "<mark>fair</mark>" in html


def test_filters_narrow_the_results_as_the_api_does(client):
    params = {"q": "fair attribution policy", "institution": "manchester-met",
              "pillar": "Recognition"}
    html = page(client, "/?" + "&".join(f"{k}={quote(v)}" for k, v in params.items()))
    expected = client.get("/search", params={**params, "limit": 20}).json()
    assert listed(html) == [r["id"] for r in expected]
    assert expected and all(r["id"].startswith("manchester-met:") for r in expected)
    assert '<option value="manchester-met" selected>' in html


def test_filters_alone_list_every_action_that_passes(client):
    params = {"institution": "portsmouth", "recommendation": "R11", "links": "suggested"}
    html = page(client, "/", params=params)
    every = client.get("/search", params={**params, "q": "technicians", "limit": 100}).json()
    assert sorted(listed(html)) == sorted(r["id"] for r in every) and every
    assert f"{len(every)} actions" in html


def test_suggested_links_are_badged_apart_with_their_score(client):
    html = page(client, "/?q=fair+attribution+policy")
    assert re.search(r'class="badge asserted"[^>]*>R11</li>', html)
    assert re.search(r'class="badge suggested"[^>]*>R11 <small>suggested 0\.\d\d</small>', html)


def test_similar_elsewhere_lists_other_institutions_actions(client):
    html = page(client, "/?similar=northumbria:16")
    expected = client.get("/actions/northumbria:16/similar").json()
    assert listed(html) == [r["id"] for r in expected]
    assert not any(i.startswith("northumbria:") for i in listed(html))


@pytest.mark.parametrize("url, message", [
    ("/?q=awards&institution=atlantis", "unknown institution 'atlantis'"),
    ("/?q=awards&links=suggested", "give a recommendation too"),
    ("/?q=awards&due_from=soon", "not a number or date"),
    ("/?similar=northumbria:999", "no action 'northumbria:999'"),
])
def test_a_bad_filter_is_said_on_the_page(client, url, message):
    html = page(client, url, status=400)
    assert re.search(r'<p class="error" role="alert">[^<]*' + re.escape(str(escape(message))), html)


def test_what_a_visitor_types_is_escaped(client):
    html = page(client, "/", params={"q": '<script>alert("x")</script> awards'})
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


# --- coverage ---------------------------------------------------------------------------

def coverage_csv(client, **params) -> list[dict]:
    response = client.get("/coverage.csv", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.mark.parametrize("threshold", ["0.4", "0.7"])
def test_the_heatmap_counts_what_the_example_query_counts(client, threshold):
    query = QUERIES["coverage-matrix-suggested.rq"].replace("{ 0.4 }", f"{{ {threshold} }}")
    expected = {(r["institution"], r["recommendation"]): (int(r["asserted"]), int(r["suggested"]))
                for r in sparql_rows(client, query)}
    table = coverage_csv(client, min_score=threshold)
    shown = {(r["institution"], r["code"]): (int(r["asserted_actions"]),
                                             int(r["suggested_actions"])) for r in table}
    assert {k: v for k, v in shown.items() if v != (0, 0)} == expected
    assert len(table) == 16 * len({r["institution"] for r in table})


def test_the_pillar_heatmap_counts_what_pillar_balance_counts(client):
    expected = {(r["institution"], r["pillar"]): int(r["actions"])
                for r in sparql_rows(client, QUERIES["pillar-balance.rq"])}
    shown = {(r["institution"], r["code"]): int(r["asserted_actions"])
             for r in coverage_csv(client, scheme="pillars")}
    assert {k: v for k, v in shown.items() if v} == expected


def test_the_heatmap_has_a_row_per_institution_and_cells_list_their_actions(client):
    html = page(client, "/coverage")
    institutions = client.get("/institutions").json()
    rows = re.findall(r'<tr><th scope="row"><a href="/id/([^"]+)">', html)
    assert rows == sorted((i["institution"].rsplit("/", 1)[-1] for i in institutions),
                          key=lambda s: next(i["name"] for i in institutions
                                             if i["institution"].endswith("/" + s)))
    cell = re.search(r'<a href="/\?(institution=northumbria&amp;recommendation=R11)" '
                     r'aria-label="Northumbria University, R11: (\d+) asserted">', html)
    assert cell, "the Northumbria R11 cell links to its actions"
    listing = page(client, "/?" + cell.group(1).replace("&amp;", "&"))
    assert len(listed(listing)) == int(cell.group(2)) > 0
    assert re.search(r"at least\s+<strong>0.4</strong>", html)


@pytest.mark.parametrize("params", [{"scheme": "X"}, {"min_score": "2"}, {"min_score": "lots"}])
def test_a_bad_heatmap_choice_is_refused(client, params):
    assert client.get("/coverage", params=params, headers=BROWSER).status_code == 400
    response = client.get("/coverage.csv", params=params)
    assert response.status_code == 400 and response.json()["error"]["status"] == 400


# --- resource pages ---------------------------------------------------------------------

def test_an_action_page_reads_as_the_action(client):
    html = page(client, "/id/northumbria/action/16")
    found = client.get("/actions/northumbria:16").json()
    assert found["text"] in html
    assert f"“{found['timeframe_wording']}”" in html
    assert "northumbria-2022.txt, line" in html
    assert 'href="/id/talent-R11">Visibility and recognition of technical contributions' in html
    assert re.search(r'class="badge suggested">R11 <small>suggested 0\.\d\d', html)
    similar = client.get("/actions/northumbria:16/similar", params={"limit": 5}).json()
    assert listed(html) == [r["id"] for r in similar]
    for fmt in ("turtle", "jsonld", "ntriples"):
        assert f'href="?format={fmt}"' in html
    turtle = client.get("/id/northumbria/action/16", headers={"accept": "*/*"})
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_an_action_page_lists_its_sub_actions(client):
    html = page(client, "/id/leicester/action/R1")
    children = [i for i in listed(html) if i.startswith("leicester:R1") and i != "leicester:R1"]
    assert children == ["leicester:R1a", "leicester:R1b"][:len(children)] and children


def test_an_institution_page_shows_where_its_plan_is_silent(client):
    html = page(client, "/id/northumbria")
    table = coverage_csv(client)
    silent = [r["code"] for r in table
              if r["institution"] == "Northumbria University" and r["asserted_actions"] == "0"]
    assert re.findall(r'<h3 id="gap-(R\d+)">', html) == silent and silent
    gaps = html.split("Where the plan is silent", 1)[1]
    assert listed(gaps) and not any(i.startswith("northumbria:") for i in listed(gaps))
    assert "Technician Commitment action plan (24 months)" in html


@pytest.mark.parametrize("slug, name", [
    ("northumbria", "Northumbria University"), ("ntu", "Nottingham Trent University"),
    ("leicester", "University of Leicester"), ("portsmouth", "University of Portsmouth")])
def test_the_institution_page_shows_the_peers_a_validation_report_names(client, slug, name):
    """Where the plan is silent, the page lists the same peers, in the same order, as
    the validation report's exemplars for a plan of that institution silent there."""
    from search.exemplars import peer_exemplars

    html = page(client, f"/id/{slug}").split("Where the plan is silent", 1)[1]
    silent = re.findall(r'<h3 id="gap-(R\d+)">', html)
    assistant = client.app.state.assistant
    report = peer_exemplars(assistant.searcher, assistant.suggesters,
                            {"recommendations": silent}, name)
    sections = re.split(r'<h3 id="gap-R\d+">', html)[1:]
    shown = {code: listed(section) for code, section in zip(silent, sections)}
    assert shown == {e["code"]: [a["id"] for a in e["actions"]] for e in report["recommendations"]}
    assert any(shown.values())


def test_plan_and_recommendation_pages(client):
    plan = page(client, "/id/portsmouth/plan")
    assert len(listed(plan)) == next(i["actions"] for i in client.get("/institutions").json()
                                     if i["institution"].endswith("/portsmouth"))
    r11 = page(client, "/id/talent-R11")
    stated = client.get("/search", params={"q": "recognition", "recommendation": "R11",
                                           "limit": 100}).json()
    assert set(listed(r11.split("Actions the machine suggests")[0])) == {r["id"] for r in stated}


def test_other_resources_get_a_table_of_statements(client):
    html = page(client, "/id/pillar-visibility")
    assert "<caption>Statements about <code>tcid:pillar-visibility</code></caption>" in html
    assert 'href="/id/scheme-pillars"' in html


# --- SPARQL -----------------------------------------------------------------------------

def test_the_sparql_page_offers_every_example_by_title(client):
    html = page(client, "/sparql")
    for _, title, _ in example_queries():
        assert f">{title}</option>" in html
    assert '<textarea id="query" name="query"' in html and '<label for="query">' in html


def test_a_query_run_from_the_page_shows_its_rows(client):
    query = QUERIES["pillar-balance.rq"]
    html = page(client, "/sparql", params={"query": query})
    rows = sparql_rows(client, query)
    assert f"{len(rows)} rows" in html and re.search(r"in \d+ ms", html)
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert table.count("<tr>") == len(rows)
    assert f"<td>{rows[0]['institution']}</td>" in table
    assert 'href="/sparql.csv?query=' in html and 'href="/sparql?query=' in html


def test_iris_in_results_link_to_their_pages(client):
    html = page(client, "/sparql", params={
        "query": "SELECT ?a WHERE { <https://w3id.org/tckg/id/northumbria/plan> "
                 "<https://w3id.org/tckg/ontology#hasAction> ?a } LIMIT 3"})
    assert len(re.findall(r'<td><a href="/id/northumbria/action/[^"]+">https://', html)) == 3


def test_a_syntax_error_is_shown_at_its_line(client):
    html = page(client, "/sparql", status=400, params={"query": "SELECT *\nWHERE {\n ?s ?p \n}"})
    assert "(line 4)" in html and 'data-error-line="4"' in html


def test_the_csv_download_is_the_endpoints_csv(client):
    query = QUERIES["status-summary.rq"]
    download = client.get("/sparql.csv", params={"query": query})
    direct = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert download.status_code == 200 and download.content == direct.content
    assert download.headers["content-disposition"] == 'attachment; filename="results.csv"'


def test_sparql_clients_get_what_they_got_before(client):
    query = QUERIES["status-summary.rq"]
    response = client.get("/sparql", params={"query": query},
                          headers={"accept": "application/sparql-results+json"})
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert client.get("/sparql").headers["content-type"].startswith("text/turtle")


ACTION_16 = "<https://w3id.org/tckg/id/northumbria/action/16>"


@pytest.mark.parametrize("query, columns, first", [
    ("ASK { ?s a <https://w3id.org/tckg/ontology#Action> }", ["answer"], "<td>yes</td>"),
    ("ASK { ?s a <https://w3id.org/tckg/ontology#Nothing> }", ["answer"], "<td>no</td>"),
    (f"CONSTRUCT {{ {ACTION_16} ?p ?o }} WHERE {{ {ACTION_16} ?p ?o }}",
     ["subject", "predicate", "object"], '<td><a href="/id/northumbria/action/16">'),
])
def test_ask_and_construct_results_are_tables_too(client, query, columns, first):
    html = page(client, "/sparql", params={"query": query})
    assert re.findall(r'<th scope="col">(\w+)</th>', html) == columns
    assert html.split("<tbody>", 1)[1].split("</tbody>")[0].startswith("<tr>" + first)
    assert "Download CSV" not in html


# --- validation -------------------------------------------------------------------------

BAD_CSV = (HEADER
           + "A1,,Publish profiles of every technical team online,Visiblity,R11,HR,2025-06,"
             "Profiles live,in progress\n"
           + "A2,Z9,Run a technician awards scheme,Recognition,R99,HR,June,Awards held,done\n")


def test_the_validate_page_is_a_form_with_the_template(client):
    html = page(client, "/validate")
    for control in ("file", "text", "format", "institution", "title", "start", "end"):
        assert f'<label for="{control}">' in html
    template = client.get("/validate/plan-template.csv")
    assert template.content == (TEMPLATES / "plan-template.csv").read_bytes()


def test_an_invalid_csv_shows_the_apis_messages_grouped_by_row(client):
    form = {"format": "csv", **PLAN}
    html = client.post("/validate/report", data=form, headers=BROWSER,
                       files={"file": ("plan.csv", BAD_CSV.encode(), "text/csv")}).text
    api = client.post("/validate", params=PLAN, content=BAD_CSV.encode(),
                      headers={"content-type": "text/csv"}).json()
    assert not api["conforms"] and "does not conform" in html
    headings = re.findall(r'<h2 id="group-\d+">([^<]+)</h2>', html)
    where = [f"Action {r['action_id']} (row {r['row']})" if r["action_id"] else "The plan"
             for r in api["results"]]
    assert headings == list(dict.fromkeys(where))
    assert {"Action A1 (row 2)", "Action A2 (row 3)"} <= set(headings)
    for result in api["results"]:
        assert escape(result["message"]) in html
    assert 'download="shacl-report.ttl"' in html


def test_a_pasted_example_conforms(client):
    example = (TEMPLATES / "plan-example.csv").read_text(encoding="utf-8")
    response = client.post("/validate/report", data={"text": example, **PLAN}, headers=BROWSER)
    assert response.status_code == 200 and "The plan conforms" in response.text


def test_the_form_validates_in_the_apps_worker_processes(client):
    """As POST /validate: a worker that dies under it is a 503 saying to send the
    plan again (a validation on a thread of the app would not notice), and the
    next one is answered."""
    from tests.test_validation_pool import kill_workers

    example = (TEMPLATES / "plan-example.csv").read_text(encoding="utf-8")
    kill_workers(client.app.state.validators)
    response = client.post("/validate/report", data={"text": example, **PLAN}, headers=BROWSER)
    assert response.status_code == 503 and "the plan can be sent again" in response.text
    response = client.post("/validate/report", data={"text": example, **PLAN}, headers=BROWSER)
    assert response.status_code == 200 and "The plan conforms" in response.text


def test_an_empty_form_says_what_to_do(client):
    response = client.post("/validate/report", data={"text": ""}, headers=BROWSER)
    assert response.status_code == 400 and "choose a file or paste a plan" in response.text


# --- open data, docs, every page --------------------------------------------------------

def test_open_data_lists_each_file_with_its_size_and_checksum(client, search_home):
    html = page(client, "/data")
    manifest = client.get("/healthz").json()
    for name in ("tckg.ttl", "tckg.nt", "tckg.jsonld", "actions.csv"):
        body = client.get(f"/data/{name}").content
        assert f"<code>{hashlib.sha256(body).hexdigest()}</code>" in html
        assert f"{len(body):,} bytes" in html
    ntriples = client.get("/data/tckg.nt").text
    assert len([line for line in ntriples.splitlines() if line.strip()]) == manifest["triples"]
    rows = list(csv.DictReader(io.StringIO(client.get("/data/actions.csv").text)))
    assert len(rows) == manifest["actions"]
    assert client.get("/data/other.zip").status_code == 404
    assert f"built {searcher_built(search_home)}." in html


def searcher_built(home) -> str:
    from search.encoder import model_name
    from search.index import load_index

    return load_index(home, model_name()).manifest["built"]


def test_the_api_docs_come_from_the_app_itself(client):
    html = page(client, "/docs")
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and '"validatorUrl": null' in html
    script = client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert client.get("/redoc").status_code == 404


class Controls(HTMLParser):
    """Labels, the controls they name, and everything loaded from elsewhere."""

    def __init__(self):
        super().__init__()
        self.labels, self.controls, self.remote = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.labels.add(attrs.get("for"))
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden",
                                                                                 "submit"):
            self.controls.append(attrs.get("id"))
        source = attrs.get("src") if tag in ("script", "img") else \
            attrs.get("href") if tag == "link" else None
        if source and not source.startswith("/"):
            self.remote.append(source)


@pytest.mark.parametrize("url", [
    "/", "/?q=awards", "/coverage", "/coverage?scheme=E", "/sparql", "/validate", "/data",
    "/id/northumbria/action/16", "/id/northumbria", "/id/northumbria/plan", "/id/talent-R5",
    "/docs"])
def test_every_control_is_labelled_and_nothing_loads_from_elsewhere(client, url):
    parser = Controls()
    parser.feed(page(client, url))
    assert [c for c in parser.controls if c not in parser.labels] == []
    assert parser.remote == []


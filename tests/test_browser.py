"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright
(never a browser download), against `tckg serve` on 127.0.0.1. Things are found
the way a person finds them: by role, label and visible text."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright

from kg.store.oxigraph_server import free_port
from tests.conftest import TCKG
from tests.test_web import BAD_CSV, PLAN

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No first-run work, no calls home: the browser must work with no network.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def server(search_home):
    """`tckg serve` over the session's graph, on a free port of 127.0.0.1."""
    port = free_port()
    process = subprocess.Popen([TCKG, "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=dict(os.environ, TCKG_HOME=str(search_home)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                json.load(answer)
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the server did not start in 120 s"
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    assert os.path.exists(CHROMIUM), "Chromium is missing: `make install` installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, server):
    """A fresh tab that fails the test on any script error or any request that
    leaves 127.0.0.1."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors, remote = [], []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:"))
           else remote.append(r.url))
    yield tab
    context.close()
    assert errors == [] and remote == []


def card_titles(page) -> list[str]:
    return page.get_by_role("article").get_by_role("heading").all_inner_texts()


def json_from(server: str, path: str):
    with urllib.request.urlopen(server + path, timeout=30) as answer:
        return json.load(answer)


def test_a_shared_search_url_shows_several_institutions_fair_attribution_actions(page):
    page.goto("/?q=fair+attribution+policy")
    expect(page.get_by_role("heading", name="Results for “fair attribution policy”")).to_be_visible()
    titles = card_titles(page)
    assert len(titles) == 20
    assert len({t.split(" · ")[0] for t in titles[:5]}) >= 3
    expect(page.get_by_role("article").first.locator("mark").first).to_have_text(
        re.compile("fair|attribution|policy", re.IGNORECASE))


def test_a_filter_narrows_the_results(page):
    page.goto("/?q=fair+attribution+policy")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Institution").select_option(label="Manchester Metropolitan University")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"institution=manchester-met"))
    titles = card_titles(page)
    assert titles and all(t.startswith("Manchester Metropolitan University") for t in titles)
    assert len(titles) < 20 or len(set(titles)) == 20


def test_similar_elsewhere_lists_other_institutions_actions(page):
    page.goto("/?q=fair+attribution+policy&institution=northumbria")
    page.get_by_role("link", name="Similar elsewhere to Northumbria University action 16").click()
    expect(page.get_by_role("heading", name="Similar actions in other institutions")).to_be_visible()
    similar = page.locator("ol.results").get_by_role("article").get_by_role("heading")
    titles = similar.all_inner_texts()
    assert titles and not any(t.startswith("Northumbria") for t in titles)


def test_the_heatmap_has_a_row_per_institution_and_a_cell_lists_its_actions(page, server):
    page.goto("/coverage")
    table = page.get_by_role("table", name="TALENT summary recommendations R1-R16 by institution")
    institutions = json_from(server, "/institutions")
    assert table.get_by_role("row").count() == 1 + len(institutions)
    cell = table.get_by_role("link", name=re.compile(r"^Northumbria University, R11: \d+ asserted$"))
    count = int(cell.get_attribute("aria-label").rsplit(": ", 1)[1].split()[0])
    cell.click()
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^{count} actions?"))
    assert len(card_titles(page)) == count
    assert all(t.startswith("Northumbria University") for t in card_titles(page))


def test_an_example_query_shows_its_rows(page):
    page.goto("/sparql")
    page.get_by_label("Example queries").select_option(label="Pillar balance per institution")
    expect(page.locator(".CodeMirror")).to_contain_text("Pillar balance per institution")
    page.get_by_role("button", name="Run query").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("20 rows")
    results = page.get_by_role("region", name="Results table").get_by_role("row")
    assert results.count() == 1 + 20


def test_an_invalid_csv_plan_uploaded_through_the_page_shows_its_errors_by_row(page, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(BAD_CSV, encoding="utf-8")
    page.goto("/validate")
    page.get_by_label("Plan file (.ttl, .jsonld or .csv)").set_input_files(plan)
    for field, label in (("institution", "Institution"), ("title", "Plan title"),
                         ("start", "First month (YYYY-MM)"), ("end", "Last month (YYYY-MM)")):
        page.get_by_label(label).fill(PLAN[field])
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("status")).to_contain_text("The plan does not conform")
    for row in ("Action A1 (row 2)", "Action A2 (row 3)"):
        section = page.get_by_role("region", name=row)
        expect(section).to_contain_text("Error")
    expect(page.get_by_role("region", name="Action A1 (row 2)")).to_contain_text(
        "given: pillar-visiblity")


def test_the_api_docs_render_their_operations_offline(page):
    page.goto("/docs")
    expect(page.get_by_role("button", name=re.compile(r"^GET \/search hybrid semantic search"))
           ).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name=re.compile(r"^POST \/validate SHACL-validate"))
           ).to_be_visible()


def test_the_keyboard_alone_reaches_the_search_box_and_the_results(page):
    page.goto("/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.type("fair attribution policy")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Results for"))).to_be_visible()
    reached = None
    for _ in range(40):
        page.keyboard.press("Tab")
        reached = page.evaluate("document.activeElement.closest('article') ? "
                                "document.activeElement.textContent : null")
        if reached:
            break
    assert reached and " · action " in reached
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Similar actions elsewhere")).to_be_visible()


@pytest.mark.parametrize("path", ["/?q=fair+attribution+policy", "/coverage", "/sparql",
                                  "/validate", "/data", "/id/northumbria/action/16",
                                  "/id/northumbria"])
def test_pages_fit_a_375_pixel_screen(browser, server, path):
    context = browser.new_context(base_url=server, viewport={"width": 375, "height": 800})
    tab = context.new_page()
    tab.goto(path)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    expect(tab.get_by_role("navigation", name="Pages")).to_be_visible()
    context.close()

"""Every source plan checked field by field against a reviewed golden file.

tests/golden/<slug>.json holds what each action of a source plan says: id, whole
text, pillars, owners and their wording, deadline and its wording, status,
progress, success measures, recommendations, parent and source lines. The
parser's output and the built graph must each equal it whole. After a deliberate
parser change, `pytest tests/test_golden.py --update-golden` rewrites the files
(never in CI); read the diff against the source lines before committing it.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.build import SOURCES_DIR
from kg.sources import load_sources
from tests.golden_records import graph_record, plan_record, unordered

GOLDEN_DIR = Path(__file__).parent / "golden"
SLUGS = sorted(json.loads((SOURCES_DIR / "sources.json").read_text(encoding="utf-8"))["sources"],
               key=lambda s: s["slug"])
SLUGS = [s["slug"] for s in SLUGS]


def golden_path(slug: str) -> Path:
    return GOLDEN_DIR / f"{slug}.json"


def read_golden(slug: str) -> dict:
    return json.loads(golden_path(slug).read_text(encoding="utf-8"))


@pytest.mark.parametrize("slug", SLUGS)
def test_parser_output_equals_the_reviewed_golden(plans, slug, update_golden):
    record = plan_record(plans[slug])
    if update_golden:
        golden_path(slug).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    golden = read_golden(slug)
    assert [a["local_id"] for a in record["actions"]] == [a["local_id"] for a in golden["actions"]]
    for got, want in zip(record["actions"], golden["actions"]):
        assert got == want, got["local_id"]
    assert record == golden


@pytest.mark.parametrize("slug", SLUGS)
def test_the_built_graph_holds_exactly_the_golden(store, plans, slug):
    record = graph_record(store, plans[slug])
    golden = unordered(read_golden(slug))
    for got, want in zip(record["actions"], golden["actions"]):
        assert got == want, got["local_id"]
    assert record == golden


def test_there_is_one_golden_per_source_and_no_other():
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) == SLUGS
    assert sorted(p.slug for p in load_sources(SOURCES_DIR)) == SLUGS

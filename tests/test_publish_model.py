"""Publishing's library half in process (kg/publish.py, kg/plans.py): a plan file
read back into the model, the registry, the names a published plan gets, the
graph without a plan, and recovery of staged parts. Fast: what mutation testing
runs per mutant of these modules. `tckg add`/`remove` end to end, in real
processes, are tested in tests/test_publish.py."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rdflib import Graph

from kg import plans as registry
from kg import publish
from kg.model import Action, Deadline, Plan, UnreadablePlan
from kg.rdf import add_plan, new_graph
from kg.store import read_manifest, write_store
from kg.vocab import TCID


def authored_plan() -> Plan:
    """A plan as an author writes it in Turtle (no source lines, ids of their own)."""
    actions = [
        Action(local_id="A1", text="Hold a technician showcase", source_text="Hold a *showcase*",
               lines=(0, 0), title="Showcase", pillars=["Visibility", "Recognition"],
               recommendations=["R1", "E1"], deadline=Deadline("2025-06", "June 2025"),
               owners=["Head of HR", "Technical Steering Group"], owner_wording="HR; TSG",
               success_measures=["two events", "a web page"], status_code="complete",
               progress="held once", comment="well attended"),
        Action(local_id="A1/b", text="Book the hall", source_text="Book the hall", lines=(0, 0),
               parent_id="A1", deadline=Deadline("2025-02-28", "2025-02-28")),
        Action(local_id="A0", text="Map technical roles", source_text="Map technical roles",
               lines=(0, 0)),
    ]
    return Plan(slug="gamma", institution="Gamma University", title="Gamma plan",
                source_file="", period_start="2024-09", period_end="2026-08",
                period_wording="2024 to 2026", actions=actions)


def turtle(plan: Plan) -> bytes:
    graph = new_graph()
    add_plan(graph, plan)
    return graph.serialize(format="turtle", encoding="utf-8")


def test_a_turtle_plan_reads_back_as_the_author_wrote_it():
    read = publish.submitted_plan(turtle(authored_plan()), "turtle", {})
    expected = authored_plan()
    # read back in id order, with the model's readings of what RDF does not keep as written
    expected.slug = ""
    expected.actions = sorted(expected.actions, key=lambda a: a.local_id)
    expected.actions[1].pillars = ["Recognition", "Visibility"]
    expected.actions[1].recommendations = ["E1", "R1"]
    expected.actions[1].success_measures = ["a web page", "two events"]
    assert read == expected


def test_a_json_ld_plan_reads_back_the_same_as_turtle():
    graph = Graph().parse(data=turtle(authored_plan()), format="turtle")
    jsonld = graph.serialize(format="json-ld", encoding="utf-8")
    assert publish.submitted_plan(jsonld, "json-ld", {}) == publish.submitted_plan(
        turtle(authored_plan()), "turtle", {})


def test_a_csv_plan_keeps_the_authors_ids_as_iri_keys_none():
    data = (registry_root() / "data" / "templates" / "plan-example.csv").read_bytes()
    plan = publish.submitted_plan(data, "csv", {"institution": "Gamma University",
                                                "title": "Gamma plan"})
    assert plan.institution == "Gamma University" and plan.actions
    assert [a.iri_key for a in plan.actions] == [None] * len(plan.actions)


def registry_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("plans, count", [(0, 0), (2, 2)])
def test_a_file_must_describe_exactly_one_plan(plans, count):
    graph = new_graph()
    for n in range(plans):
        add_plan(graph, dataclasses.replace(authored_plan(), slug=f"p{n}"))
    with pytest.raises(UnreadablePlan) as refused:
        publish.plan_from_graph(graph)
    assert str(refused.value) == f"publish one plan per file: this one describes {count}"


def entry(version=1, status=registry.PUBLISHED, **changes) -> registry.Entry:
    values = {"id": "gamma-2024-09-2026-08", "version": version, "institution": "Gamma University",
              "institution_slug": "gamma", "title": "Gamma plan", "start": "2024-09",
              "end": "2026-08", "format": "turtle", "file": f"gamma-2024-09-2026-08/v{version}.ttl",
              "sha256": "0" * 64, "actions": 3, "added": f"2026-01-0{version}T10:00:00+00:00",
              "status": status}
    return registry.Entry(**(values | changes))


def test_publish_form_mints_the_names():
    plan = publish.publish_form(publish.submitted_plan(turtle(authored_plan()), "turtle", {}),
                                entry(title=""))
    assert (plan.slug, plan.source_file, plan.institution, plan.title) == (
        "gamma-2024-09-2026-08", "plans/gamma-2024-09-2026-08/v1.ttl", "Gamma University",
        "Gamma plan")  # an entry without a title keeps the file's
    assert [(a.local_id, a.iri_key) for a in plan.actions] == [
        ("A0", "A0"), ("A1", "A1"), ("A1/b", "A1%2Fb")]
    titled = publish.publish_form(authored_plan(), entry(title="Given title"))
    assert titled.title == "Given title"


def test_plan_prefixes():
    assert publish.plan_prefixes("gamma-undated") == (
        "https://w3id.org/tckg/id/gamma-undated/",
        "https://w3id.org/tckg/id/source/plans/gamma-undated/")


NT = b"""<https://w3id.org/tckg/id/gamma-x/plan> <p> <o> .
<https://w3id.org/tckg/id/gamma-xy/plan> <p> <o> .
<https://w3id.org/tckg/id/gamma> <p> <o> .
<https://w3id.org/tckg/id/gammas> <p> <o> .
<o> <p> <https://w3id.org/tckg/id/gamma-x/plan> .
<https://w3id.org/tckg/id/source/plans/gamma-x/v1.ttl> <p> <o> ."""


def test_without_takes_out_subjects_under_the_prefixes_and_the_institution():
    prefixes = publish.plan_prefixes("gamma-x")
    assert publish.without(NT, prefixes, None) == b"""<https://w3id.org/tckg/id/gamma-xy/plan> <p> <o> .
<https://w3id.org/tckg/id/gamma> <p> <o> .
<https://w3id.org/tckg/id/gammas> <p> <o> .
<o> <p> <https://w3id.org/tckg/id/gamma-x/plan> .
"""
    assert publish.without(NT, prefixes, "https://w3id.org/tckg/id/gamma") == b"""<https://w3id.org/tckg/id/gamma-xy/plan> <p> <o> .
<https://w3id.org/tckg/id/gammas> <p> <o> .
<o> <p> <https://w3id.org/tckg/id/gamma-x/plan> .
"""


def test_counts_actions_and_suggested_links():
    nt = b"\n".join([b"<a> " + publish.ACTION_TYPE, b"<b> " + publish.ACTION_TYPE,
                     b"<l> " + publish.LINK_TYPE, b"<c> <p> <o> ."])
    assert publish.counts(nt) == {"actions": 2, "suggested_links": 1}
    assert publish.counts(b"") == {"actions": 0, "suggested_links": 0}


@pytest.mark.parametrize("slug, start, end, expected", [
    ("gamma", "2024-09", "2026-08", "gamma-2024-09-2026-08"),
    ("gamma", "2024-09-01", "2026-08-31", "gamma-2024-09-2026-08"),  # cut to the month
    ("gamma", None, "2026-08", "gamma-open-2026-08"),
    ("gamma", "2024-09", None, "gamma-2024-09-open"),
    ("gamma", None, None, "gamma-undated"),
    ("gamma", "", "", "gamma-undated"),
])
def test_plan_id(slug, start, end, expected):
    assert registry.plan_id(slug, start, end) == expected


@pytest.mark.parametrize("name, expected", [
    ("  University of Leicester ", "leicester"),   # a source institution keeps its slug
    ("Gamma University", "gamma-university"),
    ("!!!", "institution"),                        # nothing to slug
])
def test_institution_slug(name, expected):
    assert registry.institution_slug(name, {"University of Leicester": "leicester"}) == expected


def test_registry_round_trip_and_versions(tmp_path):
    assert registry.read_registry(tmp_path) == []
    entries = [entry(1, registry.REPLACED, changed="2026-01-02T10:00:00+00:00"), entry(2),
               entry(1, id="delta-undated", file="delta-undated/v1.ttl",
                     status=registry.REMOVED, fields={"title": "Délta"})]
    data = registry.registry_bytes(entries)
    assert json.loads(data) == {"format": 1, "plans": [dataclasses.asdict(e) for e in entries]}
    assert "Délta" in data.decode("utf-8") and data.endswith(b"}\n")
    registry.write_atomically(registry.plans_dir(tmp_path) / registry.REGISTRY, data)
    assert registry.read_registry(tmp_path) == entries
    assert [p.name for p in registry.plans_dir(tmp_path).iterdir()] == ["registry.json"]
    assert registry.published(entries) == [entries[1]]
    assert registry.live_entry(entries, "gamma-2024-09-2026-08") == entries[1]
    assert registry.next_version(entries, "gamma-2024-09-2026-08") == 3
    assert registry.next_version(entries, "delta-undated") == 2
    assert registry.next_version(entries, "new-undated") == 1
    assert registry.version_file("gamma-x", 2, "json-ld") == "gamma-x/v2.jsonld"
    assert entries[1].period == "2024-09 to 2026-08"
    assert entry(start=None, end=None).period == "? to ?"


@pytest.mark.parametrize("entries, listed", [
    ([entry(1)], "gamma-2024-09-2026-08"),
    ([entry(1), entry(1, id="eps-undated")], "gamma-2024-09-2026-08, eps-undated"),
    ([], "none"),
])
def test_an_unknown_plan_names_the_published_ones(entries, listed):
    with pytest.raises(registry.UnknownPlan) as refused:
        registry.live_entry(entries + [entry(1, id="delta-undated", status=registry.REMOVED)],
                            "delta-undated")
    assert str(refused.value) == (f"no published plan 'delta-undated'; published plans: "
                                  f"{listed} (see `tckg plans`)")


def test_entry_as_json():
    assert entry(2).to_json() == {
        "id": "gamma-2024-09-2026-08", "plan": str(TCID["gamma-2024-09-2026-08/plan"]),
        "version": 2, "status": "published", "institution": "Gamma University",
        "title": "Gamma plan", "start": "2024-09", "end": "2026-08", "actions": 3,
        "format": "turtle", "file": "plans/gamma-2024-09-2026-08/v2.ttl", "sha256": "0" * 64,
        "added": "2026-01-02T10:00:00+00:00", "changed": None}


@pytest.fixture()
def home_with_versions(tmp_path):
    """A home whose registry holds gamma v1 (replaced, three actions) and v2 (live,
    A0 dropped)."""
    folder = registry.plans_dir(tmp_path) / "gamma-2024-09-2026-08"
    folder.mkdir(parents=True)
    (folder / "v1.ttl").write_bytes(turtle(authored_plan()))
    second = authored_plan()
    second.actions = second.actions[:2]
    (folder / "v2.ttl").write_bytes(turtle(second))
    entries = [entry(1, registry.REPLACED), entry(2, actions=2)]
    registry.write_atomically(registry.plans_dir(tmp_path) / registry.REGISTRY,
                              registry.registry_bytes(entries))
    return tmp_path


def test_registry_graph_holds_the_live_version_and_what_it_replaced(home_with_versions):
    graph, plans = publish.registry_graph(home_with_versions)
    assert [(p.slug, [a.local_id for a in p.actions]) for p in plans] == [
        ("gamma-2024-09-2026-08", ["A1", "A1/b"])]
    pid = "https://w3id.org/tckg/id/gamma-2024-09-2026-08"
    rows = {(str(s), str(p).rsplit("/", 1)[-1].rsplit("#", 1)[-1], str(o))
            for s, p, o in graph if str(s) == f"{pid}/plan/v1" or str(o) == f"{pid}/plan/v1"}
    assert rows == {
        (f"{pid}/plan/v1", "type", "http://www.w3.org/ns/prov#Entity"),
        (f"{pid}/plan/v1", "label", "Gamma plan (Gamma University, version 1)"),
        (f"{pid}/plan/v1", "issued", "2026-01-01T10:00:00+00:00"),
        (f"{pid}/plan/v1", "wasDerivedFrom",
         "https://w3id.org/tckg/id/source/plans/gamma-2024-09-2026-08/v1.ttl"),
        (f"{pid}/plan/v1", "isReplacedBy", f"{pid}/plan"),
        (f"{pid}/plan", "replaces", f"{pid}/plan/v1"),
        (f"{pid}/plan/v1", "hasPart", f"{pid}/action/A0"),
        (f"{pid}/plan/v1", "hasPart", f"{pid}/action/A1"),
        (f"{pid}/plan/v1", "hasPart", f"{pid}/action/A1%2Fb"),
    }
    actions = {str(o) for s, p, o in graph if str(s) == f"{pid}/plan" and str(p).endswith("hasAction")}
    assert actions == {f"{pid}/action/A1", f"{pid}/action/A1%2Fb"}
    # the institution is named by its slug; a Turtle file has no source lines
    assert not {s for s in graph.subjects() if str(s) == f"{pid}"}
    assert {str(o) for s, p, o in graph if str(s) == f"{pid}/plan" and str(p).endswith("publisher")} \
        == {"https://w3id.org/tckg/id/gamma"}
    assert not [p for p in graph.predicates() if str(p).endswith(("sourceLineStart", "sourceLineEnd"))]
    assert {str(o) for s, p, o in graph if str(s) == f"{pid}/plan" and str(p).endswith("issued")} \
        == {"2026-01-02T10:00:00+00:00"}


def test_recover_keeps_what_the_live_graph_staged_and_drops_the_rest(tmp_path):
    write_store(b"<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n", tmp_path,
                {"generation": "live-1"})
    assert read_manifest(tmp_path)["generation"] == "live-1"
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "old.txt").write_text("old")
    for name, tag in (("index", "live-1"), ("suggest", "other")):
        folder = publish.staged(tmp_path, name)
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({"generation": tag}))
    publish.stage_registry(tmp_path, "live-1", [entry(1)])
    publish.stage_registry(tmp_path, "other", [entry(1), entry(2)])
    publish.recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "graph") == ["index", "plans"]
    assert json.loads((tmp_path / "index" / "manifest.json").read_text()) == {"generation": "live-1"}
    assert registry.read_registry(tmp_path) == [entry(1)]
    assert sorted(p.name for p in registry.plans_dir(tmp_path).iterdir()) == ["registry.json"]


def test_recover_with_no_graph_drops_everything_staged(tmp_path):
    folder = publish.staged(tmp_path, "index")
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"generation": "g"}))
    publish.staged(tmp_path, "suggest").mkdir()  # no manifest: never committed
    publish.stage_registry(tmp_path, "g", [entry(1)])
    publish.recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]
    assert list(registry.plans_dir(tmp_path).iterdir()) == []


def test_a_short_id_names_its_action_back_whatever_the_local_id_holds():
    """"slug:local" splits at the first colon: slugs never hold one, local ids may."""
    from kg.vocab import TCID, action_iri, action_iri_from_short_id, short_id

    for slug, local in [("northumbria", "16"), ("leicester", "R3.2"), ("fenland-2024", "A:1:b")]:
        iri = action_iri(slug, local)
        assert iri == TCID[f"{slug}/action/{local}"]
        assert short_id(iri) == f"{slug}:{local}"
        assert action_iri_from_short_id(short_id(iri)) == iri


def test_write_atomically_makes_the_folders_and_replaces_whole(tmp_path):
    path = tmp_path / "plans" / "gamma-undated" / "v1.ttl"
    registry.write_atomically(path, b"first")
    registry.write_atomically(path, b"second")
    assert path.read_bytes() == b"second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["v1.ttl"]  # no .tmp left beside it


def test_a_plan_with_no_publisher_reads_in_id_order_and_owners_by_their_iri():
    data = b"""@prefix tc: <https://w3id.org/tckg/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/plan> a tc:ActionPlan ; tc:hasAction <https://example.org/z>, <https://example.org/a> .
<https://example.org/z> dct:identifier "A1" ; dct:description "First" ;
    tc:owner <https://example.org/people/head-of-hr>, <https://example.org/people/tsg> .
<https://example.org/people/tsg> rdfs:label "Technical Steering Group" .
<https://example.org/a> dct:identifier "B2" ; dct:description "Second" .
"""
    assert publish.submitted_plan(data, "turtle", {}) == Plan(
        slug="", institution="", title="", source_file="", actions=[
            Action(local_id="A1", text="First", source_text="First", lines=(0, 0),
                   owners=["head-of-hr", "Technical Steering Group"]),
            Action(local_id="B2", text="Second", source_text="Second", lines=(0, 0))])


def test_a_source_document_is_described_with_its_checksum(tmp_path):
    import hashlib

    from rdflib import RDF, RDFS, Literal
    from rdflib.namespace import DCTERMS

    from kg.vocab import TC, source_iri
    source = tmp_path / "alpha.txt"
    source.write_bytes(b"alpha's plan\n")
    graph = new_graph()
    add_plan(graph, Plan(slug="alpha", institution="Alpha University", title="",
                         source_file="alpha.txt"), source)
    assert set(graph.predicate_objects(source_iri("alpha.txt"))) == {
        (RDF.type, TC.SourceDocument), (DCTERMS.identifier, Literal("alpha.txt")),
        (RDFS.label, Literal("Alpha University: alpha.txt")),
        (TC.sha256, Literal(hashlib.sha256(b"alpha's plan\n").hexdigest()))}


@pytest.mark.parametrize("due, due_by", [("2025-06", "2025-06-30"), ("2025-06-15", "2025-06-15"),
                                         ("2025-06x", None), ("2025-13", None)])
def test_due_by_is_the_deadlines_last_day_and_only_for_a_real_date(due, due_by):
    from kg.vocab import TC
    plan = Plan(slug="alpha", institution="Alpha", title="", source_file="", actions=[
        Action(local_id="A1", text="Act", source_text="Act", lines=(0, 0),
               deadline=Deadline(due, f"by {due}"))])
    graph = new_graph()
    add_plan(graph, plan)
    assert [str(o) for o in graph.objects(None, TC.dueBy)] == ([due_by] if due_by else [])
    assert [str(o) for o in graph.objects(None, TC.deadline)] == [due]  # for the shapes to judge


@pytest.mark.parametrize("start, end", [("2024-09", None), (None, "2026-08")])
def test_a_plan_with_one_end_of_its_period_keeps_it(start, end):
    from rdflib import Literal
    from rdflib.namespace import DCAT, DCTERMS, XSD

    from kg.vocab import plan_iri
    graph = new_graph()
    add_plan(graph, Plan(slug="alpha", institution="Alpha", title="", source_file="",
                         period_start=start, period_end=end))
    period = graph.value(plan_iri("alpha"), DCTERMS.temporal)
    assert {(p, o) for p, o in graph.predicate_objects(period) if p != DCTERMS.temporal} - {
        (p, o) for p, o in graph.predicate_objects(period) if str(p).endswith("#type")} == {
        (DCAT.startDate if start else DCAT.endDate, Literal(start or end, datatype=XSD.gYearMonth))}


def test_owners_are_named_under_their_plan_and_the_graph_binds_its_prefixes():
    from kg.vocab import TC, stakeholder_iri
    plan = Plan(slug="alpha", institution="Alpha", title="", source_file="", actions=[
        Action(local_id="A1", text="Act", source_text="Act", lines=(0, 0), owners=["Head of HR"])])
    graph = new_graph()
    add_plan(graph, plan)
    assert list(graph.objects(None, TC.owner)) == [stakeholder_iri("alpha", "Head of HR")]
    assert str(stakeholder_iri("alpha", "Head of HR")).startswith("https://w3id.org/tckg/id/alpha/")
    assert {p: str(n) for p, n in graph.namespaces() if p in ("tc", "dct", "prov", "skos", "org", "dcat")} == {
        "tc": str(TC), "dct": "http://purl.org/dc/terms/", "prov": "http://www.w3.org/ns/prov#",
        "skos": "http://www.w3.org/2004/02/skos/core#", "org": "http://www.w3.org/ns/org#",
        "dcat": "http://www.w3.org/ns/dcat#"}


def test_a_publisher_named_only_by_skos_preflabel():
    data = b"""@prefix tc: <https://w3id.org/tckg/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://example.org/plan> a tc:ActionPlan ; dct:publisher <https://example.org/u> .
<https://example.org/u> skos:prefLabel "University of Example" .
<https://example.org/other> skos:prefLabel "Another" .
"""
    assert publish.submitted_plan(data, "turtle", {}).institution == "University of Example"

"""validate() and `tckg validate` on the three input formats and bad input."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.build import SOURCES_DIR
from kg.model import PILLARS, UnreadablePlan
from kg.plan_csv import read_csv_plan
from kg.rdf import add_plan, new_graph, plans_to_graph
from kg.sources import load_sources
from kg.validate import PlanTooLarge, validate
from tests.conftest import TCKG

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "data" / "templates"
HEADER = "id,parent,action,pillars,recommendations,owner,due,success_measure,status,progress\n"
GOOD_ROW = "A1,,Publish profiles of every technical team online,Visibility,R11,HR,2025-06,Profiles live,in progress\n"
# The warning counts the README reports for the five source plans.
SOURCE_WARNINGS = {"northumbria": 78, "ntu": 2, "manchester-met": 174, "leicester": 27, "portsmouth": 22}
PLAN = {"institution": "University of Example", "title": "Example plan", "start": "2025-01", "end": "2027-12"}


def csv_report(text: str | bytes, **fields):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return validate(data, "csv", **({**PLAN, **fields}))


def violations(report) -> set[tuple[str | None, str, str]]:
    return {(r.action_id, r.path, r.shape.rsplit("#", 1)[-1]) for r in report.results if r.severity == "Violation"}


@pytest.mark.parametrize("slug", ["northumbria", "ntu", "manchester-met", "leicester", "portsmouth"])
def test_the_five_source_plans_conform_as_turtle(slug):
    plan = next(p for p in load_sources(SOURCES_DIR) if p.slug == slug)
    turtle = plans_to_graph([plan], SOURCES_DIR).serialize(format="turtle").encode()
    report = validate(turtle, "turtle")
    assert report.conforms and report.violations == 0
    assert report.warnings == SOURCE_WARNINGS[slug]
    reference = validate(turtle, "turtle", engine="pyshacl")
    assert sorted(map(repr, reference.results)) == sorted(map(repr, report.results))


def test_the_filled_example_csv_conforms_with_no_warnings():
    report = validate((TEMPLATES / "plan-example.csv").read_bytes(), "csv", **PLAN)
    assert report.conforms and report.results == []
    assert report.not_addressed["pillars"] == []
    assert "R11" not in report.not_addressed["recommendations"]
    assert "R6" not in report.not_addressed["recommendations"]  # through E12's crosswalk mapping
    assert "R14" in report.not_addressed["recommendations"]


def test_what_a_plan_leaves_unaddressed_is_listed_whole_in_scheme_order():
    report = csv_report(HEADER + GOOD_ROW)  # one action: Visibility, R11
    assert report.not_addressed == {
        "pillars": ["Recognition", "Career Development", "Sustainability"],
        "recommendations": [f"R{n}" for n in range(1, 17) if n != 11]}  # R2 before R10


def test_the_template_has_exactly_the_columns():
    assert (TEMPLATES / "plan-template.csv").read_text(encoding="utf-8") == HEADER


def test_a_header_only_csv_is_a_plan_with_no_actions():
    report = csv_report(HEADER)
    assert not report.conforms
    assert (None, "actions", "PlanHasActions") in violations(report)


def test_column_names_are_read_in_any_case_spacing_and_the_usual_number():
    header = "ID,Parent,Action,Pillar,Recommendation,Owners,Deadline,Success measures,STATUS,Progress\n"
    row = GOOD_ROW.rstrip("\n") + ",Four of six teams done\n"
    assert read_csv_plan((header + row).encode(), **PLAN) == read_csv_plan((HEADER + row).encode(), **PLAN)
    assert read_csv_plan(b"id,Due Date,action,pillars\nA1,2025-06,Do it well,Visibility\n",
                         **PLAN).actions[0].deadline.value == "2025-06"
    assert read_csv_plan(b"Success-Measure,id,action,pillars\nOne,A1,Do it,Visibility\n",
                         **PLAN).actions[0].success_measures == ["One"]


def test_two_columns_for_one_field_are_refused_naming_both():
    with pytest.raises(UnreadablePlan, match=r"more than one column for pillars \(Pillar, pillars\)"):
        csv_report("id,action,Pillar,pillars\nA1,Publish profiles,Visibility,Recognition\n")


def test_an_unknown_column_is_refused_naming_it():
    with pytest.raises(UnreadablePlan, match=r"unknown column\(s\) RAG; rename or remove them"):
        csv_report("id,action,pillars,RAG\nA1,Publish profiles,Visibility,Green\n")


def test_pillars_and_codes_may_be_separated_by_commas_owners_only_by_semicolons():
    row = "A1,,Publish profiles of every technical team online,\"Visibility, recognition\",\"R11, E3\"," \
          "\"Head of School (Science, Engineering)\",2025-06,Profiles live,in progress,\n"
    action = read_csv_plan((HEADER + row).encode(), **PLAN).actions[0]
    assert (action.pillars, action.recommendations) == (["Visibility", "Recognition"], ["R11", "E3"])
    assert action.owners == ["Head of School (Science, Engineering)"]
    assert csv_report(HEADER + row).conforms


def test_the_optional_columns_are_kept():
    header = HEADER.rstrip("\n") + ",title,Notes\n"
    row = GOOD_ROW.rstrip("\n") + ',"Four of six teams done; two in 2026",Team profiles,"Agreed, May"\n'
    action = read_csv_plan((header + row).encode(), **PLAN).actions[0]
    assert (action.progress, action.title, action.comment) == (
        "Four of six teams done; two in 2026", "Team profiles", "Agreed, May")
    bare = read_csv_plan((HEADER + GOOD_ROW).encode(), **PLAN).actions[0]
    assert (bare.progress, bare.title, bare.comment) == (None, None, None)


def test_missing_required_column_names_it():
    with pytest.raises(UnreadablePlan, match="lacks the required column.*pillars"):
        csv_report("id,action\nA1,Publish profiles of every technical team\n")


def test_unknown_pillar_names_the_allowed_ones():
    report = csv_report(HEADER + GOOD_ROW.replace("Visibility", "Visiblity"))
    [result] = [r for r in report.results if r.severity == "Violation"]
    assert (result.action_id, result.row, result.path) == ("A1", 2, "pillars")
    assert "Visibility, Recognition, Career Development, Sustainability" in result.message


def test_pillars_are_case_insensitive_and_semicolon_separated():
    report = csv_report(HEADER + GOOD_ROW.replace("Visibility", "visibility; CAREER development"))
    assert report.conforms


@pytest.mark.parametrize(("cell", "read"), [
    ("Recognised", ["Recognition"]), ("career  PATHWAYS", ["Career Development"]),
    ("Skills sustainability;visible", ["Sustainability", "Visibility"]),
    ("Career Development & Progression", ["Career Development & Progression"]),   # no label: kept
    ("Visibility and Recognition", ["Visibility and Recognition"]),
    ("Technicians", ["Technicians"]),   # another scheme's label is no pillar
])
def test_a_pillar_is_named_by_any_of_its_labels_and_anything_else_is_kept_for_the_shapes(cell, read):
    data = HEADER + GOOD_ROW.replace("Visibility", f'"{cell}"')
    assert read_csv_plan(data.encode(), **PLAN).actions[0].pillars == read
    assert csv_report(data).conforms is (read[0] in PILLARS)


def test_duplicate_id_is_reported_on_both_rows():
    report = csv_report(HEADER + GOOD_ROW + GOOD_ROW)
    dupes = [(r.action_id, r.row) for r in report.results if r.shape.endswith("ActionIdUnique")]
    assert sorted(dupes) == [("A1", 2), ("A1", 3)]


def test_an_action_with_two_ids_is_named_by_both_in_a_stable_order():
    """The dataset's iteration order changes between processes; the report must not."""
    turtle = (ROOT / "tests" / "shapes" / "edge-action-id-length.ttl").read_bytes()
    script = ("import sys; from kg.validate import validate; "
              "r = validate(sys.stdin.buffer.read(), 'turtle'); "
              "print(sorted({x.action_id for x in r.results if x.focus.endswith('/two')}))")
    seen = {subprocess.run([str(Path(TCKG).parent / "python"), "-c", script], input=turtle, cwd=ROOT,
                           capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")}
    assert seen == {b"['A, B']\n"}


def test_unknown_parent():
    report = csv_report(HEADER + GOOD_ROW + GOOD_ROW.replace("A1,,", "A2,Z9,"))
    assert violations(report) == {("A2", "parent", "ActionParentInSamePlan")}


def test_a_known_parent_conforms():
    report = csv_report(HEADER + GOOD_ROW + GOOD_ROW.replace("A1,,", "A2,A1,"))
    assert report.conforms


@pytest.mark.parametrize("code", ["R17", "E24", "R0", "X5"])
def test_codes_outside_the_two_schemes(code):
    report = csv_report(HEADER + GOOD_ROW.replace(",R11,", f",{code},"))
    assert violations(report) == {("A1", "recommendations", "ActionRecommendation")}


@pytest.mark.parametrize("due", ["2024-13", "2025-02-30", "2025/06", "Summer 2025", "Q3 2025",
                                 "31/02/2025", "06/31/2025", "31 June 2025", "June 2025 or July 2025"])
def test_invalid_dates(due):
    report = csv_report(HEADER + GOOD_ROW.replace("2025-06", due))
    assert ("A1", "due", "ActionDeadline") in violations(report)
    # The author sees the deadline as they wrote it, not a reading of it.
    assert [r.value for r in report.results if r.path == "due"] == [due]


@pytest.mark.parametrize(("due", "read"), [
    ("June 2025", "2025-06"), ("Jun 2025", "2025-06"), ("Sept. 2025", "2025-09"),
    ("30 June 2025", "2025-06-30"), ("1st July 2025", "2025-07-01"),
    ("30/06/2025", "2025-06-30"), ("1/7/2025", "2025-07-01"), ("29/02/2028", "2028-02-29"),
])
def test_a_deadline_in_words_or_day_first_is_read_as_the_date_and_kept_as_written(due, read):
    report = csv_report(HEADER + GOOD_ROW.replace("2025-06", due))
    as_iso = csv_report(HEADER + GOOD_ROW.replace("2025-06", read))
    assert report.conforms and report.results == as_iso.results
    assert "ActionDeadline" not in {r.shape.rsplit("#", 1)[-1] for r in report.results}
    action = read_csv_plan((HEADER + GOOD_ROW.replace("2025-06", due)).encode(), **PLAN).actions[0]
    assert (action.deadline.value, action.deadline.wording) == (read, due)


@pytest.mark.parametrize("status", ["done", "on going", "complete - ongoing"])
def test_invalid_status(status):
    report = csv_report(HEADER + GOOD_ROW.replace("in progress", status))
    assert violations(report) == {("A1", "status", "ActionStatus")}


@pytest.mark.parametrize(("status", "code"), [("Ongoing", "in-progress"), ("COMPLETED", "complete"),
                                              ("achieved", "complete"), ("Not Started", "not-started")])
def test_any_label_of_a_status_is_that_status_and_its_wording_is_kept(status, code):
    data = (HEADER + GOOD_ROW.replace("in progress", status)).encode()
    report = validate(data, "csv", **PLAN)
    assert report.conforms and report.results == csv_report(HEADER + GOOD_ROW).results
    graph = new_graph()
    add_plan(graph, read_csv_plan(data, **PLAN))
    assert {(str(p).rsplit("#", 1)[-1], str(o).rsplit("/", 1)[-1]) for _, p, o in graph
            if str(p).endswith(("#status", "#statusWording"))} == {("status", f"status-{code}"),
                                                                  ("statusWording", status)}


def test_empty_file_is_unreadable():
    with pytest.raises(UnreadablePlan, match="empty"):
        csv_report("")


def test_non_utf8_is_unreadable():
    with pytest.raises(UnreadablePlan, match="not UTF-8"):
        csv_report((HEADER + GOOD_ROW.replace("Publish", "Publi\u00e9")).encode("latin-1"))


def test_byte_order_mark_and_windows_line_endings_read_the_same():
    plain = csv_report(HEADER + GOOD_ROW)
    for variant in (b"\xef\xbb\xbf" + (HEADER + GOOD_ROW).encode(), (HEADER + GOOD_ROW).replace("\n", "\r\n").encode()):
        report = csv_report(variant)
        assert report.conforms and [r.message for r in report.results] == [r.message for r in plain.results]


def test_csv_needs_an_institution():
    with pytest.raises(UnreadablePlan, match="institution"):
        validate((HEADER + GOOD_ROW).encode(), "csv")


def test_turtle_syntax_error_reports_the_line():
    with pytest.raises(UnreadablePlan, match="at line 3"):
        validate(b"@prefix x: <urn:x#> .\nx:a x:b x:c .\nx:a x:b ;; .\n", "turtle")


@pytest.mark.parametrize("data, fmt", [
    (b"@prefix x: <urn:x#> . x:a x:b", "turtle"),  # cut off mid-statement
    (b'"0', "turtle"),  # an unterminated string (found by schemathesis)
    (b"\xff\xfe not text", "turtle"),
    (b"[1, 2", "json-ld"),
    (b'{"@id": 5, "@type": []}', "json-ld"),
])
def test_malformed_rdf_is_unreadable_not_a_crash(data, fmt):
    with pytest.raises(UnreadablePlan, match="does not parse|not valid JSON|holds no plan"):
        validate(data, fmt)


def test_a_file_with_no_plan_is_refused_not_passed():
    with pytest.raises(UnreadablePlan, match="holds no plan"):
        validate(b"<urn:a> <urn:b> <urn:c> .", "turtle")


def _jsonld(context) -> bytes:
    return json.dumps({
        "@context": context,
        "@id": "https://example.org/p", "@type": "ActionPlan", "title": "Example plan",
        "publisher": {"@id": "https://example.org/u", "@type": "Institution", "name": "University of Example"},
        "actions": [{"@id": "https://example.org/a1", "@type": "Action", "identifier": "A1",
                     "text": "Publish profiles of every technical team online",
                     "pillars": "tcid:pillar-visibility", "recommendations": "tcid:talent-R11"}],
    }).encode()


def test_jsonld_with_the_shipped_context_validates():
    report = validate(_jsonld("https://w3id.org/tckg/context.jsonld"), "json-ld")
    assert report.conforms
    assert {r.path for r in report.results} == {"success_measure", "owner", "due", "pillars"}


@pytest.mark.parametrize("context", ["http://127.0.0.1:9/context.jsonld",
                                     ["https://w3id.org/tckg/context.jsonld", "https://example.org/ctx"],
                                     {"@import": "http://127.0.0.1:9/ctx"}])
def test_jsonld_remote_context_is_refused(context):
    with pytest.raises(UnreadablePlan, match="never fetched"):
        validate(_jsonld(context), "json-ld")


def test_size_limit_is_checked_before_parsing():
    with pytest.raises(PlanTooLarge, match="over the 100-byte limit"):
        validate(b"not even turtle " * 10, "turtle", max_bytes=100)


def _cli(*args, env=None):
    return subprocess.run([TCKG, "validate", *args], capture_output=True, text=True, check=False,
                          env=dict(os.environ, **(env or {})))


def test_cli_exit_codes_and_json(tmp_path):
    example = str(TEMPLATES / "plan-example.csv")
    ok = _cli(example, "--institution", "U", "--title", "T", "--json")
    assert ok.returncode == 0
    body = json.loads(ok.stdout)
    assert set(body) == {"conforms", "violations", "warnings", "results", "not_addressed",
                         "suggested_pillars", "peer_exemplars"}
    assert body["suggested_pillars"] == []  # every action has a pillar
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + GOOD_ROW.replace("Visibility", "Visiblity"), encoding="utf-8")
    done = _cli(str(bad), "--institution", "U", "--title", "T", "--json", "--report-turtle", str(tmp_path / "r.ttl"))
    assert done.returncode == 1
    [result] = [r for r in json.loads(done.stdout)["results"] if r["severity"] == "Violation"]
    assert set(result) == {"severity", "action_id", "row", "focus", "path", "message", "value", "shape"}
    report = Graph().parse(tmp_path / "r.ttl")
    assert len(list(report.subjects(None, SH.ValidationReport))) == 1
    assert _cli(str(tmp_path / "missing.csv")).returncode == 2


def test_cli_readable_report_groups_by_action_and_row(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + GOOD_ROW + GOOD_ROW.replace("A1,,", "B2,,").replace("R11", "R17"), encoding="utf-8")
    done = _cli(str(bad), "--institution", "U", "--title", "T")
    assert done.returncode == 1
    assert "Action B2 (row 3):" in done.stdout
    assert "error   recommendations: Recommendation links must be TALENT codes" in done.stdout
    assert done.stdout.startswith("The plan does not conform: 1 violation(s), 3 warning(s).")


def test_cli_refuses_a_file_over_the_limit_before_reading(tmp_path):
    big = tmp_path / "big.ttl"
    big.write_bytes(b"#" * 2048)
    done = _cli(str(big), env={"TCKG_MAX_UPLOAD_BYTES": "1024"})
    assert done.returncode == 2 and "over the 1,024-byte limit" in done.stderr


def test_cli_hints_pillars_for_an_action_without_one(tmp_path, cli_home):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + GOOD_ROW.replace("Visibility", ""), encoding="utf-8")
    done = _cli(str(bad), "--institution", "U", "--title", "T", env={"TCKG_HOME": str(cli_home)})
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    error = lines.index("  error   pillars: Give at least one pillar, from: Visibility, "
                        "Recognition, Career Development, Sustainability.")
    assert lines[error + 1].startswith("  hint    pillars: suggested from the action's text: ")
    without_build = _cli(str(bad), "--institution", "U", "--title", "T",
                         env={"TCKG_HOME": str(tmp_path / "nothing")})
    assert without_build.returncode == 1 and "hint" not in without_build.stdout
    assert "no pillar suggestions" in without_build.stderr and "tckg build" in without_build.stderr


# --- the fast reading (pyoxigraph) and its fallback to rdflib

def _jsonld_with(**changes) -> bytes:
    doc = json.loads(_jsonld("https://w3id.org/tckg/context.jsonld"))
    doc["actions"][0].update(changes)
    return json.dumps(doc).encode()


@pytest.mark.parametrize("action_id, fast", [
    ("https://example.org/a1", True),
    ("a1", False),  # relative: pyoxigraph would drop the action, rdflib keeps it
    ("https://example.org/a b", False),  # pyoxigraph would drop it, rdflib reads and refuses it
])
def test_jsonld_pyoxigraph_would_read_otherwise_goes_to_rdflib(action_id, fast):
    from kg.submission import _local_contexts, _parse_fast

    data = _jsonld_with(**{"@id": action_id})
    assert (_parse_fast(_local_contexts(data), "json-ld") is not None) is fast
    ids = {r.action_id for r in validate(data, "json-ld").results}
    # rdflib drops a node whose @id is no IRI, as it always did; a relative one it keeps
    assert ("A1" in ids) is (" " not in action_id)


def test_turtle_pyoxigraph_refuses_goes_to_rdflib_with_rdflibs_message():
    from kg.submission import _parse_fast

    relative = b"@prefix tc: <https://w3id.org/tckg/ontology#> .\n<p> a tc:ActionPlan .\n"
    assert _parse_fast(relative, "turtle") is None
    assert _parse_fast(relative.replace(b"<p>", b"<urn:p>"), "turtle") is not None
    assert not validate(relative, "turtle").conforms  # read by rdflib, as before
    with pytest.raises(UnreadablePlan, match="at line 3"):  # rdflib's message, with the line
        validate(b"@prefix x: <urn:x#> .\nx:a x:b x:c .\nx:a x:b ;; .\n", "turtle")


def test_a_csv_code_that_makes_no_iri_is_unreadable_not_a_crash():
    # The recommendation becomes an IRI; a space cannot be in one (found by fuzzing: a 500).
    with pytest.raises(UnreadablePlan, match=r"row 2: the recommendation 'E15 FOR AN APPRENTICESHIP' "
                                             r"is not a code \(R1-R16, E1-E23\)"):
        csv_report(HEADER + GOOD_ROW.replace(",R11,", ",E15 FOR AN APPRENTICESHIP,"))
    with pytest.raises(UnreadablePlan, match="row 3: the recommendation 'R1#2'"):
        csv_report(HEADER + GOOD_ROW + GOOD_ROW.replace("A1,", "A2,").replace(",R11,", ",R1#2,"))
    assert csv_report(HEADER + GOOD_ROW.replace(",R11,", ",E15,")).conforms
    assert csv_report(HEADER + GOOD_ROW.replace(",R11,", ",e15_a-b.2,")).violations == 1


@pytest.mark.parametrize("case", ["action-deadline.ttl", "edge-action-parent-same-plan.ttl",
                                  "plan-links-recommendations.ttl"])
def test_the_engines_native_report_is_its_public_apis(case):
    """kg.validate calls pyshacl-turbo's native validate under its public API (which
    reads the report into rdflib, ~0.8 s at 2,000 actions): an upgrade that
    changes what that call gives fails here."""
    import pyshacl_turbo
    from rdflib.compare import isomorphic

    from kg.submission import read_submission
    from kg.validate import _turbo, shapes_graph

    submission = read_submission((ROOT / "tests" / "shapes" / case).read_bytes(), "turtle")
    _, public, _ = pyshacl_turbo.validate(submission.graph, shacl_graph=shapes_graph(),
                                          allow_warnings=True, inference="none")
    native = Graph().parse(data=_turbo(submission), format="nt")
    assert len(native) > 10 and isomorphic(native, public)


def test_an_action_that_is_a_blank_node_keeps_its_id_and_values_stay_as_written():
    """The report names a blank-node action as the plan does (a pyoxigraph Store
    would rename it, and give '0.50' back as '0.5')."""
    turtle = (ROOT / "tests" / "shapes" / "valid-plan.ttl").read_text(encoding="utf-8")
    turtle = turtle.replace("ex:a1 a tc:Action", "_:b1 a tc:Action").replace("ex:a1", "_:b1")
    turtle = re.sub(r'tc:deadline "[^"]*"\^\^xsd:\w+', 'tc:deadline "2026-06-30Z"^^xsd:date', turtle, count=1)
    [result] = [r for r in validate(turtle.encode(), "turtle").results if r.severity == "Violation"]
    assert (result.action_id, result.path, result.value) == ("V1", "due", "2026-06-30Z")

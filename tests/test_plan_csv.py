"""The CSV plan template read into the plan model (kg/plan_csv.py) alone: whole
plans compared field by field, each refusal's whole message, each limit on both
sides of its edge. Fast (no shapes, no store): what mutation testing runs per
mutant of this module. Validation of CSV plans is tested in tests/test_validate.py."""
from __future__ import annotations

import pytest

from kg.model import Action, Deadline, Plan, UnreadablePlan
from kg.plan_csv import read_csv_plan

HEADER = "id,parent,action,pillars,recommendations,owner,due,success_measure,status\n"
TEMPLATE = "the template's columns are: id, parent, action, pillars, recommendations, owner, due, " \
           "success_measure, status, progress, title, comment"
FIELDS = {"institution": "University of Example", "title": "Example plan",
          "start": "2025-01", "end": "2027-12"}


def read(text: str, **fields) -> Plan:
    return read_csv_plan(text.encode("utf-8"), **{**FIELDS, **fields})


def refusal(data: str | bytes, **fields) -> str:
    with pytest.raises(UnreadablePlan) as caught:
        read_csv_plan(data if isinstance(data, bytes) else data.encode("utf-8"),
                      **{**FIELDS, **fields})
    return str(caught.value)


def test_a_plan_reads_whole_field_by_field():
    plan = read(HEADER
                + 'A1,,"  Publish   profiles\n of every team ",visibility; CAREER development,'
                  "r11; E3,HR and OD; Chair (HR/OD),2025-06,Profiles live,in progress\n"
                + "A1.a,A1,Book the hall,Recognition,,,2025-02-28,,\n"
                + " A2 ,,Map roles,Pillar X,,,,,\n")
    assert plan == Plan(
        slug="university-of-example", institution="University of Example",
        title="Example plan", source_file="", period_start="2025-01", period_end="2027-12",
        actions=[
            Action(local_id="A1", iri_key="row-2", parent_id=None,
                   text="Publish profiles of every team",
                   source_text="Publish   profiles\n of every team", lines=(2, 2),
                   pillars=["Visibility", "Career Development"], recommendations=["R11", "E3"],
                   deadline=Deadline("2025-06", "2025-06"), owners=["HR", "OD", "Chair (HR/OD)"],
                   owner_wording="HR and OD; Chair (HR/OD)", success_measures=["Profiles live"],
                   status="in progress", status_code="in progress"),
            Action(local_id="A1.a", iri_key="row-3", parent_id="A1", text="Book the hall",
                   source_text="Book the hall", lines=(3, 3), pillars=["Recognition"],
                   deadline=Deadline("2025-02-28", "2025-02-28")),
            Action(local_id="A2", iri_key="row-4", text="Map roles", source_text="Map roles",
                   lines=(4, 4), pillars=["Pillar X"]),
        ])


def test_only_the_required_columns_and_no_plan_fields():
    plan = read_csv_plan(b"action,id,pillars\nShowcase,B1,Visibility\n",
                         institution="  !!  ")
    assert plan == Plan(slug="submitted", institution="  !!  ", title="", source_file="",
                        actions=[Action(local_id="B1", iri_key="row-2", text="Showcase",
                                        source_text="Showcase", lines=(2, 2),
                                        pillars=["Visibility"])])


def test_header_names_are_trimmed_and_a_bom_and_crlf_read_the_same():
    plain = read(HEADER + "A1,,Showcase,Visibility,,,,,\n")
    spaced = read(" id , parent,action ,pillars,recommendations,owner,due,success_measure,status\r\n"
                  "A1,,Showcase,Visibility,,,,,\r\n")
    bom = read_csv_plan(("\ufeff" + HEADER + "A1,,Showcase,Visibility,,,,,\n").encode(), **FIELDS)
    assert plain == spaced == bom
    assert plain.actions[0].text == "Showcase"


def test_a_quoted_cell_keeps_its_commas_and_semicolons_split_lists():
    plan = read(HEADER + 'A1,,"Fund, train; and promote",Visibility;;Recognition;,'
                         '"R1;R2",  ; ,,"two; measures",\n')
    action = plan.actions[0]
    assert (action.text, action.pillars, action.recommendations, action.owners,
            action.owner_wording, action.success_measures) == (
        "Fund, train; and promote", ["Visibility", "Recognition"], ["R1", "R2"], [],
        ";", ["two; measures"])


@pytest.mark.parametrize("data, message", [
    (b"", "the CSV file is empty: it needs a header row and one row per action"),
    (b" \n\t\n", "the CSV file is empty: it needs a header row and one row per action"),
    (HEADER.encode() + "A1,,Publi\u00e9,Visibility,,,,,\n".encode("latin-1"),
     "the CSV is not UTF-8 (byte 83): save it as UTF-8"),
    ("id,action\nA1,Showcase\n",
     f"the CSV header lacks the required column(s) pillars; {TEMPLATE}"),
    ("owner,due\n",
     f"the CSV header lacks the required column(s) id, action, pillars; {TEMPLATE}"),
    ("id,action,pillars,RAG,Notes,Colour\n",
     f"unknown column(s) RAG, Colour; rename or remove them: {TEMPLATE}"),
    ("Pillar,id,Action,pillars,action\n",
     "more than one column for action, pillars (Pillar, Action, pillars, action); keep one"),
    (HEADER + "A1,,Showcase,Visibility,R1;" + "E15 for a technical apprenticeship route " * 2
     + ",,,,\n",
     ("row 2: the recommendation 'E15 for a technical apprenticeship route E15 for a technical' "
     "is not a code (R1-R16, E1-E23); separate codes with ';'")),
    (HEADER + "A1,,Showcase,Visibility,,,,,,extra\n",
     "row 2 has more cells than the header has columns"),
    ("id,action,pillars\n" + "x" * 131_073 + ",a,b\n",
     "the CSV does not parse in the row starting at line 2: field larger than field limit (131072)"),
    ('id,action,pillars\nA1,"two\nlines",Visibility\nA2,"' + "x" * 131_073 + '\nmore",b\n',
     "the CSV does not parse in the row starting at line 4: field larger than field limit (131072)"),
    ("id,action,pillars," + "x" * 131_073 + "\n",
     "the CSV header does not parse: field larger than field limit (131072)"),
])
def test_each_refusal_whole(data, message):
    assert refusal(data) == message


@pytest.mark.parametrize("institution", [None, ""])
def test_a_csv_plan_needs_the_institution(institution):
    assert refusal(HEADER, institution=institution) == (
        "a CSV plan needs the institution's name (the institution field: "
        "--institution on the command line, ?institution= over HTTP)")


def test_the_row_limit_at_its_edge(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_CSV_ROWS", "2")
    rows = "".join(f"A{i},,Act,Visibility,,,,,\n" for i in range(3))
    assert [a.local_id for a in read(HEADER + rows[:rows.index("A2")]).actions] == ["A0", "A1"]
    assert refusal(HEADER + rows) == "the CSV has more than 2 rows (limit 2, TCKG_MAX_CSV_ROWS)"


def test_the_column_limit_at_its_edge(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_CSV_COLUMNS", "9")
    assert read(HEADER).actions == []
    monkeypatch.setenv("TCKG_MAX_CSV_COLUMNS", "8")
    assert refusal(HEADER) == "the CSV header has 9 columns (limit 8, TCKG_MAX_CSV_COLUMNS)"


def test_the_cell_limit_at_its_edge_in_every_cell(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_CSV_CELL_CHARS", "10")
    assert read(HEADER + "A1,," + "x" * 10 + ",Visibility,,,,,\n").actions[0].text == "x" * 10
    assert refusal(HEADER + "A1,,Act,Visibility,,,,,\n" + "A2,,Act,Visibility,,,,," + "y" * 11 + "\n") == (
        "row 3 has a cell of 11 characters (limit 10, TCKG_MAX_CSV_CELL_CHARS)")
    # a cell past the header's columns is measured too, before the row is refused for it
    assert refusal(HEADER + "A1,,Act,Visibility,,,,,,ok," + "z" * 12 + "\n") == (
        "row 2 has a cell of 12 characters (limit 10, TCKG_MAX_CSV_CELL_CHARS)")


def test_the_cell_limit_counts_thousands(monkeypatch):
    monkeypatch.setenv("TCKG_MAX_CSV_CELL_CHARS", "1000")
    assert refusal(HEADER + "A1,," + "x" * 1001 + ",Visibility,,,,,\n") == (
        "row 2 has a cell of 1,001 characters (limit 1,000, TCKG_MAX_CSV_CELL_CHARS)")


def test_a_line_break_inside_a_quoted_cell_is_kept_as_written():
    plan = read(HEADER.replace("\n", "\r\n") + 'A1,,"two\r\nlines\rand one",Visibility,,,,,\r\n')
    action = plan.actions[0]
    assert (action.source_text, action.text, action.lines) == (
        "two\r\nlines\rand one", "two lines and one", (2, 2))

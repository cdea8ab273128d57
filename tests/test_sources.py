"""Data fidelity: every action of every source plan, whole, with its fields."""
from __future__ import annotations

import json
import re

import pytest

from kg.build import SOURCES_DIR

# Hand counts of leaf actions (see the foundation issue and each parser's notes).
LEAF_COUNTS = {"northumbria": 39, "ntu": 19, "manchester-met": 58, "leicester": 26, "portsmouth": 21}
LEICESTER_PARENTS = {"V1", "V3", "V4", "R1", "R2", "R3", "CD1", "CD2", "CD3"}


def test_leaf_action_counts_match_the_sources(plans):
    assert {slug: len(p.leaf_actions()) for slug, p in plans.items()} == LEAF_COUNTS


def test_leicester_nests_twenty_activities_under_nine_parents(plans):
    actions = plans["leicester"].actions
    parents = {a.parent_id for a in actions if a.parent_id}
    assert parents == LEICESTER_PARENTS
    assert sum(1 for a in actions if a.parent_id) == 20
    assert {a.local_id for a in actions if not a.parent_id} - parents == {"V2", "S1", "S2", "S3", "S4", "S5"}


def test_manchester_met_has_55_actions_under_recommendations_and_3_under_goals(plans):
    actions = plans["manchester-met"].actions
    assert sum(1 for a in actions if a.recommendations) == 55
    assert [a.institutional_goal for a in actions if not a.recommendations] == [
        "Pan institution collaboration", "Internationalisation", "Professional networking"]
    per_row = {}
    for a in actions:
        per_row[a.recommendations[0] if a.recommendations else a.local_id] = per_row.get(
            a.recommendations[0] if a.recommendations else a.local_id, 0) + 1
    assert per_row["E1"] == 8 and per_row["E6"] == 8 and per_row["E11"] == 1


@pytest.mark.parametrize("slug", sorted(LEAF_COUNTS))
def test_local_ids_are_unique(plans, slug):
    ids = [a.local_id for a in plans[slug].actions]
    assert len(ids) == len(set(ids))


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text.lower())


@pytest.mark.parametrize("slug", sorted(LEAF_COUNTS))
def test_every_action_keeps_its_whole_text_from_its_source_lines(plans, slug):
    """Every word of the cleaned text stands, in order, in the source lines the
    action cites; and the source text is verbatim in the file."""
    plan = plans[slug]
    lines = (SOURCES_DIR / plan.source_file).read_text(encoding="utf-8").splitlines()
    whole = "\n".join(lines)
    for action in plan.actions:
        assert len(action.text) >= 10, action
        first, last = action.lines
        cited = _words(" ".join(lines[first - 1:last]))
        it = iter(cited)
        assert all(w in it for w in _words(action.text)), (slug, action.local_id)
        for part in action.source_text.split("\n"):
            assert part.strip() in whole, (slug, action.local_id)


@pytest.mark.parametrize("slug", sorted(LEAF_COUNTS))
def test_every_leaf_action_has_a_pillar(plans, slug):
    assert all(a.pillars for a in plans[slug].leaf_actions())


def _by_id(plan, local_id):
    return next(a for a in plan.actions if a.local_id == local_id)


def test_northumbria_spot_checks(plans):
    plan = plans["northumbria"]
    attribution = _by_id(plan, "16")
    assert attribution.text == ("the development and implementation of a fair attribution policy for "
                                "the contributions from technical staff and technical facilities (R11)")
    assert attribution.recommendations == ["R11"]
    assert attribution.pillars == ["Recognition"]
    assert (attribution.deadline.value, attribution.deadline.wording) == ("2024-07", "July 2024")
    # A merged pair split apart, the spilled tail joined back to the second half.
    profile, prospectus = _by_id(plan, "5"), _by_id(plan, "6")
    assert profile.text == "having a university staff profile for every member of technical staff"
    assert prospectus.text.endswith("to ensure their roles are visible (R11)")
    assert profile.recommendations == [] and prospectus.recommendations == ["R11"]
    assert prospectus.lines == (18, 19)
    # The run-on last section: the deadline pasted mid-sentence is taken out.
    equality = _by_id(plan, "35")
    assert "carrying out an equality analysis for our projects" in equality.text
    assert equality.deadline.value == "2022-10" and equality.recommendations == ["R4"]
    toolkit = _by_id(plan, "25")
    assert toolkit.recommendations == ["R4", "R9"] and toolkit.deadline.value == "2024-04"


def test_ntu_spot_checks(plans):
    plan = plans["ntu"]
    hub = _by_id(plan, "5")
    assert hub.text.startswith("Create Technician SharePoint Hub - site curating all relevant info")
    assert hub.pillars == ["Visibility", "Recognition", "Career Development", "Sustainability"]
    assert hub.deadline.value == "2020-12-31" and hub.deadline.wording == "31st December 2020"
    assert hub.owners[-1] == "Dan Gittings"
    ref = _by_id(plan, "15")
    assert ref.status == "Complete"
    assert ref.comment == "21.01.2022 – New NTU acknowledgement guidelines for technical contribution to research launched"
    assert ref.success_measures == [("The contribution of technical staff is recognised in publications "
                                     "and is agreed to be a standard element of the submissions.")]
    # A wrapped comment cell joined back to its row.
    grants = _by_id(plan, "9")
    assert grants.lines == (52, 54)
    assert grants.comment.endswith("Quantifying the contributions technicians make to research.")
    # A list inside a cell stays part of the action.
    leads = _by_id(plan, "2")
    assert "Professional Registration Champion" in leads.text


def test_manchester_met_spot_checks(plans):
    plan = plans["manchester-met"]
    fair = _by_id(plan, "3.4")
    assert fair.text == ("Review and further develop the existing Technical Services Fair Attribution "
                         "Policy and develop processes to ensure this is adopted across the institution.")
    assert fair.recommendations == ["E3"]
    assert fair.pillars == ["Visibility", "Recognition", "Career Development"]
    panels = _by_id(plan, "16.2")
    assert panels.pillars == ["Visibility", "Recognition", "Career Development", "Sustainability"]
    hesa = _by_id(plan, "7.1")
    assert hesa.pillars == ["Visibility"] and hesa.text == "Continue to generate data for the Technical Services HESA report."
    # Row 6 continues after a page break: its numbering goes on.
    assert _by_id(plan, "6.8").text.startswith("Develop an annual plan to identify the most appropriate times")


def test_leicester_spot_checks(plans):
    plan = plans["leicester"]
    v1b = _by_id(plan, "V1b")
    assert v1b.parent_id == "V1"
    assert v1b.owners == ["Technician Commitment Steering Group", "Gemma Black"]
    assert v1b.owner_wording == "SG to identify case studies in their area / GB to showcase"
    assert (v1b.deadline.value, v1b.deadline.start, v1b.deadline.wording) == ("2024-12", "2024-01", "P1")
    assert v1b.talent_link_stated and not v1b.mentioned_in_feedback
    assert "\u00b2" not in v1b.text and v1b.text.endswith('and "Our Citizens".')
    r1a = _by_id(plan, "R1a")
    assert r1a.recommendations == []  # a Recognition workstream item, not TALENT R1
    assert r1a.talent_link_stated and r1a.mentioned_in_feedback
    s5 = _by_id(plan, "S5")
    assert s5.mentioned_in_feedback and not s5.talent_link_stated
    assert (s5.deadline.value, s5.deadline.start) == ("2026-12", "2025-01")
    cd3 = _by_id(plan, "CD3.1")
    assert cd3.parent_id == "CD3" and cd3.deadline.wording == "P1 and P3"
    assert cd3.owners == ["Organisational Development"]


def test_portsmouth_spot_checks(plans):
    plan = plans["portsmouth"]
    attribution = _by_id(plan, "9")
    assert attribution.title == "Develop an Attribution and Recognition Policy for Technician contributions to research"
    assert attribution.text.startswith(attribution.title + ". Explore the development of an Attribution")
    assert attribution.pillars == ["Visibility", "Recognition"]
    assert attribution.owners == ["Technician Commitment Steering Group"]
    assert attribution.supporting_actions.startswith("Work in collaboration with the Associate Dean")
    careers = _by_id(plan, "21")
    assert careers.owners == ["Recruitment and Outreach", "HR", "Technical Managers"]
    assert careers.success_measures == ["Number of work experience placement students."]
    assert careers.pillars == ["Visibility", "Career Development", "Sustainability"]
    assert _by_id(plan, "2").owners == ["Learning & Development", "Technician Commitment Steering Group"]


# --- the pieces the parsers share (kg/parsers/common.py), each rule at its edge

@pytest.mark.parametrize("lines, expected", [
    (["The Technical Staff Working Group (TSWG) meets"], {"TSWG": "Technical Staff Working Group"}),
    (["led by Human Resources (HRs) and"], {"HRs": "Human Resources"}),  # initials, not case
    (["Technical Staff Working Group (TBC)"], {}),      # not its initials: defines nothing
    (["See Staff Group (SG) and Research Office (RO)"], {"SG": "Staff Group", "RO": "Research Office"}),
    (["A B C D E F G (ABCDEFG)"], {}),                   # seven words: past the six looked at
    (["Alpha Beta Gamma Delta Epsilon Zeta (ABGDEZ)"], {"ABGDEZ": "Alpha Beta Gamma Delta Epsilon Zeta"}),
    (["Research Office (RESEARCHO)"], {}),               # a nine-letter "abbreviation"
    (["research office (RO)"], {}),
    (["Head of School (HoS)"], {}),                      # "of" breaks the run of capitals
])
def test_glossary_from_text(lines, expected):
    from kg.parsers.common import glossary_from_text

    assert glossary_from_text(lines) == expected


@pytest.mark.parametrize("text, expected", [
    ("Visibility", ["Visibility"]),
    ("RECOGNITION and visible work", ["Visibility", "Recognition"]),  # canonical order, any case
    ("Career Pathways; sustainable futures", ["Career Development", "Sustainability"]),
    ("Evaluating Impact", ["Visibility", "Recognition", "Career Development", "Sustainability"]),
    ("", ["Visibility", "Recognition", "Career Development", "Sustainability"]),
])
def test_pillars_named(text, expected):
    from kg.parsers.common import pillars_named

    assert pillars_named(text) == expected


@pytest.mark.parametrize("part, expected", [
    ("TSWG", ["Technical Staff Working Group"]),
    ("TSWG and HR", ["Technical Staff Working Group", "Human Resources"]),
    ("TSWGs", ["TSWGs"]),             # not the abbreviation on its own
    ("R&HR", ["R&HR"]),               # & joins words: no HR in it
    ("the Dean", ["the Dean"]),
])
def test_expand_owner(part, expected):
    from kg.parsers.common import expand_owner

    assert expand_owner(part, {"TSWG": "Technical Staff Working Group", "HR": "Human Resources"}) \
        == expected


# --- a source that does not have its parser's shape is refused at its line

PORTSMOUTH_BLOCK = ["Action 1", "Show our work", "Hold an open day.", "Stakeholders:", "TSG / L & D",
                    "Commitment areas:", "Visibility"]


def _portsmouth(lines, meta):
    from kg.parsers import portsmouth

    return portsmouth.parse(lines, "p.txt", meta)


def test_portsmouth_block_with_the_glossary_of_sources_json_or_none():
    lines = ["1\tShow our work", "Technical Steering Group (TSG)", *PORTSMOUTH_BLOCK]
    with_glossary = _portsmouth(lines, {"glossary": {"L & D": "Learning & Development"}})
    assert [(a.local_id, a.title, a.text, a.lines, a.pillars, a.owners) for a in with_glossary] == [
        ("1", "Show our work", "Show our work. Hold an open day.", (3, 9), ["Visibility"],
         ["Technical Steering Group", "Learning & Development"])]
    assert _portsmouth(lines, {})[0].owners == ["Technical Steering Group", "L & D"]


@pytest.mark.parametrize("lines, message", [
    (["1\tShow our work", "2\tTrain", *PORTSMOUTH_BLOCK],
     "p.txt:1: overview lists actions [1, 2] but the detail blocks are [1]"),
    (["1\tShow our work", *PORTSMOUTH_BLOCK[:5]],
     "p.txt:2: Action 1 lacks a title, a description or its commitment areas"),
    (["1\tShow our work", *PORTSMOUTH_BLOCK[:2], *PORTSMOUTH_BLOCK[3:]],
     "p.txt:2: Action 1 lacks a title, a description or its commitment areas"),
    (["1\tShow our work", "Action 1", "Commitment areas:", "Visibility"],  # no body at all
     "p.txt:2: Action 1 lacks a title, a description or its commitment areas"),
    (["1\tShow our work", *PORTSMOUTH_BLOCK, "Visibilty"],
     "p.txt:2: Action 1: unknown commitment area ['Visibilty']"),
])
def test_portsmouth_refuses_what_it_cannot_read(lines, message):
    from kg.model import SourceError

    with pytest.raises(SourceError) as refused:
        _portsmouth(lines, {})
    assert str(refused.value) == message
    assert (refused.value.path, refused.value.line) == ("p.txt", int(message.split(":")[1]))


NTU_HEADER = "Action\tTC Theme\tSuccess Criteria\tTimescale\tProgress\tResponsible\tComments"


@pytest.mark.parametrize("lines, message", [
    (["no header here"], "n.txt:1: no table header 'Action<TAB>TC Theme...' found"),
    (["intro", NTU_HEADER, "a\tb\tc"], "n.txt:3: expected 7 tab-separated cells"),
    (["intro", NTU_HEADER, "", "wrapped\t\t\t\t\t\t"], "n.txt:4: a continuation line before the first row"),
])
def test_ntu_refuses_what_it_cannot_read(lines, message):
    from kg.model import SourceError
    from kg.parsers import ntu

    with pytest.raises(SourceError) as refused:
        ntu.parse(lines, "n.txt", {})
    assert str(refused.value) == message


def test_ntu_joins_a_continuation_line_and_takes_the_last_milestone():
    from kg.parsers import ntu

    row = "Run a showcase\tVisibility\tOne event\tMarch 2021, July 2022 and May 2022\t\tHR\t"
    lines = [NTU_HEADER, row, "every year\t\t\t\tstarted\t\t"]
    [action] = ntu.parse(lines, "n.txt", {})
    assert (action.text, action.lines, action.deadline.value, action.deadline.wording,
            action.progress, action.owners) == (
        "Run a showcase every year", (2, 3), "2022-07", "March 2021, July 2022 and May 2022",
        "started", ["HR"])


def test_load_sources_reads_the_listed_files_and_names_a_broken_one(tmp_path):
    from kg.model import SourceError
    from kg.sources import load_sources

    entry = {"file": "p.txt", "slug": "p", "institution": "P University", "title": "P plan",
             "parser": "portsmouth", "period": {"start": "2024-01", "end": "2024-12",
                                                "wording": "2024"}}
    (tmp_path / "sources.json").write_text(json.dumps({"sources": [entry]}), encoding="utf-8")
    (tmp_path / "p.txt").write_text("\n".join(["1\tShow our work", *PORTSMOUTH_BLOCK]),
                                    encoding="utf-8")
    [plan] = load_sources(tmp_path)
    assert (plan.slug, plan.institution, plan.title, plan.source_file, plan.period_start,
            plan.period_end, plan.period_wording, [a.local_id for a in plan.actions]) == (
        "p", "P University", "P plan", "p.txt", "2024-01", "2024-12", "2024", ["1"])
    (tmp_path / "p.txt").write_text("\n".join(["1\tShow our work", *PORTSMOUTH_BLOCK[:5]]),
                                    encoding="utf-8")
    with pytest.raises(SourceError) as refused:
        load_sources(tmp_path)
    assert str(refused.value) == (f"{tmp_path / 'p.txt'}:2: Action 1 lacks a title, a "
                                  "description or its commitment areas")


# --- Leicester, Manchester Met and Northumbria: a small document of each shape,
# read whole, and each shape they refuse, refused at its line

LEICESTER_KEY = ["Phase 1 (P1) = Jan 24 to Dec 24", "Phase 2 (P2) = Jan 25 to Dec 25",
                 "SG = Steering Group", "Activity\tSuccess\tTime frame\tAction owner\tRAG Status\tComment"]


def test_leicester_reads_items_sub_items_phases_markers_and_owners():
    from kg.parsers import leicester

    rows = ["Workstream: Visibility\t\t\t\t\t", "V1\tShow our work^{1 2}\tOne event\tP1-P2\tSG\tGreen\tfine",
            "\tV1a. Hold a fair \u00b2.\t\tP2\tSG / HR\t\t", "\tAn unnumbered one\t\tP1\t\t\t",
            "\t\t\t\t\t\t", "short\trow"]
    got = [(a.local_id, a.parent_id, a.text, a.lines, a.pillars, a.talent_link_stated,
            a.mentioned_in_feedback, a.deadline and (a.deadline.start, a.deadline.value, a.deadline.wording),
            a.owners, a.owner_wording, a.success_measures, a.status, a.comment)
           for a in leicester.parse(LEICESTER_KEY + rows, "l.txt", {})]
    assert got == [
        ("V1", None, "Show our work", (6, 6), ["Visibility"], True, True,
         ("2024-01", "2025-12", "P1-P2"), ["Steering Group"], "SG", ["One event"], "Green", "fine"),
        ("V1a", "V1", "Hold a fair.", (7, 7), ["Visibility"], True, False,
         ("2025-01", "2025-12", "P2"), ["Steering Group", "HR"], "SG / HR", [], None, None),
        ("V1.2", "V1", "An unnumbered one", (8, 8), ["Visibility"], False, False,
         ("2024-01", "2024-12", "P1"), [], None, [], None, None),
    ]


@pytest.mark.parametrize("lines, message", [
    (LEICESTER_KEY[2:] + ["Workstream: Visibility\t", "V1\ta\tb\tP1\tSG\t\t"],
     "l.txt:1: no phase key ('Phase 1 (P1) = ...') found"),
    (LEICESTER_KEY + ["Workstream: Visibilty\t"], "l.txt:5: unknown workstream 'Visibilty'"),
    (LEICESTER_KEY + ["Workstream: Visibility\t", "X1\ta\tb\tP1\tSG\t\t"],
     "l.txt:6: row with an unknown activity id 'X1'"),
    (LEICESTER_KEY + ["Workstream: Visibility\t", "\ta\tb\tP1\tSG\t\t"],  # a sub-item before any item
     "l.txt:6: row with an unknown activity id ''"),
    (LEICESTER_KEY + ["Workstream: Visibility\t", "V1\ta\tb\tP1-P3\tSG\t\t"],
     "l.txt:6: time frame 'P1-P3' names phases [3] that the key does not define"),
    (LEICESTER_KEY + ["V1\ta\tb\tP1\tSG\t\t"], "l.txt:1: no workstream activities found"),
])
def test_leicester_refuses_what_it_cannot_read(lines, message):
    from kg.model import SourceError
    from kg.parsers import leicester

    with pytest.raises(SourceError) as refused:
        leicester.parse(lines, "l.txt", {})
    assert str(refused.value) == message


def test_manchester_met_reads_rows_continued_rows_and_goals():
    from kg.parsers import manchester_met

    lines = ["1.\tRec\t<p>Do a</p><p>Do b</p>\t\u2713\t\t\u2713\t", "1.\t\tDo c\t\t\u2713\t\t",
             "Institutional goals", "1.\tGrow.\tDo g\t\t\t\t\u2713"]
    got = [(a.local_id, a.text, a.lines, a.pillars, a.recommendations, a.institutional_goal)
           for a in manchester_met.parse(lines, "m.txt", {})]
    assert got == [
        ("1.1", "Do a", (1, 1), ["Visibility", "Recognition", "Career Development"], ["E1"], None),
        ("1.2", "Do b", (1, 1), ["Visibility", "Recognition", "Career Development"], ["E1"], None),
        ("1.3", "Do c", (2, 2), ["Visibility", "Recognition", "Career Development"], ["E1"], None),
        ("G1.1", "Do g", (4, 4), ["Sustainability"], [], "Grow"),
    ]


@pytest.mark.parametrize("lines, message", [
    (["intro"], "m.txt:1: no numbered rows found"),
    (["intro", "1.\ta\tb"], "m.txt:2: expected 7 tab-separated cells, found 3"),
    (["1.\ta\tb\t\t\t\t\t"], "m.txt:1: expected 7 tab-separated cells, found 8"),
])
def test_manchester_met_refuses_what_it_cannot_read(lines, message):
    from kg.model import SourceError
    from kg.parsers import manchester_met

    with pytest.raises(SourceError) as refused:
        manchester_met.parse(lines, "m.txt", {})
    assert str(refused.value) == message


def test_northumbria_joins_a_spilled_tail_and_stops_at_the_recommendations():
    from kg.parsers import northumbria

    lines = ["We will be visible by", "\u2022 Show work\t\u2022\tMay 2024", "more words\t\t\u2022",
             "Appendix One", "", "MI TALENT Report Recommendations", "We will go by", "x\t\u2022\tsoon"]
    got = [(a.local_id, a.text, a.source_text, a.lines, a.pillars, a.pillar_wording,
            a.deadline.value, a.deadline.wording) for a in northumbria.parse(lines, "n.txt", {})]
    assert got == [("1", "Show work more words", "Show work\nmore words", (2, 3), ["Visibility"],
                    "We will be visible", "2024-05", "May 2024")]


@pytest.mark.parametrize("lines, message", [
    (["nothing"], "n.txt:1: no 'We will ... by' section headings found"),
    (["We will be visible by", "spill\t\t\u2022"], "n.txt:2: a continuation line before any bullet"),
    (["We will be visible by", "\u2022 Show work\t\u2022\tsoon"], "n.txt:2: no deadline in 'soon'"),
    (["We will be visible by", "\u2022 \t\u2022\tMay 2024"],
     "n.txt:2: a bullet with a deadline ('May 2024') and no action text"),
    (["We will be visible by", "Show work (R1) soon"],
     "n.txt:2: no deadline in run-on text 'Show work (R1)'"),
])
def test_northumbria_refuses_what_it_cannot_read(lines, message):
    from kg.model import SourceError
    from kg.parsers import northumbria

    with pytest.raises(SourceError) as refused:
        northumbria.parse(lines, "n.txt", {})
    assert str(refused.value) == message


def test_leicester_reads_its_key_only_above_the_table_header():
    """Below "Activity<TAB>..." a line that looks like a key entry is table text:
    it neither defines a phase nor renames an owner."""
    from kg.model import SourceError
    from kg.parsers import leicester

    rows = ["Workstream: Visibility\t", "V1\ta\tb\tP1\tSG\t\t"]
    below = ["SG = Someone Else", "Phase 3 (P3) = Jan 26 to Dec 26"]
    [action] = leicester.parse(LEICESTER_KEY + below + rows, "l.txt", {})
    assert (action.owners, action.lines) == (["Steering Group"], (8, 8))
    with pytest.raises(SourceError) as refused:
        leicester.parse(LEICESTER_KEY + below + rows[:1] + ["V1\ta\tb\tP3\tSG\t\t"], "l.txt", {})
    assert str(refused.value) == "l.txt:8: time frame 'P3' names phases [3] that the key does not define"


def test_leicester_never_takes_a_phase_line_for_an_owner_abbreviation():
    """"Phase one = ..." has the shape of a key entry ("SG = ..."), but a line
    opening with "Phase" belongs to the phase key: an owner cell naming it keeps
    its own words."""
    from kg.parsers import leicester

    key = [*LEICESTER_KEY[:3], "Phase one = the first year", "XY = Someone", LEICESTER_KEY[3]]
    rows = ["Workstream: Visibility\t", "V1\ta\tb\tP1\tPhase one and XY\t\t"]
    [action] = leicester.parse(key + rows, "l.txt", {})
    assert (action.owners, action.owner_wording) == (["Phase one", "Someone"], "Phase one and XY")


def test_portsmouth_block_with_only_a_title_a_description_and_its_areas():
    """Stakeholders, success measure and supporting actions are each optional."""
    lines = ["1\tShow our work", "Action 1", "Show our work", "Hold an open day.",
             "Commitment areas:", "Visibility", "Recognition"]
    [action] = _portsmouth(lines, {})
    assert (action.text, action.pillars, action.pillar_wording, action.owners, action.owner_wording,
            action.success_measures, action.supporting_actions, action.lines) == (
        "Show our work. Hold an open day.", ["Visibility", "Recognition"], "Visibility; Recognition",
        [], None, [], None, (2, 7))


def test_portsmouth_joins_field_lines_and_ends_the_title_with_one_full_stop():
    lines = ["1\tShow our work", "2\tOpen the TSX",
             "Action 1", "Show our work.", "Hold an open day", "every year.",
             "Success Measure:", "Two open days", "a year.", "Supporting Actions Required:", "Book", "rooms.",
             "Commitment areas:", "Visibility",
             "Action 2", "Open the TSX", "Let visitors in.", "Commitment areas:", "Sustainability"]
    got = [(a.local_id, a.title, a.text, a.source_text, a.success_measures, a.supporting_actions)
           for a in _portsmouth(lines, {})]
    assert got == [
        ("1", "Show our work.", "Show our work. Hold an open day every year.",
         "Show our work.\nHold an open day\nevery year.", ["Two open days a year."], "Book rooms."),
        ("2", "Open the TSX", "Open the TSX. Let visitors in.", "Open the TSX\nLet visitors in.", [], None),
    ]


def test_ntu_a_row_with_a_theme_or_a_timescale_is_an_action_of_its_own():
    """Only a line with neither a theme nor a timescale continues the row above;
    the cells it leaves empty keep the row's own words as they were."""
    from kg.model import Deadline
    from kg.parsers import ntu

    lines = [NTU_HEADER, "Run a showcase \tVisibility\t\t\t\tHR\t",
             "\t\t\t\tstarted\t\t",
             "Publish profiles\tRecognition\t\t\t\t\t",
             "Train staff\t\t\tMay 2024\t\t\t"]
    got = [(a.local_id, a.text, a.source_text, a.lines, a.pillars, a.deadline, a.progress)
           for a in ntu.parse(lines, "n.txt", {})]
    assert got == [
        ("1", "Run a showcase", "Run a showcase ", (2, 3), ["Visibility"], None, "started"),
        ("2", "Publish profiles", "Publish profiles", (4, 4), ["Recognition"], None, None),
        ("3", "Train staff", "Train staff", (5, 5),
         ["Visibility", "Recognition", "Career Development", "Sustainability"],
         Deadline("2024-05", "May 2024"), None),
    ]


def test_northumbria_splits_a_merged_bullet_before_an_opener_four_or_more_words_in():
    """Two deadlines on one bullet: split before a word that opens another
    bullet ("reviewing"), four or more words in; three words in, or no opener at
    all, and the line stays one action with the first deadline."""
    from kg.parsers import northumbria

    lines = ["We will be visible by", "reviewing the plan\t\u2022\tMay 2024",
             "Show our work now reviewing pay\t\u2022\tJune 2024 July 2025",
             "Show our work reviewing pay\t\u2022\tJune 2024 July 2025",
             "Show our work now, then pay more\t\u2022\tJune 2024 July 2025"]
    got = [(a.local_id, a.text, a.lines, a.deadline.value, a.deadline.wording)
           for a in northumbria.parse(lines, "n.txt", {})]
    assert got == [("1", "reviewing the plan", (2, 2), "2024-05", "May 2024"),
                   ("2", "Show our work now", (3, 3), "2024-06", "June 2024"),
                   ("3", "reviewing pay", (3, 3), "2025-07", "July 2025"),
                   ("4", "Show our work reviewing pay", (4, 4), "2024-06", "June 2024"),
                   ("5", "Show our work now, then pay more", (5, 5), "2024-06", "June 2024")]


def test_northumbria_splits_a_run_on_piece_with_four_deadlines_between_each_pair():
    """The run-on last section: split after each (R#) group, then a piece with
    several dates before an opener between each two consecutive dates; each
    date leaves the text, the source text keeps it."""
    from kg.parsers import northumbria

    lines = ["We will be visible by", "reviewing the plan\t\u2022\tMay 2024",
             ("Show all of our work May 2024 with care reviewing the whole plan June 2025 at last "
              "reviewing pay for all July 2026 then reviewing the rooms for all August 2027 (R1) "
              "hosting four more fine events September 2026 (R2)")]
    got = [(a.local_id, a.text, a.source_text, a.recommendations, a.deadline.value, a.deadline.wording)
           for a in northumbria.parse(lines, "n.txt", {})]
    assert got == [
        ("1", "reviewing the plan", "reviewing the plan", [], "2024-05", "May 2024"),
        ("2", "Show all of our work with care", "Show all of our work May 2024 with care", [],
         "2024-05", "May 2024"),
        ("3", "reviewing the whole plan at last", "reviewing the whole plan June 2025 at last", [],
         "2025-06", "June 2025"),
        ("4", "reviewing pay for all then", "reviewing pay for all July 2026 then", [],
         "2026-07", "July 2026"),
        ("5", "reviewing the rooms for all (R1)", "reviewing the rooms for all August 2027 (R1)", ["R1"],
         "2027-08", "August 2027"),
        ("6", "hosting four more fine events (R2)", "hosting four more fine events September 2026 (R2)",
         ["R2"], "2026-09", "September 2026"),
    ]


def test_northumbria_takes_only_the_deadline_it_read_out_of_a_run_on_text():
    """Two dates and no opener between them: one action, the first date its
    deadline and the only one taken out of the text."""
    from kg.parsers import northumbria

    lines = ["We will be visible by", "Show our work May 2024 and the same work once more by May 2024 (R1)"]
    got = [(a.local_id, a.text, a.source_text, a.recommendations, a.deadline.value, a.deadline.wording)
           for a in northumbria.parse(lines, "n.txt", {})]
    assert got == [("1", "Show our work and the same work once more by May 2024 (R1)",
                    "Show our work May 2024 and the same work once more by May 2024 (R1)", ["R1"],
                    "2024-05", "May 2024")]


def test_northumbria_names_a_run_on_piece_with_no_deadline_by_its_first_sixty_characters():
    from kg.model import SourceError
    from kg.parsers import northumbria

    piece = "Show our work to every school and college in the region and beyond it (R1)"
    with pytest.raises(SourceError) as refused:
        northumbria.parse(["We will be visible by", piece], "n.txt", {})
    assert str(refused.value) == f"n.txt:2: no deadline in run-on text {piece[:60]!r}"
    assert len(piece) > 61


def test_northumbria_openers_wording_and_the_line_a_refusal_names():
    """A bullet sign before an opener does not hide it; a deadline cell's whole
    wording is kept; a bullet with a spilled tail is refused at its first line."""
    from kg.model import SourceError
    from kg.parsers import northumbria

    lines = ["We will be visible by", "\u2022 reviewing the plan\t\u2022\tend of May 2024",
             "Show all of our work reviewing pay\t\u2022\tJune 2024 July 2025"]
    got = [(a.local_id, a.text, a.lines, a.deadline.value, a.deadline.wording)
           for a in northumbria.parse(lines, "n.txt", {})]
    assert got == [("1", "reviewing the plan", (2, 2), "2024-05", "end of May 2024"),
                   ("2", "Show all of our work", (3, 3), "2024-06", "June 2024"),
                   ("3", "reviewing pay", (3, 3), "2025-07", "July 2025")]
    with pytest.raises(SourceError) as refused:
        northumbria.parse(["We will be visible by", "Show work\t\u2022\tsoon", "more words\t\t\u2022"],
                          "n.txt", {})
    assert str(refused.value) == "n.txt:2: no deadline in 'soon'"


def test_the_resources_shipped_are_the_repository_files_of_ontology_and_data():
    """What an installed tckg reads (kg.resources.shipped): every file under
    ontology/ and then data/ but the packages' __init__.py and bytecode, by
    path, depth first in name order, each with the repository file's bytes."""
    import subprocess
    from pathlib import Path

    from kg.resources import shipped

    # The repository's root, also when mutmut runs the tests from its copy in mutants/.
    here = Path(__file__).resolve().parent
    root = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=here, capture_output=True,
                               text=True, check=True).stdout.strip())
    tracked = subprocess.run(["git", "ls-files", "ontology", "data"], cwd=root, capture_output=True,
                             text=True, check=True).stdout.split()
    want = sorted((p for p in tracked if not p.endswith("/__init__.py")),
                  key=lambda p: (p.startswith("data/"), p.split("/")))
    got = list(shipped())
    assert [name for name, _ in got] == want
    assert all(entry.read_bytes() == (root / name).read_bytes() for name, entry in got)


def test_files_in_takes_only_the_files_with_the_suffix_by_name(tmp_path):
    from kg.resources import files_in

    for name in ("b.rq", "a.rq", "notes.txt", "c.rq.bak"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "folder.rq").mkdir()
    assert files_in(tmp_path, ".rq") == [tmp_path / "a.rq", tmp_path / "b.rq"]

"""The parsers' text helpers alone: markup, dates at the edges of their forms,
month ends (leap years, December), owner lists."""
from __future__ import annotations

import pytest

from kg.text import MONTHS, clean, find_dates, month_end, split_owners, split_paragraphs


@pytest.mark.parametrize("raw, cleaned", [
    ("<p>Fair <b>attribution</b></p>", "Fair attribution"),
    ("a&amp;b &lt;c&gt;", "a&b <c>"),
    ("  two\n\tlines   here ", "two lines here"),
    ("see [the policy](#) now", "see the policy now"),
    ("[a](#) and [b](#)", "a and b"),
    ("[kept](http://x)", "[kept](http://x)"),
    ("", ""),
    ("<br/>", ""),
])
def test_clean(raw, cleaned):
    assert clean(raw) == cleaned


def test_split_paragraphs():
    assert split_paragraphs("<p>one</p><p> </p><p>two\nlines</p>") == ["one", "two\nlines"]
    assert split_paragraphs("no paragraphs") == ["no paragraphs"]
    assert split_paragraphs("   ") == []
    assert split_paragraphs("<p></p>") == []


@pytest.mark.parametrize("text, dates", [
    ("31st January 2021", ["2021-01-31"]),
    ("1st March 2022", ["2022-03-01"]),
    ("2nd May 2022", ["2022-05-02"]),
    ("3rd June 2022", ["2022-06-03"]),
    ("30 June 2021", ["2021-06-30"]),
    ("9 Sept 2023", ["2023-09-09"]),
    ("24th Jan 2023", ["2023-01-24"]),
    ("October 2022", ["2022-10"]),
    ("Oct. 2022", ["2022-10"]),
    ("December 24", ["2024-12"]),
    ("Jan 99", ["2099-01"]),
    ("January 2000", ["2000-01"]),
    ("Jan 00", ["2000-01"]),
    ("Jan 0099", ["0099-01"]),
    ("Jan 0100", ["0100-01"]),
    ("by 11th December 2020 . feedback February 2021", ["2020-12-11", "2021-02"]),
    ("July 2023 July 2023", ["2023-07", "2023-07"]),
    ("Summer 2024", []),
    ("P1-3", []),
    ("31/3/21", []),
    ("Mayday 2022", []),
])
def test_find_dates(text, dates):
    assert [d for _, d in find_dates(text)] == dates


def test_find_dates_gives_positions_in_order():
    text = "February 2021 then 11th December 2020"
    found = find_dates(text)
    assert found == [(0, "2021-02"), (text.index("11th"), "2020-12-11")]


def test_a_day_date_is_not_also_read_as_a_month_date():
    assert find_dates("11th December 2020") == [(0, "2020-12-11")]


@pytest.mark.parametrize("value, end", [
    ("2024-02", "2024-02-29"), ("2023-02", "2023-02-28"), ("2100-02", "2100-02-28"),
    ("2000-02", "2000-02-29"), ("2024-12", "2024-12-31"), ("2024-01", "2024-01-31"),
    ("2024-04", "2024-04-30"), ("2024-06-15", "2024-06-15"), ("2024-12-01", "2024-12-01"),
])
def test_month_end(value, end):
    assert month_end(value) == end


def test_month_end_refuses_a_month_that_does_not_exist():
    with pytest.raises(ValueError):
        month_end("2024-13")
    with pytest.raises(ValueError):
        month_end("2024-00")


@pytest.mark.parametrize("value", ["2025-06x", "2025-6", "2025-060", "June 2025", ""])
def test_month_end_refuses_what_is_not_a_month(value):
    with pytest.raises(ValueError) as refused:
        month_end(value)
    assert str(refused.value) == f"not a month (YYYY-MM): {value!r}"


def test_month_names_and_abbreviations():
    assert MONTHS["january"] == 1 and MONTHS["jan"] == 1 and MONTHS["december"] == 12
    assert MONTHS["dec"] == 12 and MONTHS["sept"] == 9 and MONTHS["sep"] == 9
    assert len(MONTHS) == 24  # twelve names, eleven abbreviations (May is both), "sept"


@pytest.mark.parametrize("cell, names", [
    ("HR and Steering Group", ["HR", "Steering Group"]),
    ("Institutional Leads/ Chair", ["Institutional Leads", "Chair"]),
    ("HR/Institutional Leads/Chair", ["HR", "Institutional Leads", "Chair"]),
    ("A, B; C", ["A", "B", "C"]),
    ("Chair (supported by HR and OD)", ["Chair (supported by HR and OD)"]),
    ("Chair (HR/OD) and Dean", ["Chair (HR/OD)", "Dean"]),
    ("Brand management", ["Brand management"]),
    ("Leads.", ["Leads"]),
    ("A /  / B", ["A", "B"]),
    ("A / . / B", ["A", "B"]),
    ("Dean / X", ["Dean", "X"]),  # a one-letter name is a name
    ("A ((x)) / B", ["A ((x))", "B"]),
    ("A (x (y) z) / B", ["A (x (y) z)", "B"]),
    ("", []),
])
def test_split_owners(cell, names):
    assert split_owners(cell) == names

"""Spreadsheet rows before they become records: headings, formulas, dates, problems."""

from __future__ import annotations

from datetime import date

import pytest

from trainer_app.domain.tabular import (
    ColumnSpec,
    Problem,
    Table,
    cell_problem,
    clean_cell,
    closest,
    column_letter,
    match_headers,
    parse_date,
    read_records,
    repeats,
    split_values,
    table_from_cells,
)

COLUMNS = (
    ColumnSpec("reference", aliases=("ref", "trainee reference")),
    ColumnSpec("name", required=True),
    ColumnSpec("hub", required=True, aliases=("hub code",)),
    ColumnSpec("email", aliases=("e-mail",)),
    ColumnSpec("starts_on"),
)


def test_headings_match_ignoring_case_spaces_underscores_and_by_alias() -> None:
    match = match_headers(
        ["Trainee Reference", " NAME", "Hub_Code", "E-Mail", "Starts On"], COLUMNS
    )
    assert match.usable and match.problems == ()
    assert dict(match.columns) == {"reference": 0, "name": 1, "hub": 2, "email": 3, "starts_on": 4}
    assert match_headers(["REF", "name", "hub"], COLUMNS).columns["reference"] == 0


def test_unknown_headings_are_named_with_the_expected_ones_and_rows_still_read() -> None:
    match = match_headers(["name", "hub", "Surname", "Notes"], COLUMNS)
    assert match.usable
    (problem,) = match.problems
    assert problem.row == 1
    assert "unknown columns 'Surname', 'Notes'" in problem.message
    assert "the expected columns are reference, name, hub, email, starts_on" in problem.message
    assert "(required: name, hub)" in problem.message


def test_missing_required_and_doubled_headings_make_the_table_unusable() -> None:
    match = match_headers(["reference", "email", "E_mail"], COLUMNS)
    assert not match.usable
    assert [str(p).split(":")[0] for p in match.problems] == [
        "row 1, column email",
        "row 1, column name",
        "row 1, column hub",
    ]
    assert "'email' (column B) and 'E_mail' (column C) mean the same" in match.problems[0].message
    assert "this required column is missing" in match.problems[1].message

    records = read_records(Table(("reference", "email"), (("TR-01", "a@b.org"),)), COLUMNS)
    assert not records.complete and records.items == ()


@pytest.mark.parametrize(
    "text",
    ["=1+1", '=HYPERLINK("http://x")', "+A1", "+1-1", "@SUM(A1:A3)", "-A1+1", "- none", "-3+A1"],
)
def test_formulas_are_refused(text: str) -> None:
    reason = cell_problem(text)
    assert reason is not None and reason.endswith(
        "looks like a spreadsheet formula; type the value itself"
    )


@pytest.mark.parametrize(
    "text",
    ["-3", "-3.5", "+44 20 7946 0000", "+3", "-", "Zoë", "3-4 days", "a=b", "O'Neill", ""],
)
def test_values_that_only_start_like_formulas_are_kept(text: str) -> None:
    """A negative number and a telephone number written "+44 …" (digits and spaces only)
    are values, not formulas; so is a lone "-"."""
    assert cell_problem(text) is None


def test_spreadsheet_error_values_are_refused() -> None:
    assert (
        cell_problem("#N/A") == "the cell shows a spreadsheet error (#N/A); type the value itself"
    )
    assert cell_problem("#div/0!") is not None
    assert cell_problem("#1 trainee") is None


def test_formula_cells_name_their_row_and_column_and_are_never_kept() -> None:
    table = table_from_cells(
        [["name", "hub", "email"], ["Zoë Clarke", "LON", "=cmd|' /C calc'!A0"], ["Łukasz", "LON"]]
    )
    records = read_records(table, COLUMNS)
    assert [str(p) for p in records.problems] == [
        "row 2, column email: '=cmd|' /C calc'!A0' looks like a spreadsheet formula; "
        "type the value itself"
    ]
    assert records.items[0]["email"] == ""
    assert records.items[1]["email"] == ""  # a short row reads as blanks


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2027-01-11", date(2027, 1, 11)),
        ("11/01/2027", date(2027, 1, 11)),
        ("1/2/2027", date(2027, 2, 1)),
        ("2027-01-11 00:00:00", date(2027, 1, 11)),
    ],
)
def test_iso_and_uk_dates(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2027", "'31/02/2027' is not a real date (dates are day/month/year)"),
        ("01/13/2027", "'01/13/2027' is not a real date (dates are day/month/year)"),
        ("11/01/27", "'11/01/27' is not a date; write it as 2027-01-11 or 11/01/2027"),
        ("Jan 11 2027", "'Jan 11 2027' is not a date; write it as 2027-01-11 or 11/01/2027"),
        ("2027-02-30", "'2027-02-30' is not a real date"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r".+") as caught:
        parse_date(text)
    assert str(caught.value) == reason


def test_record_dates_add_problems_naming_row_and_column() -> None:
    records = read_records(
        table_from_cells([["name", "hub", "starts_on"], ["A", "LON", "2027-13-01"], ["B", "LON"]]),
        COLUMNS,
    )
    problems: list[Problem] = []
    first, second = records.items
    assert first.day("starts_on", problems) is None
    assert second.day("starts_on", problems) is None
    assert second.day("starts_on", problems, required=True) is None
    assert [str(p) for p in problems] == [
        "row 2, column starts_on: '2027-13-01' is not a real date",
        "row 3, column starts_on: a date is required (e.g. 2027-01-11)",
    ]


def test_empty_and_heading_only_tables() -> None:
    (empty,) = read_records(table_from_cells([]), COLUMNS, noun="trainee").problems
    assert str(empty).startswith("the file is empty; put the headings in row 1 (reference, name")
    assert empty.message.endswith("one trainee a row below them")
    blank_lines = table_from_cells([[], ["", " "]])
    assert blank_lines.headers == ()

    records = read_records(table_from_cells([["name", "hub"], [" ", ""]]), COLUMNS)
    assert not records.complete
    assert [p.message for p in records.problems] == [
        "the file has a heading row but no rows; add one record a row"
    ]


def test_blank_rows_are_skipped_but_numbering_follows_the_sheet() -> None:
    table = table_from_cells([[], ["name", "hub"], ["A", "LON"], [], ["", ""], ["B", "MAN"]])
    assert table.header_row == 2
    assert table.row_numbers == (3, 6)
    records = read_records(table, COLUMNS)
    assert [r.row for r in records.items] == [3, 6]


def test_cells_are_trimmed_and_nfc_normalised() -> None:
    decomposed = "Zoe\u0308"  # e + combining diaeresis, as macOS may write it
    assert clean_cell(f"\ufeff  {decomposed}\u00a0") == "Zoë"
    table = table_from_cells([["\ufeffname", "hub"], [f" {decomposed} ", "LON "]])
    assert table.headers == ("name", "hub")
    assert table.rows == (("Zoë", "LON"),)


def test_values_beyond_the_headings_and_under_a_blank_heading_are_problems() -> None:
    table = table_from_cells(
        [["name", "", "hub"], ["A", "", "LON", "stray"], ["B", "x", "LON", ""]]
    )
    problems = [str(p) for p in read_records(table, COLUMNS).problems]
    assert problems == [
        "row 1: column B has values (e.g. in row 3) but no heading",
        "row 2: the row has 1 more value(s) than there are headings ('stray' …); put each "
        "value under its heading",
    ]


def test_helpers() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]
    assert split_values("MSc 2027; ATAC  Spring\nMSc 2027;;") == ("MSc 2027", "ATAC Spring")
    assert list(repeats([(2, "a"), (3, ""), (4, "a"), (5, ""), (6, "a")])) == [
        (4, 2, "a"),
        (6, 2, "a"),
    ]
    assert closest("msc cgt 2027", ["MSc CGT 2026", "ATAC apprentices"]) == "MSc CGT 2026"
    assert closest("xyz", ["MSc CGT 2026"]) is None
    assert str(Problem(None, None, "the file is empty")) == "the file is empty"
    assert str(Problem(None, "hub", "missing")) == "column hub: missing"

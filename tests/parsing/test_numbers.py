"""Cells as reports print them → numbers; blanks stay None, never 0."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govreports.parsing.numbers import is_blank, is_value_cell, parse_change, parse_count, parse_money_wan


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0", 0),
        ("１２", 12),  # full-width digits
        ("1,234", 1234),
        ("1，234", 1234),  # full-width comma
        ("12件", 12),
        ("&nbsp;0", 0),  # an entity left in the text by a careless converter
        ("\u00a00\u00a0\u00a0", 0),  # nbsp padding (pingtan-2019)
        ("\u3000 7 ", 7),
        ("3985758", 3985758),
        ("5條", 5),  # Traditional unit
    ],
)
def test_counts_in_every_printed_form(cell: str, expected: int) -> None:
    assert parse_count(cell) == expected


@pytest.mark.parametrize("cell", ["", "/", "-", "—", "－", "无", "無", "\u3000", "&nbsp;", None])
def test_blank_markers_are_none_not_zero(cell: str | None) -> None:
    assert parse_count(cell) is None
    assert is_blank(cell)


@pytest.mark.parametrize("cell", ["abc", "1.5", "-3", "12%", "2021-02-05", "- 4 -"])
def test_unreadable_counts_are_none(cell: str) -> None:
    assert parse_count(cell) is None
    assert not is_blank(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("+5", 5),
        ("-6", -6),
        ("增13", 13),
        ("減2", -2),  # Traditional 減
        ("减2", -2),
        ("增加3", 3),
        ("减少1", -1),
        ("0", 0),
        ("−9", -9),  # U+2212 minus
        ("－17", -17),  # full-width hyphen-minus
        ("+1,036", 1036),
    ],
)
def test_signed_changes(cell: str, expected: int) -> None:
    assert parse_change(cell) == expected


@pytest.mark.parametrize("cell", ["", "-", "—", "增", "减少", "持平了"])
def test_changes_without_a_number_are_none(cell: str) -> None:
    assert parse_change(cell) is None


@pytest.mark.parametrize(
    ("cell", "header", "expected"),
    [
        ("4.08亿元", None, 40800),
        ("251000元", None, 25.1),
        ("76320.9万元", None, 76320.9),
        ("981.93萬元", None, 981.93),
        ("981.93万元", "采购总金额", 981.93),
        ("75394432.52元", None, 7539.443252),
        ("96171.6", "本年收费金额（单位：万元）", 96171.6),
        ("96171.6", None, 96171.6),  # bare number: 万元 by default
        ("3940", "金额（元）", 0.394),  # bare number takes the header's unit
        ("2", "金额(亿元)", 20000),
        ("1,200万元", None, 1200),
    ],
)
def test_money_is_normalised_to_wan_yuan(cell: str, header: str | None, expected: float) -> None:
    value = parse_money_wan(cell, header)
    assert value == expected
    assert isinstance(value, int) == float(expected).is_integer()


@pytest.mark.parametrize("cell", ["", "/", "—", "若干", "4.08亿美元"])
def test_money_blank_or_unreadable_is_none(cell: str) -> None:
    assert parse_money_wan(cell, "万元") is None


def test_value_cells_are_told_from_labels() -> None:
    assert is_value_cell("0") and is_value_cell("增13") and is_value_cell("") and is_value_cell("4.08亿元")
    assert not is_value_cell("1.属于国家秘密")
    assert not is_value_cell("行政许可")
    assert not is_value_cell("- 4 -")


@given(st.text(max_size=40))
def test_number_readers_never_raise_and_never_invent_negative_counts(cell: str) -> None:
    count = parse_count(cell)
    assert count is None or count >= 0
    parse_change(cell)
    parse_money_wan(cell, cell)
    is_value_cell(cell)


@pytest.mark.parametrize(
    "cell",
    [
        "12 34",  # two numbers typed into one cell
        "12\n34",  # "12<br>34", or a PDF cell holding two stacked rows
        "1\u00a02",  # nbsp between them
        "7\u30008",  # ideographic space
        "5&nbsp;&nbsp;6",  # entities left by a converter
        "1 234 567",  # ordinary spaces are never taken for thousands grouping
        "0 0 0 0 0 0 0",  # a whole row landed in one cell
        "1, 234",
    ],
)
def test_digit_groups_split_by_whitespace_are_not_glued_into_one_number(cell: str) -> None:
    assert parse_count(cell) is None
    assert parse_change(cell) is None
    assert parse_money_wan(cell, "万元") is None
    assert is_value_cell(cell)  # it keeps its column; the caller nulls it with a warning
    assert not is_blank(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1\u2009234\u2009567", 1234567),  # GB 3101 grouping by thin spaces
        ("12\u202f345", 12345),  # narrow no-break space
        ("１\u2009２３４件", 1234),
        ("12 件", 12),  # a space before the unit joins nothing
        ("增 13", 13),
        ("3\u200b4", 34),  # a zero-width space is invisible: the reader sees 34
    ],
)
def test_spaces_that_join_no_two_numbers_are_dropped(cell: str, expected: int) -> None:
    assert parse_change(cell) == expected


def test_thin_space_grouping_needs_groups_of_exactly_three_digits() -> None:
    assert parse_count("12\u200934") is None
    assert parse_count("1\u20091234") is None


@pytest.mark.parametrize("cell", ["9" * 16, "9" * 30, "1" * 10_000, "+" + "1" * 5000, "999,999,999,999,999,999"])
def test_counts_of_more_than_fifteen_digits_are_refused(cell: str) -> None:
    assert parse_count(cell) is None
    assert parse_change(cell) is None
    assert is_value_cell(cell)


def test_the_largest_accepted_count_fits_an_int64_column() -> None:
    assert parse_count("9" * 15) == 999_999_999_999_999
    assert parse_count("999,999,999,999,999") == 999_999_999_999_999
    assert parse_change("-" + "9" * 15) == -999_999_999_999_999


@pytest.mark.parametrize(
    ("cell", "header"),
    [("1" + "0" * 15, "万元"), ("1" + "0" * 12 + "亿元", None), ("9" * 10_000, None), ("0." + "1" * 10_000, None)],
)
def test_money_beyond_ten_to_the_fifteen_wan_yuan_or_absurdly_long_is_refused(cell: str, header: str | None) -> None:
    assert parse_money_wan(cell, header) is None


def test_money_just_below_the_bound_is_read() -> None:
    assert parse_money_wan("9" * 15, "万元") == 999_999_999_999_999
    assert parse_money_wan("1" + "0" * 18 + "元", None) == 10**14

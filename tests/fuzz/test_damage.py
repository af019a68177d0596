"""Damaged and random input: parsers never raise, never hang, never invent a number.

Mutations are those of real and hostile pages (dropped cells, shuffled or repeated rows, garbage
in number cells, absurd spans, tables nested 500 deep, giant rows and cells, random Unicode, pages
cut short, GBK bytes). A number in the output must be printed in the input (up to the documented
money units and change signs); a crash hidden as an "internal error" warning counts as a crash.
"""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import properties
from tests.fuzz.budget import fuzz_settings


@fuzz_settings("mutated_tables")
@given(properties.damaged_table_cases)
def test_damaged_tables_never_crash_the_mapper_or_invent_numbers(case) -> None:  # type: ignore[no-untyped-def]
    properties.damaged_tables(case)


@fuzz_settings("mutated_pages")
@given(properties.damaged_page_cases())
def test_damaged_pages_never_crash_hang_or_invent_numbers(case) -> None:  # type: ignore[no-untyped-def]
    properties.damaged_pages(case)


@fuzz_settings("random_blocks")
@given(properties.random_blocks)
def test_random_grids_and_lines_of_table_words_never_crash_or_invent_numbers(blocks) -> None:  # type: ignore[no-untyped-def]
    properties.random_block_soup(blocks)

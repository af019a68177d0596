"""Generated, consistent report tables must parse back exactly — in every layout.

The strong property of the fuzz suite: the national 2019/2021 tables with random numbers,
printed as an HTML table with rowspan/colspan, as pipe rows, one cell per line, or whitespace
rows, come back from `extract_tables` and from `parse_report` with every value in its spec key.
"""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import properties
from tests.fuzz.budget import fuzz_settings


@fuzz_settings("roundtrip_extract")
@given(properties.roundtrip_cases)
def test_generated_tables_parse_back_exactly_from_the_blocks_of_every_layout(case) -> None:  # type: ignore[no-untyped-def]
    properties.roundtrip_extract(case)


@fuzz_settings("roundtrip_parse")
@given(properties.roundtrip_cases)
def test_generated_report_pages_parse_back_exactly_through_parse_report(case) -> None:  # type: ignore[no-untyped-def]
    properties.roundtrip_parse(case)

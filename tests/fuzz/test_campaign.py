"""The fuzz campaign: every property at ≥ 10,000 generated cases in total (slow, opt-in).

Run with ``GOVREPORTS_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest -q -m slow tests/fuzz``;
without a campaign-sized budget these are skipped so `make test` stays quick (the ordinary
property tests run the small default budget there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import properties
from tests.fuzz.budget import CAMPAIGN, CAMPAIGN_TOTAL, TOTAL, fuzz_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CAMPAIGN, reason=f"set GOVREPORTS_FUZZ_EXAMPLES>={CAMPAIGN_TOTAL} to run the campaign"),
]

CAMPAIGN_PROPERTIES: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], None]]] = {
    "roundtrip_extract": (properties.roundtrip_cases, properties.roundtrip_extract),
    "roundtrip_parse": (properties.roundtrip_cases, properties.roundtrip_parse),
    "mutated_tables": (properties.damaged_table_cases, properties.damaged_tables),
    "mutated_pages": (properties.damaged_page_cases(), properties.damaged_pages),
    "random_blocks": (properties.random_blocks, properties.random_block_soup),
}


@pytest.mark.parametrize("prop", list(CAMPAIGN_PROPERTIES))
def test_campaign(prop: str) -> None:
    strategy, check = CAMPAIGN_PROPERTIES[prop]
    fuzz_settings(prop, TOTAL)(given(strategy)(check))()

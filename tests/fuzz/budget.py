"""How many generated cases the fuzz suite runs, and the hypothesis settings it runs them with.

`GOVREPORTS_FUZZ_EXAMPLES` is the total for the whole suite, split between the properties by
their share: the default (200) keeps `make test` quick. A total of 10,000 or more is a campaign:
the slow-marked `test_campaign.py` then runs every property with that budget (and the ordinary
property tests keep the default, so nothing runs twice at scale)::

    GOVREPORTS_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest -q -m slow tests/fuzz

`GOVREPORTS_FUZZ_DEADLINE_MS` (default 10000; cases take up to ~2.5 s on a loaded 2-core box)
is the per-case time bound; a case that has not returned after `HANG_SECONDS` is interrupted
and reported as a hang.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

DEFAULT_TOTAL = 200
CAMPAIGN_TOTAL = 10_000
TOTAL = int(os.environ.get("GOVREPORTS_FUZZ_EXAMPLES", DEFAULT_TOTAL))
CAMPAIGN = TOTAL >= CAMPAIGN_TOTAL
DEADLINE_MS = int(os.environ.get("GOVREPORTS_FUZZ_DEADLINE_MS", "10000"))
HANG_SECONDS = 60.0

# each property's share of the total (they sum to 1)
SHARES = {
    "roundtrip_extract": 0.15,
    "roundtrip_parse": 0.15,
    "mutated_tables": 0.30,
    "mutated_pages": 0.25,
    "random_blocks": 0.15,
}


def examples(prop: str, total: int | None = None) -> int:
    """The number of cases `prop` gets out of `total` (the ordinary tests' total by default)."""
    total = (DEFAULT_TOTAL if CAMPAIGN else TOTAL) if total is None else total
    return max(1, round(total * SHARES[prop]))


def fuzz_settings(prop: str, total: int | None = None) -> settings:
    return settings(
        max_examples=examples(prop, total),
        deadline=DEADLINE_MS,
        database=None,  # no .hypothesis directory in the tree; failures print their reproduction blob
        print_blob=True,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example),
    )

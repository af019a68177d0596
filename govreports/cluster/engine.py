"""The two things the cluster scheduler needs from Scrapy's engine that Scrapy offers no public API
for, isolated here so a Scrapy upgrade breaks one small module, caught by its test
(tests/cluster/test_engine_adapter.py), and pinned in pyproject (`scrapy>=2.19,<2.20`):

- which requests the engine is still working on (downloading, in a callback, items in the
  pipelines): a leased request is acknowledged to the shared queue only once it is not;
- waking an idle engine so it asks the scheduler again (a request arrived in the shared queue).

Both live on the engine's private `_slot` (`scrapy.core.engine._Slot`: `inprogress`, `nextcall`).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.core.engine import ExecutionEngine


def requests_in_progress(engine: ExecutionEngine | None) -> set[Request] | None:
    """The requests the engine has not finished with; None when it cannot be seen (not crawling,
    or Scrapy changed its engine)."""
    slot = getattr(engine, "_slot", None)
    inprogress = getattr(slot, "inprogress", None)
    return inprogress if isinstance(inprogress, set) else None


def wake(engine: ExecutionEngine | None) -> bool:
    """Have the engine look at the scheduler on its next turn; False when it cannot be reached."""
    nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
    schedule = getattr(nextcall, "schedule", None)
    if not callable(schedule):
        return False
    schedule()
    return True

"""The hard time limit interrupts pure-Python code that never returns (pdfminer's loops)."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from govreports.parsing.limits import HardTimeLimit, hard_time_limit


def spin_forever() -> None:
    while True:
        pass


def test_an_endless_loop_is_interrupted_and_the_alarm_handler_restored() -> None:
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(HardTimeLimit), hard_time_limit(0.3) as armed:
        assert armed
        spin_forever()
    assert time.monotonic() - started < 5
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_a_loop_that_swallows_exceptions_cannot_swallow_the_limit() -> None:
    def stubborn() -> None:
        while True:
            try:
                spin_forever()
            except Exception:  # noqa: S112  # the point: swallow everything
                continue

    with pytest.raises(HardTimeLimit), hard_time_limit(0.3):
        stubborn()


def test_work_that_finishes_in_time_is_untouched() -> None:
    with hard_time_limit(5) as armed:
        total = sum(range(1000))
    assert armed and total == 499500
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_outside_the_main_thread_the_limit_is_not_armed() -> None:
    seen: list[bool] = []

    def worker() -> None:
        with hard_time_limit(0.1) as armed:
            seen.append(armed)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [False]

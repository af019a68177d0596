"""Limits that keep one hostile file from taking the crawl down, and the hard time limit.

A downloaded body is untrusted: a PDF can loop on itself, declare a million pages or inflate a
few kilobytes into gigabytes; a DOCX can be a zip bomb. The converters check the cheap limits
up front (sizes, counts, reference loops) and refuse with a warning. What cannot be checked up
front — pure-Python library code that never returns — is cut by `hard_time_limit`, which raises
`HardTimeLimit` inside the running code when its time is up.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# PDF: pages read, pages counted beyond that (for the warning), bytes the non-image FlateDecode
# streams may inflate to in total (pdfminer inflates each whole into memory; real reports: < 5 MB)
PDF_MAX_PAGES = 200
PDF_MAX_COUNTED_PAGES = 1_000
PDF_MAX_INFLATED_BYTES = 128 * 1024 * 1024
PDF_MAX_SECONDS = 60.0
# DOCX: word/document.xml may inflate to this much (real reports: well under 5 MB)
DOCX_MAX_XML_BYTES = 64 * 1024 * 1024


class HardTimeLimit(BaseException):
    """Raised inside code that outlived its hard time limit.

    A BaseException (like KeyboardInterrupt) so that library code catching `Exception` around
    its own work cannot swallow it and keep looping.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"hard time limit of {seconds:g}s reached")
        self.seconds = seconds


@contextmanager
def hard_time_limit(seconds: float) -> Iterator[bool]:
    """Raise `HardTimeLimit` in the body if it runs longer than `seconds` (wall clock).

    Uses SIGALRM, so it only works in a process's main thread (a crawl's parse worker processes,
    `scrapy extract`) and only when no other ITIMER_REAL timer is active; elsewhere (parsing in
    the crawl's thread pool with GOVREPORTS_PARSE_PROCESSES=0) the body runs without a hard limit. Yields whether the limit is armed. The caller catches
    `HardTimeLimit` around the `with` block (it may surface just after the body ended).
    """
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield False
        return
    previous = signal.getsignal(signal.SIGALRM)
    if previous not in (signal.SIG_DFL, signal.SIG_IGN, None):
        yield False  # somebody else owns SIGALRM: leave it alone
        return

    def _expired(signum: int, frame: object) -> None:
        raise HardTimeLimit(seconds)

    signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)  # one shot: it can fire at most once
    try:
        yield True
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)

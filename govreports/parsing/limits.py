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

# Zip containers other than DOCX (XLSX, OFD, ZIP attachments): members, inflated bytes in total,
# and the inflation ratio one member may claim (a zip bomb claims thousands to one)
ZIP_MAX_MEMBERS = 2_000
ZIP_MAX_INFLATED_BYTES = DOCX_MAX_XML_BYTES
ZIP_MAX_RATIO = 200
ARCHIVE_MAX_DEPTH = 1  # a ZIP attachment's report is read; a zip inside it is not opened


def zip_refusal(members: list[tuple[str, int, int]], what: str, *, max_bytes: int = ZIP_MAX_INFLATED_BYTES) -> str | None:
    """Why a zip (its members as (name, inflated size, compressed size)) is refused, else None.

    Checked from the central directory before anything is inflated; readers still cap what they
    actually read, since a hostile directory may lie about sizes.
    """
    if len(members) > ZIP_MAX_MEMBERS:
        return f"{what} refused: {len(members)} members (limit {ZIP_MAX_MEMBERS}; zip bomb?)"
    total = sum(size for _name, size, _packed in members)
    if total > max_bytes:
        return f"{what} refused: members expand to {total} bytes (limit {max_bytes}; zip bomb?)"
    for name, size, packed in members:
        if size > 1_000_000 and size > ZIP_MAX_RATIO * max(packed, 1):
            return f"{what} refused: {name} inflates {size // max(packed, 1)}:1 (limit {ZIP_MAX_RATIO}:1; zip bomb?)"
    return None

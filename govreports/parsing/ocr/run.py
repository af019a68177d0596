"""The OCR budget: its own process pool, page and document time limits, the page cap.

OCR is far slower than parsing (seconds per page) and needs a model in memory, so it does not
run in the parse workers: `OcrPool` keeps its own processes (`GOVREPORTS_OCR_PROCESSES`), each
loading the engine on its first page. Each page is one task; a page that outlives its limit has
its process killed (the engine's C code cannot be interrupted otherwise) and is named in a
warning, and the document's own limit stops further pages. The PDF parser's 60 s limit never
sees OCR time: the parse worker receives finished `OcrPage`s.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from govreports.parsing.ocr import cache
from govreports.parsing.ocr.engine import (
    EngineUnavailable,
    engine_version,
    load_engine,
    pin_threads,
)
from govreports.parsing.ocr.images import (
    ImageRefused,
    image_dpi,
    image_frames,
    pdf_pages_needing_ocr,
    render_pdf_page,
    sniff_image,
)
from govreports.parsing.ocr.layout import LAYOUT_VERSION, read_page
from govreports.parsing.ocr.models import PAGE_IMAGES, OcrPage, OcrResult
from govreports.workers import forkserver_context

logger = logging.getLogger(__name__)
T = TypeVar("T")
MODES = ("auto", "never", "always")


@dataclass(frozen=True, slots=True)
class OcrConfig:
    """The OCR settings (GOVREPORTS_OCR_* in govreports/defaults.py)."""

    mode: str = "auto"
    engine: str = "rapidocr"
    processes: int = 1
    threads: int = 1
    dpi: int = 150
    max_pages: int = 40
    max_pixels: int = 40_000_000
    page_seconds: float = 120.0
    document_seconds: float = 1200.0
    cache_dir: str = ""
    min_confidence: float = 0.8
    page_images: int = 30  # images of a report page fetched for OCR when its own text is too short


@dataclass(frozen=True, slots=True)
class PageTask:
    """One page image to read: a PDF page (rendered in the OCR process) or an image file's frame."""

    data: bytes
    kind: str  # "pdf" | "image"
    number: int  # PDF page number, or frame number within the image file (1-based)
    dpi: int
    engine: str
    version: str
    threads: int
    cache_dir: str
    max_pixels: int


@dataclass(slots=True)
class OcrJob:
    """The pages of one body (or of a page's images in order) to read, numbered 1.. in reading order."""

    tasks: dict[int, PageTask] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def plan_body(body: bytes, config: OcrConfig, version: str, first_number: int = 1) -> OcrJob | None:
    """The OCR job for a body: the scanned pages of a PDF, or every frame of an image; None if none."""
    if config.mode == "never" or not body:
        return None
    job = OcrJob()
    task = partial(PageTask, engine=config.engine, version=version, threads=config.threads,
                   cache_dir=config.cache_dir, max_pixels=config.max_pixels)
    if _is_pdf(body):
        pages, count = pdf_pages_needing_ocr(body, config.max_pages, always=config.mode == "always")
        if count > config.max_pages and pages:
            job.warnings.append(f"ocr: only the first {config.max_pages} of {count} pages read (page cap)")
        for number in pages:
            job.tasks[number] = task(data=body, kind="pdf", number=number, dpi=config.dpi)
        return job if job.tasks else None
    if sniff_image(body) is None:
        return None
    frames = _frame_count(body)
    if frames > config.max_pages:
        job.warnings.append(f"ocr: only the first {config.max_pages} of {frames} image frames read (page cap)")
    dpi = image_dpi(body, config.dpi)
    for frame in range(1, min(frames, config.max_pages) + 1):
        job.tasks[first_number + frame - 1] = task(data=body, kind="image", number=frame, dpi=dpi)
    return job


def _is_pdf(body: bytes) -> bool:
    return body[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in body[:1024]


def _may_be_scanned(data: Any) -> bool:
    """What `plan_body` looks into further (a PDF or an image), by the same look at the first bytes."""
    return isinstance(data, bytes) and bool(data) and (_is_pdf(data) or sniff_image(data[:16]) is not None)


def _frame_count(data: bytes) -> int:
    import io

    from PIL import Image

    try:
        return max(1, int(getattr(Image.open(io.BytesIO(data)), "n_frames", 1)))
    except Exception:
        return 1


def read_task(task: PageTask) -> tuple[OcrPage, bool]:
    """In an OCR process: the page image, from the cache or read by the engine (loaded on first use)."""
    if task.kind == "pdf":
        image = render_pdf_page(task.data, task.number, task.dpi, task.max_pixels)
    else:
        image = next(_nth(image_frames(task.data, task.max_pixels, task.number), task.number))
    key = cache.image_key(image, task.dpi, LAYOUT_VERSION)
    cached = cache.load(task.cache_dir, task.version, key)
    if cached is not None:
        return cached, True
    engine = load_engine(task.engine, task.threads)
    page = read_page(image, engine, task.dpi)
    cache.store(task.cache_dir, task.version, key, page)
    return page, False


def _nth(frames: Any, number: int) -> Any:
    for index, frame in enumerate(frames, start=1):
        if index == number:
            yield frame
            return
    raise ImageRefused(f"image frame {number} missing")


def _worker_start(threads: int, then: Callable[..., None] | None, arguments: tuple[Any, ...]) -> None:
    pin_threads(threads)
    if then is not None:
        then(*arguments)


class OcrPool:
    """OCR processes of their own; `read(job)` returns an OcrResult, never raises for bad input."""

    def __init__(self, config: OcrConfig, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        self.config = config
        self._initializer = initializer
        self._initargs = initargs
        self._executor: ProcessPoolExecutor | None = None
        self.planner = ThreadPoolExecutor(1, thread_name_prefix="govreports-ocr-plan")
        self.pages_read = 0
        self.pages_cached = 0
        self.pages_failed = 0
        # pages in flight never exceed the processes: a page's time limit starts when it runs,
        # not while it waits behind another document's pages
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None

    def version(self) -> str:
        """The engine's version; raises EngineUnavailable when it is not installed."""
        return engine_version(self.config.engine)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max(1, self.config.processes), mp_context=forkserver_context(), initializer=_worker_start,
                initargs=(self.config.threads, self._initializer, self._initargs))
        return self._executor

    def _kill(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    def peak_memory_mb(self) -> float:
        """The largest peak resident memory of the running OCR processes (Linux /proc), 0 if none."""
        peak = 0.0
        for process in list(getattr(self._executor, "_processes", {}).values()):
            try:
                with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]) / 1024)
            except OSError:
                continue
        return peak

    def close(self) -> None:
        self.planner.shutdown(wait=True)
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    async def read(self, job: OcrJob) -> OcrResult:
        version = next(iter(job.tasks.values())).version if job.tasks else ""
        warnings = list(job.warnings)
        pages: dict[int, OcrPage] = {}
        cached_pages = 0
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        for number, task in sorted(job.tasks.items()):
            left = self.config.document_seconds - (time.monotonic() - started)
            if left <= 0:
                warnings.append(f"ocr: document time limit {self.config.document_seconds:.0f}s reached; "
                                f"pages from {number} on not read")
                break
            if self._slots is None or self._slots_loop is not loop:
                self._slots, self._slots_loop = asyncio.Semaphore(max(1, self.config.processes)), loop
            try:
                async with self._slots:
                    limit = min(self.config.page_seconds,
                                self.config.document_seconds - (time.monotonic() - started))
                    future = loop.run_in_executor(self._pool(), read_task, task)
                    page, cached = await asyncio.wait_for(future, timeout=max(limit, 1.0))
            except TimeoutError:
                self._kill()
                self.pages_failed += 1
                warnings.append(f"ocr: page {number} not read: time limit {limit:.0f}s reached")
                continue
            except BrokenProcessPool:
                self._kill()
                self.pages_failed += 1
                warnings.append(f"ocr: page {number} not read: the OCR process died (out of memory?)")
                continue
            except EngineUnavailable as error:
                warnings.append(f"ocr: engine unavailable: {error}")
                break
            except ImageRefused as error:
                self.pages_failed += 1
                warnings.append(f"ocr: page {number} refused: {error}")
                continue
            except Exception as error:
                self.pages_failed += 1
                warnings.append(f"ocr: page {number} not read: {type(error).__name__}: {error}")
                continue
            pages[number] = page
            cached_pages += cached
            self.pages_cached += cached
            self.pages_read += not cached
        return OcrResult(engine=self.config.engine, version=version, pages=pages, warnings=tuple(warnings),
                         seconds=round(time.monotonic() - started, 2), cached_pages=cached_pages,
                         min_confidence=self.config.min_confidence)

    def read_now_job(self, job: OcrJob) -> OcrResult:
        """`read` for callers without an event loop."""
        return _run_to_end(lambda: self.read(job))

    def read_now_report(self, body: bytes, attachments: list[dict[str, Any]]) -> dict[str, OcrResult]:
        """`read_report` for callers without an event loop (`scrapy extract`)."""
        if self.config.mode == "never":
            return {}
        return _run_to_end(lambda: read_report(self, body, attachments))


def _run_to_end(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to its end from synchronous code (in a thread if a loop already runs here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(lambda: asyncio.run(make())).result()


def unavailable_result(config: OcrConfig, error: EngineUnavailable) -> OcrResult:
    return OcrResult(engine=config.engine, version="", warnings=(f"ocr: engine unavailable: {error}",))



def body_key(body: bytes) -> str:
    import hashlib

    return hashlib.sha256(body).hexdigest()


def plan_report(body: bytes, attachments: list[dict[str, Any]], config: OcrConfig,
                version: str) -> dict[str, OcrJob]:
    """The OCR jobs of one report page: its body, each PDF attachment, and its images together.

    Keys are the sha256 of the body read (what `parse_report` is handed the result under), and
    `PAGE_IMAGES` for the page's image attachments (the report printed as one image per page),
    read as one document in the order the page shows them.
    """
    jobs: dict[str, OcrJob] = {}
    if config.mode == "never":
        return jobs
    own = plan_body(body, config, version)
    if own is not None:
        jobs[body_key(body)] = own
    images = OcrJob()
    number = 1
    for attachment in attachments:
        data = attachment.get("body") or b""
        if not isinstance(data, bytes) or not data:
            continue
        if sniff_image(data) is not None:
            if number > config.max_pages:
                images.warnings.append(f"ocr: only the first {config.max_pages} page images read (page cap)")
                break
            job = plan_body(data, config, version, first_number=number)
            if job is not None:
                images.tasks.update(job.tasks)
                images.warnings.extend(job.warnings)
                number = max(job.tasks) + 1
            continue
        job = plan_body(data, config, version)
        if job is not None:
            jobs[body_key(data)] = job
    if images.tasks:
        jobs[PAGE_IMAGES] = images
    return jobs


_ENGINE_MISSING_LOGGED: set[str] = set()


async def read_report(pool: OcrPool, body: bytes, attachments: list[dict[str, Any]]) -> dict[str, OcrResult]:
    """OCR everything scanned in one report page (see `plan_report`), keyed as `ReportPage.ocr` is.

    A missing engine gives one log line per process and a warning on each result, never a crash.
    """
    config = pool.config
    if config.mode == "never" or not any(_may_be_scanned(data) for data in
                                         (body, *(a.get("body") for a in attachments))):
        return {}  # an HTML page with HTML or DOCX attachments: nothing to plan, no thread hop
    try:
        version = pool.version()
    except EngineUnavailable as error:
        jobs = plan_report(body, attachments, config, "")
        if jobs and config.engine not in _ENGINE_MISSING_LOGGED:
            _ENGINE_MISSING_LOGGED.add(config.engine)
            logger.warning("OCR engine unavailable, scanned reports are not read: %s", error)
        return {key: unavailable_result(config, error) for key in jobs}
    # pdfium looks at text layers on one thread of its own (it is not thread-safe): never on the reactor's
    jobs = await asyncio.get_running_loop().run_in_executor(
        pool.planner, plan_report, body, attachments, config, version)
    return {key: await pool.read(job) for key, job in jobs.items()}

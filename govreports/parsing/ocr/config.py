"""`OcrConfig` from any settings object with Scrapy's getters (a crawl's or `scrapy extract`'s)."""

from __future__ import annotations

from typing import Protocol

from govreports.parsing.ocr.run import MODES, OcrConfig


class _Getters(Protocol):
    def get(self, name: str, default: object = None) -> object: ...
    def getint(self, name: str, default: int = 0) -> int: ...
    def getfloat(self, name: str, default: float = 0.0) -> float: ...


def config_from_settings(settings: _Getters) -> OcrConfig:
    mode = str(settings.get("GOVREPORTS_OCR") or "auto").strip().lower()
    return OcrConfig(
        mode=mode if mode in MODES else "auto",
        engine=str(settings.get("GOVREPORTS_OCR_ENGINE") or "rapidocr"),
        processes=max(1, settings.getint("GOVREPORTS_OCR_PROCESSES")),
        threads=max(1, settings.getint("GOVREPORTS_OCR_THREADS")),
        dpi=settings.getint("GOVREPORTS_OCR_DPI"),
        max_pages=settings.getint("GOVREPORTS_OCR_MAX_PAGES"),
        max_pixels=settings.getint("GOVREPORTS_OCR_MAX_PIXELS"),
        page_seconds=settings.getfloat("GOVREPORTS_OCR_PAGE_TIMEOUT"),
        document_seconds=settings.getfloat("GOVREPORTS_OCR_DOCUMENT_TIMEOUT"),
        cache_dir=str(settings.get("GOVREPORTS_OCR_CACHE_DIR") or ""),
        min_confidence=settings.getfloat("GOVREPORTS_OCR_MIN_CONFIDENCE"),
        page_images=0 if mode == "never" else settings.getint("GOVREPORTS_OCR_PAGE_IMAGES"),
    )

"""What OCR yields, as frozen (picklable, JSON-able) records passed from OCR processes to parsers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# the key of a page's image attachments read together as one document (ReportPage.ocr)
PAGE_IMAGES = "page-images"


@dataclass(frozen=True, slots=True)
class OcrBox:
    """One recognised text run: its text, confidence (0..1) and box in page pixels."""

    text: str
    confidence: float
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class OcrTable:
    """A ruled table: cell texts per grid slot (merged cells repeat), the lowest confidence per slot."""

    top: float
    bottom: float
    rows: tuple[tuple[str, ...], ...]
    confidences: tuple[tuple[float, ...], ...]
    cell_ids: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One page image read by OCR: text outside tables as lines, and the tables."""

    width: int
    height: int
    dpi: int
    lines: tuple[OcrBox, ...]
    tables: tuple[OcrTable, ...]
    mean_confidence: float
    skew_degrees: float = 0.0
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OcrPage:
        return cls(
            width=int(data["width"]), height=int(data["height"]), dpi=int(data["dpi"]),
            lines=tuple(OcrBox(**box) for box in data["lines"]),
            tables=tuple(
                OcrTable(
                    top=table["top"], bottom=table["bottom"],
                    rows=tuple(tuple(row) for row in table["rows"]),
                    confidences=tuple(tuple(row) for row in table["confidences"]),
                    cell_ids=tuple(tuple(row) for row in table["cell_ids"]),
                )
                for table in data["tables"]
            ),
            mean_confidence=float(data["mean_confidence"]),
            skew_degrees=float(data.get("skew_degrees", 0.0)),
            warnings=tuple(data.get("warnings", ())),
        )


@dataclass(frozen=True, slots=True)
class OcrResult:
    """The OCR of one body (a PDF's scanned pages, an image file, or a page's images in order).

    `pages` maps the 1-based page number (of the PDF, or of the image sequence) to its OcrPage;
    pages that failed or were cut by a limit are missing and named in `warnings`.
    """

    engine: str
    version: str
    pages: dict[int, OcrPage] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    cached_pages: int = 0
    # digits read below this confidence are not published (the cell is left empty)
    min_confidence: float = 0.8

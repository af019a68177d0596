"""`parse_report`: one downloaded body (HTML, text, PDF, DOCX, DOC/WPS, OFD, XLSX/XLS, RTF, or a
ZIP holding one of them) → a `ParsedReport`.

The single entry point the pipelines and `scrapy extract` call. It sniffs what the bytes are,
builds the intermediate `Document` (decode.py + html.py, plaintext.py, or the attachment
converters), reads identity (metadata.py), sections and prose figures, hands the blocks to the
table mapper (tables.py) and decides the format: the labels found in the tables win, else the
report year (≤2018 pre2019, 2019–2020 "2019", ≥2021 "2021"), else "unknown". Checks are not run
here (ValidatePipeline does). Nothing raises: every problem is a warning on the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from govreports.parsing.decode import decode_body
from govreports.parsing.doctype import classify_document
from govreports.parsing.figures import extract_figures
from govreports.parsing.metadata import ReportIdentity, extract_metadata
from govreports.parsing.models import Document, Grid, Paragraph
from govreports.parsing.sections import block_lines, sections_of_lines
from govreports.parsing.sniff import (
    DOC,
    DOCX,
    HTML,
    OFD,
    OFFICE_LEGACY_TYPES,
    PDF,
    RTF,
    TEXT,
    WPS,
    XLS,
    XLSX,
    ZIP,
    media_type_of_suffix,
    sniff_media_type,
    suffix_for,
)
from govreports.parsing.tables import Rows, extract_tables
from govreports.parsing.text import detect_script, new_document, replace_lone_surrogates
from govreports.spec import FORMATS

LEGACY_OFFICE = OFFICE_LEGACY_TYPES  # DOC and WPS: converted by LibreOffice

if TYPE_CHECKING:
    from govreports.parsing.ocr.models import OcrResult


@dataclass(frozen=True)
class ParsedReport(ReportIdentity):
    """Everything a report body yields; `govreports.build` copies the fields `ReportItem` shares with it."""

    title: str  # "" when none was found, never None
    format: str
    script: str
    text: str
    sections: list[dict[str, str]]
    tables: dict[str, Rows]
    figures: dict[str, int | float]
    warnings: list[str]
    media_type: str
    encoding: str | None
    # what the page said about its site (SiteName, SiteDomain, SiteIDCode, ColumnName)
    site_meta: dict[str, str] = field(default_factory=dict)
    # the raw meta of the Document (meta tags, labels), for debugging and dedup keys
    meta: dict[str, str] = field(default_factory=dict)
    # how many tables (Grids) the document held, for choosing between a page and its attachment
    grid_count: int = 0
    # false for a notice, 解读, 一图读懂, news page … (parsing/doctype.py); `kind` says which
    is_report: bool = True
    kind: str = "report"
    # the cells behind the table warnings: [{table, cause, count, cells}] (tables.CELL_CAUSES)
    warning_details: list[dict[str, Any]] = field(default_factory=list)
    # `source.ocr` when pages were read by OCR: engine, version, pages, mean confidence, dpi, tables
    ocr: dict[str, Any] | None = None


def format_for_year(year: int | None) -> str:
    """The national format a report year falls under (docs/research/format-research.md §7)."""
    if year is None:
        return "unknown"
    if year <= 2018:
        return "pre2019"
    if year <= 2020:
        return "2019"
    return "2021"


def _suffix(url: str, media_type: str) -> str:
    """The suffix LibreOffice is given: the URL's when it names an office file, else the sniffed type's."""
    path = urlsplit(url).path.lower()
    if media_type_of_suffix(path) in (DOC, WPS, XLS, RTF):
        return path[path.rfind("."):]
    return suffix_for(media_type) or ".doc"


def _declared_type(media_type: str | None) -> str | None:
    return media_type.split(";", 1)[0].strip().lower() if media_type else None


def build_document(
    body: bytes | str, *, url: str, media_type: str | None = None, declared_encoding: str | None = None,
    soffice: str | None = None, archive_depth: int = 0, ocr: OcrResult | None = None,
) -> tuple[Document, str, str | None, list[str]]:
    """(Document, media type used, encoding used, warnings) for any supported body; a ZIP gives the
    Document of the report file inside it (`archive_depth`: zips already opened around this body).

    `soffice`: the LibreOffice binary for DOC/WPS (the GOVREPORTS_SOFFICE setting; None: on PATH).
    `ocr` holds the pages OCR read from this body (scanned PDF pages, image frames), if any.
    """
    from govreports.parsing.html import html_to_document
    from govreports.parsing.plaintext import text_to_document

    warnings: list[str] = []
    declared = _declared_type(media_type)
    is_text_url = media_type_of_suffix(urlsplit(url).path) == TEXT  # .txt, .md … (sniff.SUFFIX_TYPES)
    if isinstance(body, str):
        kind = TEXT if declared == TEXT or (declared is None and is_text_url) else HTML
        if kind == HTML:
            return html_to_document(body, url), HTML, None, warnings
        return text_to_document(body), TEXT, None, warnings

    kind = sniff_media_type(body, media_type, url)
    image_kind = _image_kind(body)
    if image_kind is not None or (ocr is not None and not body):
        return _image_document(ocr), image_kind or "image/*", None, warnings
    if kind in (HTML, TEXT) and (declared == TEXT or (is_text_url and declared in (None, TEXT))):
        kind = TEXT
    if kind in (HTML, TEXT):
        decoded = decode_body(body, declared_encoding, look_for_meta=kind == HTML)
        warnings.extend(decoded.warnings)
        if kind == HTML:
            markup = body if decoded.utf8_exact else None  # libxml2 reads the bytes without re-encoding the text
            return html_to_document(decoded.text, url, utf8=markup), kind, decoded.encoding, warnings
        return text_to_document(decoded.text), kind, decoded.encoding, warnings
    try:
        if kind == PDF:
            from govreports.parsing.pdf import pdf_to_document

            if ocr is not None:
                from govreports.parsing.ocr.document import layout_pages

                pages, ocr_warnings = layout_pages(ocr)
                return pdf_to_document(body, ocr_pages=pages), kind, None, [*warnings, *ocr_warnings]
            return pdf_to_document(body), kind, None, warnings
        if kind == DOCX:
            from govreports.parsing.office import docx_to_document

            return docx_to_document(body), kind, None, warnings
        if kind in LEGACY_OFFICE:
            from govreports.parsing.office import legacy_office_to_document

            return legacy_office_to_document(body, _suffix(url, kind), soffice=soffice), kind, None, warnings
        if kind == OFD:
            from govreports.parsing.ofd import ofd_to_document

            return ofd_to_document(body), kind, None, warnings
        if kind in (XLSX, XLS):
            from govreports.parsing.spreadsheet import xls_to_document, xlsx_to_document

            return (xlsx_to_document(body) if kind == XLSX else xls_to_document(body)), kind, None, warnings
        if kind == RTF:
            from govreports.parsing.rtf import rtf_to_document

            return rtf_to_document(body), kind, None, warnings
        if kind == ZIP:
            return _archive_document(body, url, archive_depth, warnings, soffice)
    except ImportError as error:
        warnings.append(f"report: no converter for {kind} ({error})")
    except Exception as error:  # a converter bug must not lose the page
        warnings.append(f"report: {kind} conversion failed ({type(error).__name__}: {error})")
    else:
        warnings.append(f"report: unsupported media type {kind}")
    return Document(blocks=()), kind, None, warnings


def _archive_document(body: bytes, url: str, depth: int, warnings: list[str],
                      soffice: str | None) -> tuple[Document, str, str | None, list[str]]:
    """The Document of the report file a ZIP attachment holds (one level deep)."""
    from govreports.parsing.archives import report_member
    from govreports.parsing.limits import ARCHIVE_MAX_DEPTH

    if depth >= ARCHIVE_MAX_DEPTH:
        return Document(blocks=()), ZIP, None, [*warnings, "zip inside a zip: not opened"]
    member, problems = report_member(body)
    if member is None:
        return Document(blocks=()), ZIP, None, [*warnings, *problems]
    inner_url = f"{url.split('#', 1)[0].split('?', 1)[0].rstrip('/')}/{quote(member.name)}"
    document, _kind, encoding, inner = build_document(member.data, url=inner_url, archive_depth=depth + 1,
                                                  soffice=soffice)
    return document, ZIP, encoding, [*warnings, *member.warnings, *inner]


def _image_kind(body: bytes) -> str | None:
    """The image type of a body that is a picture (a scanned page as JPEG/PNG/TIFF), else None."""
    from govreports.parsing.ocr.images import sniff_image

    return sniff_image(body[:16])


def _image_document(ocr: OcrResult | None) -> Document:
    """An image body's Document: its OCR pages, or a warning that it could not be read."""
    if ocr is None:
        return Document(blocks=(), warnings=("image: a scanned page; OCR is off or found nothing to read",))
    from govreports.parsing.ocr.document import layout_pages
    from govreports.parsing.pdf import layout_document

    pages, warnings = layout_pages(ocr)
    if not pages:
        warnings.append("image: OCR read no page")
    return layout_document([pages[number] for number in sorted(pages)], warnings)


def _ocr_record(ocr: OcrResult | None, document: Document, tables: Mapping[str, Any]) -> dict[str, Any] | None:
    """`source.ocr`: the OCR summary and which tables came from OCR grids."""
    if ocr is None or not ocr.pages:
        return None
    from govreports.parsing.ocr.document import ocr_summary, uncertain_cells

    record = ocr_summary(ocr)
    record["cells"] = uncertain_cells(ocr)
    grids = [block for block in document.blocks if isinstance(block, Grid)]
    from_ocr = bool(grids) and all(grid.source == "ocr" for grid in grids)
    record["tables"] = sorted(tables) if from_ocr else [
        "(mixed: some grids from the text layer, some from OCR)"] if any(g.source == "ocr" for g in grids) else []
    return record


def _extract_tables(document: Document) -> tuple[dict[str, Rows], str | None, list[str], list[dict[str, Any]]]:
    try:
        result = extract_tables(document.blocks)
    except Exception as error:  # keep the rest of the report when the mapper trips
        return {}, None, [f"report: table mapping failed ({type(error).__name__}: {error})"], []
    return dict(result.tables), result.format, list(result.warnings), [dict(d) for d in result.details]


def _body_text(lines: list[tuple[str, bool]]) -> str:
    """Paragraphs and table rows (`grid_lines`), one a line."""
    return "\n".join([text for text, _ in lines])


def _prose_text(document: Document) -> str:
    """Paragraphs that are sentences, not table rows in a text layout."""
    return "\n".join(
        block.text for block in document.blocks if isinstance(block, Paragraph) and block.text.count("|") < 2
    )


def parse_report(
    body: bytes | str,
    *,
    url: str,
    media_type: str | None = None,
    declared_encoding: str | None = None,
    hints: Mapping[str, Any] | None = None,
    soffice: str | None = None,
    ocr: OcrResult | None = None,
) -> ParsedReport:
    """Parse one report body; see the module docstring. Never raises for bad input.

    `ocr` is what the OCR pool read from this body's scanned pages (None: no OCR).
    """
    new_document()  # texts remembered for the previous report are of no use for this one
    surrogate_warnings: list[str] = []
    if isinstance(body, str):
        body, replaced = replace_lone_surrogates(body)
        if replaced:
            surrogate_warnings.append(f"report: {replaced} lone surrogate(s) in the text replaced by U+FFFD")
    document, used_type, encoding, warnings = build_document(
        body, url=url, media_type=media_type, declared_encoding=declared_encoding, soffice=soffice, ocr=ocr
    )
    warnings[:0] = surrogate_warnings
    warnings.extend(document.warnings)
    metadata = extract_metadata(document, hints)
    warnings.extend(metadata.warnings)
    tables, table_format, table_warnings, warning_details = _extract_tables(document)
    warnings.extend(table_warnings)
    lines = block_lines(document.blocks)  # the tables' rows are written once, for the text and the sections
    text = _body_text(lines)

    report_format = table_format if table_format in FORMATS and table_format != "unknown" else None
    if report_format is None:
        report_format = format_for_year(metadata.report_year)
    if report_format == "unknown" and not tables and text and metadata.report_year is None:
        warnings.append("report: format unknown (no tables and no report year)")
    figures = extract_figures(_prose_text(document), report_format)
    verdict = classify_document(metadata.title, text, has_table_data=_has_numbers(tables))
    if not verdict.is_report:
        report_format = "unknown"
        warnings.append(f"report: not an annual report but a {verdict.kind} ({verdict.reason}); format unknown")
    elif table_format and metadata.report_year and table_format != format_for_year(metadata.report_year):
        warnings.append(
            f"report: tables are in the {table_format} format but the report year {metadata.report_year} "
            f"suggests {format_for_year(metadata.report_year)}"
        )

    return ParsedReport(
        title=metadata.title or "",
        agency=metadata.agency,
        report_year=metadata.report_year,
        publish_date=metadata.publish_date,
        index_no=metadata.index_no,
        publisher=metadata.publisher,
        doc_no=metadata.doc_no,
        topic=metadata.topic,
        format=report_format,
        script=detect_script(text or metadata.title or ""),
        text=text,
        sections=sections_of_lines(lines),
        tables=tables,
        figures=figures,
        warnings=warnings,
        media_type=used_type,
        encoding=encoding,
        site_meta=dict(metadata.site),
        meta=dict(document.meta),
        grid_count=sum(isinstance(block, Grid) for block in document.blocks),
        is_report=verdict.is_report,
        kind=verdict.kind,
        warning_details=warning_details,
        ocr=_ocr_record(ocr, document, tables),
    )


def _has_numbers(value: object) -> bool:
    """True when a (nested) table holds at least one number."""
    if isinstance(value, dict):
        return any(_has_numbers(item) for item in value.values())
    return isinstance(value, (int, float)) and not isinstance(value, bool)

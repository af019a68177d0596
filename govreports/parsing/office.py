"""Word attachments → `Document`: DOCX read directly, DOC/WPS converted by LibreOffice first.

A DOCX body is walked in XML order so paragraphs and tables keep their reading order (python-docx
lists them separately). Merged cells are expanded the way an HTML rowspan/colspan is: a cell
spanning columns (gridSpan) or continuing a vertical merge (vMerge) repeats its text, so every
grid is rectangular. Legacy binary files (DOC, and Kingsoft WPS, which is DOC-compatible) go
through `soffice --headless --convert-to docx` in a private profile with a timeout.

Nothing here raises on bad input: a truncated or oversized (zip bomb) DOCX, a missing LibreOffice,
a conversion that fails or hangs — each gives a `Document` with a warning saying so.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any, Iterator

from lxml import etree

from govreports.parsing.limits import DOCX_MAX_XML_BYTES
from govreports.parsing.models import Block, Document, Grid, Paragraph
from govreports.parsing.pdf import clean_cell_text
from govreports.parsing.text import collapse_whitespace

DOCUMENT_PART = "word/document.xml"
DEFAULT_MAX_XML_BYTES = DOCX_MAX_XML_BYTES  # word/document.xml larger than this is refused or cut
DEFAULT_CONVERSION_TIMEOUT = 120.0

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC, _SDT = (f"{{{_W}}}{name}" for name in ("p", "tbl", "tr", "tc", "sdt"))
_T, _TAB, _BR, _CR = (f"{{{_W}}}{name}" for name in ("t", "tab", "br", "cr"))
_DEL_TEXT = f"{{{_W}}}delText"
_VAL = f"{{{_W}}}val"
# wrappers whose children are body content in order (content controls, tracked insertions, smart tags)
_TRANSPARENT = {f"{{{_W}}}{name}" for name in ("sdtContent", "ins", "smartTag", "customXml", "hyperlink", "r", "fldSimple")}


def docx_to_document(data: bytes, *, max_xml_bytes: int = DEFAULT_MAX_XML_BYTES) -> Document:
    """Paragraphs and Grids of a DOCX body in order; warnings for damaged or oversized files."""
    xml, warnings = _document_xml(data, max_xml_bytes)
    if xml is None:
        return Document(blocks=(), warnings=tuple(warnings))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        return Document(blocks=(), warnings=(*warnings, f"docx unreadable: broken document.xml ({error})"))
    if root is None:
        return Document(blocks=(), warnings=(*warnings, "docx unreadable: document.xml has no content"))
    body = root.find(f"{{{_W}}}body")
    if body is None:
        return Document(blocks=(), warnings=(*warnings, "docx unreadable: document.xml has no body"))
    blocks = list(_body_blocks(body))
    meta = _core_properties(data)
    return Document(blocks=tuple(blocks), meta=meta, warnings=tuple(warnings))


def _document_xml(data: bytes, max_xml_bytes: int) -> tuple[bytes | None, list[str]]:
    """word/document.xml, size-checked before it is inflated; salvaged from a truncated zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        salvaged = _salvage_document_xml(data, max_xml_bytes)
        if salvaged is None:
            return None, [f"docx unreadable: truncated or not a zip file ({type(error).__name__})"]
        return salvaged, [
            "docx truncated: text recovered from the part that survived; tables may be incomplete",
            *_cut_warning(salvaged, max_xml_bytes),
        ]
    with archive:
        try:
            info = archive.getinfo(DOCUMENT_PART)
        except KeyError:
            return None, [f"docx unreadable: no {DOCUMENT_PART} in the archive (not a Word document)"]
        if info.file_size > max_xml_bytes:
            return None, [
                f"docx refused: {DOCUMENT_PART} expands to {info.file_size} bytes "
                f"(limit {max_xml_bytes}; zip bomb?)"
            ]
        try:
            with archive.open(info) as stream:
                xml = stream.read(max_xml_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
            salvaged = _salvage_document_xml(data, max_xml_bytes)
            if salvaged is None:
                return None, [f"docx unreadable: damaged {DOCUMENT_PART} ({type(error).__name__})"]
            return salvaged, [
                "docx damaged: text recovered from the readable part of document.xml",
                *_cut_warning(salvaged, max_xml_bytes),
            ]
        if len(xml) > max_xml_bytes:
            return None, [f"docx refused: {DOCUMENT_PART} larger than {max_xml_bytes} bytes (zip bomb?)"]
        return xml, []


def _cut_warning(xml: bytes, max_xml_bytes: int) -> list[str]:
    """The warning for a salvaged part that was cut at the size limit (its headers lied)."""
    if len(xml) < max_xml_bytes:
        return []
    return [f"docx cut: {DOCUMENT_PART} inflates past the {max_xml_bytes}-byte limit although its headers "
            "say less (zip bomb?); only the first part was read"]


def _salvage_document_xml(data: bytes, max_xml_bytes: int) -> bytes | None:
    """Inflate document.xml from its local header when the zip's central directory is lost."""
    marker = DOCUMENT_PART.encode()
    position = data.find(b"PK\x03\x04")
    while position >= 0:
        header = data[position : position + 30]
        if len(header) < 30:
            return None
        method = int.from_bytes(header[8:10], "little")
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        name = data[position + 30 : position + 30 + name_length]
        start = position + 30 + name_length + extra_length
        if name == marker:
            payload = data[start:]
            if method == 0:
                return payload[:max_xml_bytes] or None
            if method != 8:
                return None
            inflater = zlib.decompressobj(-15)
            try:
                xml = inflater.decompress(payload, max_xml_bytes)
            except zlib.error:
                return None
            return xml or None
        position = data.find(b"PK\x03\x04", start)
    return None


def _core_properties(data: bytes) -> dict[str, str]:
    """docProps/core.xml title/creator/created, when present (metadata hints only)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > 1_000_000:
                return {}
            xml = archive.read(info)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error):
        return {}
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return {}
    meta: dict[str, str] = {}
    if root is None:
        return meta
    for element in root:
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in ("title", "creator", "created", "modified") and (element.text or "").strip():
            meta[f"docx:{local}"] = element.text.strip()
    return meta


# --- body walk ----------------------------------------------------------------------------------


def _body_blocks(container: Any) -> Iterator[Block]:
    for element in container:
        tag = element.tag
        if tag == _P:
            text = _paragraph_text(element)
            if text:
                yield Paragraph(text)
        elif tag == _TBL:
            grid = _table_grid(element)
            if grid is not None:
                yield grid
        elif tag == _SDT:
            content = element.find(f"{{{_W}}}sdtContent")
            if content is not None:
                yield from _body_blocks(content)
        elif tag in _TRANSPARENT:
            yield from _body_blocks(element)


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    for node in paragraph.iter(_T, _TAB, _BR, _CR):
        if node.tag == _T:
            parts.append(node.text or "")
        elif node.tag == _TAB:
            parts.append(" ")
        else:
            parts.append("\n")
    return collapse_whitespace("".join(parts))


def _cell_text(cell: Any) -> str:
    """Cell paragraphs joined; line breaks inside CJK labels ("结果" / "纠正") leave no space."""
    texts = [_paragraph_text(paragraph) for paragraph in cell.iter(_P)]
    return clean_cell_text("\n".join(text for text in texts if text))


def _int_attribute(parent: Any, path: str, default: int) -> int:
    element = parent.find(path)
    if element is None:
        return default
    try:
        return max(int(element.get(_VAL, default)), 0)
    except ValueError:
        return default


def _table_grid(table: Any) -> Grid | None:
    """Rows of a w:tbl with gridSpan/vMerge expanded so every row has the same cells."""
    rows: list[list[str]] = []
    merge_origin: dict[int, str] = {}  # column → text of the vMerge="restart" cell above
    for row in table.iter(_TR):
        if row.getparent() is not table:
            continue  # a row of a nested table: its text is part of the enclosing cell
        cells: list[str] = []
        row_properties = row.find(f"{{{_W}}}trPr")
        skip_before = _int_attribute(row_properties, f"{{{_W}}}gridBefore", 0) if row_properties is not None else 0
        cells.extend([""] * skip_before)
        for cell in row.iterchildren(_TC, f"{{{_W}}}sdt"):
            for real_cell in [cell] if cell.tag == _TC else cell.iter(_TC):
                properties = real_cell.find(f"{{{_W}}}tcPr")
                span = 1
                vertical: str | None = None
                if properties is not None:
                    span = max(_int_attribute(properties, f"{{{_W}}}gridSpan", 1), 1)
                    merge = properties.find(f"{{{_W}}}vMerge")
                    if merge is not None:
                        vertical = merge.get(_VAL, "continue")
                column = len(cells)
                if vertical == "continue":
                    text = merge_origin.get(column, "")
                else:
                    text = _cell_text(real_cell)
                    if vertical == "restart":
                        for offset in range(span):
                            merge_origin[column + offset] = text
                    else:
                        for offset in range(span):
                            merge_origin.pop(column + offset, None)
                cells.extend([text] * min(span, 64))
        if any(cells):
            rows.append(cells)
    if not rows:
        return None
    width = max(len(row) for row in rows)
    padded = tuple(tuple(row + [""] * (width - len(row))) for row in rows)
    return Grid(rows=padded, source="docx")


# --- legacy DOC / WPS ---------------------------------------------------------------------------


def soffice_path(configured: str | None = None) -> str | None:
    """The LibreOffice binary, if installed: `configured` (the GOVREPORTS_SOFFICE setting) when
    given, else soffice or libreoffice on PATH."""
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def legacy_office_to_document(
    data: bytes, suffix: str, *, timeout: float = DEFAULT_CONVERSION_TIMEOUT, soffice: str | None = None
) -> Document:
    """A DOC, WPS or RTF file converted to DOCX by headless LibreOffice, then read as DOCX."""
    suffix = "." + suffix.lower().lstrip(".") if suffix else ".doc"
    if not data:
        return Document(blocks=(), warnings=(f"{suffix[1:]} unreadable: empty file",))
    if data[:4] == b"PK\x03\x04":
        document = docx_to_document(data)  # a DOCX served with a .doc name
        return Document(document.blocks, document.meta, (f"{suffix[1:]} file is really DOCX", *document.warnings))
    binary = soffice_path(soffice)
    if binary is None:
        return Document(blocks=(), warnings=("doc conversion unavailable: LibreOffice not installed",))
    # Kingsoft WPS files are Word-97 compatible: LibreOffice reads them best named .doc
    attempts = [".doc", ".wps"] if suffix == ".wps" else [suffix]
    failures: list[str] = []
    for attempt in attempts:
        converted, failure = _convert_to_docx(binary, data, attempt, timeout)
        if converted is not None:
            document = docx_to_document(converted)
            meta = {**document.meta, "converted_from": suffix[1:]}
            return Document(document.blocks, meta, document.warnings)
        failures.append(failure)
    return Document(blocks=(), warnings=(f"{suffix[1:]} conversion failed: {'; '.join(failures)}",))


def _convert_to_docx(binary: str, data: bytes, suffix: str, timeout: float) -> tuple[bytes | None, str]:
    with tempfile.TemporaryDirectory(prefix="govreports-soffice-") as workdir:
        work = Path(workdir)
        source = work / f"attachment{suffix}"
        source.write_bytes(data)
        output = work / "out"
        output.mkdir()
        profile = (work / "profile").as_uri()
        command = [
            binary,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(output),
            str(source),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "HOME": workdir},
            )
        except OSError as error:
            return None, f"cannot start LibreOffice ({error})"
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return None, f"LibreOffice timed out after {timeout:.0f}s"
        result = output / "attachment.docx"
        if result.exists() and result.stat().st_size > 0:
            return result.read_bytes(), ""
        detail = collapse_whitespace(stderr.decode("utf-8", "replace"))[:200] or f"exit code {process.returncode}"
        return None, f"LibreOffice produced no DOCX from {suffix} ({detail})"


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Stop the converter and the helpers it started (its own process group only)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        pass

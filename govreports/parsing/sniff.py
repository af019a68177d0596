"""What a downloaded body really is, whatever the server or the URL claims.

Government servers send PDFs as `application/octet-stream`, DOCX as `application/msword`, and
Hanweb's `downfile.jsp` URLs end in `.jsp`; the magic bytes decide, and the declared type and the
extension only break ties where the bytes cannot (an OLE2 file is DOC or WPS, a zip is DOCX, XLSX
or OFD, a text file is HTML or plain).
"""

from __future__ import annotations

import io
import zipfile
from urllib.parse import parse_qsl, urlsplit

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"
WPS = "application/vnd.ms-works"  # Kingsoft WPS files are OLE2 like DOC
XLS = "application/vnd.ms-excel"
OFD = "application/ofd"
RTF = "application/rtf"
ZIP = "application/zip"
HTML = "text/html"
TEXT = "text/plain"
OCTET = "application/octet-stream"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<div", b"<table", b"<p>", b"<p ")
_BINARY_IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
# the one suffix → media type table (the URL hint here, `scrapy extract`'s accepted files, the
# suffix LibreOffice is given); for text and HTML only .txt tells them apart
SUFFIX_TYPES: dict[str, str] = {
    ".pdf": PDF, ".docx": DOCX, ".doc": DOC, ".wps": WPS, ".xls": XLS, ".et": XLS, ".xlsx": XLSX,
    ".ofd": OFD, ".rtf": RTF, ".html": HTML, ".htm": HTML, ".shtml": HTML, ".xhtml": HTML, ".txt": TEXT,
    # plain text that PDF-to-markdown, crawler and OCR tools write
    ".text": TEXT, ".md": TEXT, ".markdown": TEXT, ".mdown": TEXT, ".rst": TEXT, ".asc": TEXT,
}
# What parse_report can turn into a Document, by sniffed type.
OFFICE_LEGACY_TYPES = frozenset({DOC, WPS})


def sniff_media_type(data: bytes, declared: str | None = None, url: str | None = None) -> str:
    """The media type of `data`: magic bytes first, the declared type and URL only as tie-breakers."""
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf\x00\t\r\n \x0c")
    # %PDF may follow a few junk bytes (the spec allows it within the first 1024)
    if stripped.startswith(b"%PDF") or (b"%PDF-" in data[:1024] and not _looks_like_html(stripped)):
        return PDF
    if head.startswith(_OLE2_MAGIC):
        return _ole2_type(declared, url, data)
    if head.startswith(_ZIP_MAGIC):
        return _zip_type(data, declared, url)
    if stripped.startswith(b"{\\rtf"):
        return RTF
    for magic, media_type in _BINARY_IMAGE_MAGIC.items():
        if head.startswith(magic):
            return media_type
    if _looks_like_html(stripped):
        return HTML
    if _looks_binary(head):
        hinted = _hint(declared, url)
        return hinted if hinted and not hinted.startswith("text/") else OCTET
    hinted = _hint(declared, url)
    if hinted == HTML and b"<" in head:
        return HTML
    return TEXT


def _ole2_type(declared: str | None, url: str | None, data: bytes = b"") -> str:
    """OLE2 compound files: a workbook names its `Workbook`/`Book` stream in the directory (UTF-16);
    DOC and WPS cannot be told apart cheaply, so the hints decide between them."""
    hinted = _hint(declared, url)
    if hinted in (WPS, XLS):
        return hinted
    if "Workbook".encode("utf-16-le") in data or b"B\x00o\x00o\x00k\x00\x00\x00" in data:
        return XLS
    return DOC


def _zip_type(data: bytes, declared: str | None, url: str | None) -> str:
    """A zip is DOCX only with word/document.xml inside; XLSX and OFD have their own parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        # truncated: the central directory is gone, so read the local header names instead
        names = _local_header_names(data)
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "OFD.xml" in names or any(name.lower() == "ofd.xml" for name in names):
        return OFD
    hinted = _hint(declared, url)
    if hinted in (DOCX, XLSX, OFD) and not names:
        return hinted  # too damaged to list: trust the extension, the converter will warn
    return ZIP


def _local_header_names(data: bytes) -> set[str]:
    """File names from the zip's local headers, readable even when the end is cut off."""
    names: set[str] = set()
    position = data.find(b"PK\x03\x04")
    while 0 <= position < len(data) - 30 and len(names) < 200:
        name_length = int.from_bytes(data[position + 26 : position + 28], "little")
        name = data[position + 30 : position + 30 + name_length]
        names.add(name.decode("utf-8", "replace"))
        position = data.find(b"PK\x03\x04", position + 30 + name_length)
    return names


def _looks_like_html(head: bytes) -> bool:
    lowered = head[:1024].lower()
    if lowered.startswith(b"<?xml") and b"<html" in lowered:
        return True
    return any(marker in lowered for marker in _HTML_MARKERS)


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head[:512]:
        return True
    control = sum(1 for byte in head[:512] if byte < 9 or 13 < byte < 32)
    return control > len(head[:512]) * 0.1


def _hint(declared: str | None, url: str | None) -> str | None:
    """The type the URL extension (path, else a filename= query value) or the header suggests."""
    if url:
        parts = urlsplit(url)
        candidates = [parts.path] + [value for _, value in parse_qsl(parts.query)]
        for candidate in candidates:
            lowered = candidate.lower()
            for suffix, media_type in SUFFIX_TYPES.items():
                if lowered.endswith(suffix):
                    return media_type
    if declared:
        media_type = declared.split(";", 1)[0].strip().lower()
        if media_type in ("application/kswps", "application/wps-office.wps", "application/vnd.ms-works"):
            return WPS
        if media_type in (PDF, DOCX, DOC, XLS, XLSX, OFD, RTF, HTML, TEXT):
            return media_type
        if media_type == "application/xhtml+xml":
            return HTML
    return None


def media_type_of_suffix(path: str) -> str | None:
    """The media type a file name or URL path's suffix names (`report.WPS` → WPS), None if unknown."""
    lowered = path.lower()
    dot = lowered.rfind(".")
    return SUFFIX_TYPES.get(lowered[dot:]) if dot >= 0 else None


def suffix_for(media_type: str) -> str:
    """The file suffix LibreOffice and friends expect for a sniffed type ('.doc' for DOC)."""
    for suffix, known in SUFFIX_TYPES.items():
        if known == media_type:
            return suffix
    return ""

"""RTF attachments → `Document`, through striprtf.

striprtf turns the RTF into text (Chinese from `\\'xx` bytes in the document's code page and from
`\\uN` escapes) and writes each table cell followed by `|`. The code page comes from the header
(`\\ansicpg936`); runs of lines that end in `|` become one Grid; the lines before the first table
go through the plain-text reader (label lines → meta, chrome dropped, each line a Paragraph), the
later ones are Paragraphs as they are.
"""

from __future__ import annotations

import re

from govreports.parsing.models import Block, Document, Grid, Paragraph
from govreports.parsing.pdf import clean_cell_text
from govreports.parsing.plaintext import text_to_document

MAX_RTF_BYTES = 32 * 1024 * 1024
_CODE_PAGE = re.compile(rb"\\ansicpg(\d+)")


def rtf_code_page(data: bytes) -> str:
    """The Python codec of the RTF's declared ANSI code page (GBK for 936), cp1252 by default."""
    match = _CODE_PAGE.search(data[:4096])
    if not match:
        return "cp1252"
    page = match.group(1).decode()
    return "gb18030" if page == "936" else f"cp{page}"


def rtf_to_document(data: bytes) -> Document:
    from striprtf.striprtf import rtf_to_text  # imported here: only RTF needs it

    if len(data) > MAX_RTF_BYTES:
        return Document(blocks=(), warnings=(f"rtf refused: {len(data)} bytes (limit {MAX_RTF_BYTES})",))
    encoding = rtf_code_page(data)
    try:
        text = str(rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace"))  # type: ignore[no-untyped-call]
    except Exception as error:  # noqa: BLE001 - striprtf is a state machine over untrusted text
        return Document(blocks=(), warnings=(f"rtf unreadable: {type(error).__name__}: {error}",))
    blocks: list[Block] = []
    meta: dict[str, str] = {}
    warnings: list[str] = []
    prose: list[str] = []
    table: list[tuple[str, ...]] = []

    def flush_prose() -> None:
        if prose and blocks:  # after the first block the header rules no longer apply
            blocks.extend(Paragraph(line.strip()) for line in prose)
            prose.clear()
        elif prose:
            document = text_to_document("\n".join(prose))
            blocks.extend(document.blocks)
            for key, value in document.meta.items():
                meta.setdefault(key, value)
            warnings.extend(document.warnings)
            prose.clear()

    def flush_table() -> None:
        if table:
            width = max(len(row) for row in table)
            blocks.append(Grid(tuple(row + ("",) * (width - len(row)) for row in table), source="rtf"))
            table.clear()

    for line in text.splitlines():
        if line.rstrip().endswith("|"):
            flush_prose()
            table.append(tuple(clean_cell_text(cell) for cell in line.rstrip()[:-1].split("|")))
        else:
            flush_table()
            if line.strip():
                prose.append(line)
    flush_table()
    flush_prose()
    return Document(blocks=tuple(blocks), meta=meta, warnings=tuple(warnings))

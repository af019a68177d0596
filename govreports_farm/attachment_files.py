"""Report attachments written from a report's paragraphs and tables, for the farm and the tests.

Each writer lays out one `Document` (Paragraphs and Grids, as html_to_document gives them) the way
the format carries a report:
- `xlsx_file`: one sheet per table (openpyxl);
- `ofd_file`: GB/T 33190 written by hand (OFD.xml → Doc_0/Document.xml → Pages/Page_N/Content.xml),
  text as `TextObject`/`TextCode`, tables as ruled `PathObject` lines; a label repeated right or
  down is one merged box with its text written once (counts never merge);
- `rtf_file`: `\\trowd … \\cell … \\row` tables, Chinese as `\\uN?` escapes;
- `zip_file`: members under GBK names without the UTF-8 flag, as Chinese Windows tools write them.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl

from govreports.parsing.models import Document, Grid, Paragraph

OFD_NAMESPACE = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def grids_of(document: Document) -> list[Grid]:
    return [block for block in document.blocks if isinstance(block, Grid)]


def xlsx_file(grids: list[Grid], *, title: str = "") -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, grid in enumerate(grids, 1):
        sheet = book.create_sheet(f"表{number}")
        for row in grid.rows:
            sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    if title:
        book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(x: float, y: float, text: str, size: float = 3.0) -> str:
    width = max(len(text), 1) * size
    return (f'<ofd:TextObject ID="0" Boundary="{x:.2f} {y:.2f} {width:.2f} {size + 1:.2f}" Font="1" Size="{size}">'
            f'<ofd:TextCode X="0" Y="{size:.2f}" DeltaX="g {max(len(text) - 1, 0)} {size}">{escape(text)}</ofd:TextCode>'
            "</ofd:TextObject>")


def _rule(x0: float, y0: float, x1: float, y1: float) -> str:
    left, top = min(x0, x1), min(y0, y1)
    return (f'<ofd:PathObject ID="0" Boundary="{left:.2f} {top:.2f} {abs(x1 - x0) + 0.2:.2f} {abs(y1 - y0) + 0.2:.2f}" '
            f'LineWidth="0.2"><ofd:AbbreviatedData>M {x0 - left:.2f} {y0 - top:.2f} L {x1 - left:.2f} {y1 - top:.2f}'
            "</ofd:AbbreviatedData></ofd:PathObject>")


def ofd_table(grid: Grid, top: float, left: float = 10.0, width: float = 190.0, height: float = 9.0) -> tuple[str, float]:
    """A ruled table and the y of its bottom rule."""
    rows, columns = len(grid.rows), len(grid.rows[0])
    step = width / columns
    xs = [left + c * step for c in range(columns + 1)]
    ys = [top + r * height for r in range(rows + 1)]
    # counts never merge: equal numbers side by side are separate cells
    cells = tuple(tuple(cell if not cell.isdigit() else f"{cell}\0{r}.{c}" for c, cell in enumerate(row))
                  for r, row in enumerate(grid.rows))
    parts: list[str] = []
    for r in range(rows + 1):  # horizontal rules, broken where a merged cell continues downwards
        for c in range(columns):
            if 0 < r < rows and cells[r][c] == cells[r - 1][c] and cells[r][c]:
                continue
            parts.append(_rule(xs[c], ys[r], xs[c + 1], ys[r]))
    for c in range(columns + 1):  # vertical rules, broken where a merged cell continues rightwards
        for r in range(rows):
            if 0 < c < columns and cells[r][c] == cells[r][c - 1] and cells[r][c]:
                continue
            parts.append(_rule(xs[c], ys[r], xs[c], ys[r + 1]))
    for r in range(rows):
        for c in range(columns):
            text = cells[r][c]
            continued = (c > 0 and cells[r][c - 1] == text) or (r > 0 and cells[r - 1][c] == text)
            if text and not continued:
                parts.append(_text(xs[c] + 0.8, ys[r] + 1.5, text.split("\0")[0], size=2.5))
    return "".join(parts), ys[-1]


def ofd_file(document: Document, title: str = "") -> bytes:
    """One page per table, with the paragraphs before it."""
    pages: list[str] = []
    body: list[str] = []
    y = 15.0
    for block in document.blocks:
        if isinstance(block, Paragraph):
            for start in range(0, max(len(block.text), 1), 60):  # long paragraphs wrap over lines
                body.append(_text(15.0, y, block.text[start:start + 60]))
                y += 6.0
        else:
            table, y = ofd_table(block, y + 2.0)
            body.append(table)
            pages.append("".join(body))
            body, y = [], 15.0
    if body:
        pages.append("".join(body))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {OFD_NAMESPACE} Version="1.1" '
                                    f'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID><ofd:Title>'
                                    f"{escape(title)}</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml"
                                    "</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        page_list = "".join(f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
        archive.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {OFD_NAMESPACE}>'
                                               "<ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID><ofd:PageArea>"
                                               "<ofd:PhysicalBox>0 0 210 400</ofd:PhysicalBox></ofd:PageArea>"
                                               f"</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>")
        for number, content in enumerate(pages):
            archive.writestr(f"Doc_0/Pages/Page_{number}/Content.xml",
                             f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {OFD_NAMESPACE}><ofd:Content>'
                             f'<ofd:Layer ID="1">{content}</ofd:Layer></ofd:Content></ofd:Page>')
    return buffer.getvalue()


def _rtf_escape(text: str) -> str:
    return "".join(ch if ord(ch) < 128 and ch not in "\\{}" else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?"
                   for ch in text)


def rtf_file(document: Document) -> bytes:
    parts = ["{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\n"]
    for block in document.blocks:
        if isinstance(block, Paragraph):
            parts.append(f"\\pard {_rtf_escape(block.text)}\\par\n")
        else:
            for row in block.rows:
                cells = "".join(f"\\cellx{1000 * (n + 1)}" for n in range(len(row)))
                parts.append(f"\\trowd{cells}\n\\intbl " + "".join(f"{_rtf_escape(cell)}\\cell " for cell in row)
                             + "\\row\n")
            parts.append("\\pard\\par\n")
    parts.append("}")
    return "".join(parts).encode("ascii")


class _GbkName(zipfile.ZipInfo):
    """A member name stored as GBK bytes without the UTF-8 flag (zipfile itself would store UTF-8)."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # zipfile's hook for the stored name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_file(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = _GbkName(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()

"""OFD attachments (GB/T 33190, China's fixed-layout format: a zip of XML) → `Document`.

An OFD page is positioned text (`TextObject` with a `Boundary` and `TextCode X/Y` runs) and drawn
paths (`PathObject` with `AbbreviatedData` such as `M 0 0 L 120 0`); an object's `CTM` maps its
own coordinates into its boundary (converters from PDF scale everything by one). Statistics tables are only
ruled lines with text placed inside them, so the table is rebuilt from geometry: the horizontal
and vertical rules that touch each other form one table, their distinct y and x positions the row
and column lines; two neighbouring grid cells are one merged cell when no rule separates them;
each text run goes to the cell its anchor lies in. The result is the same `Grid` as every other
format gives (merged cells repeat their text, source "ofd"); text outside tables becomes one
Paragraph per printed line, in reading order (top to bottom), page after page.

Why not a library: easyofd (PyPI, the most used Python OFD package) was evaluated. It unpacks the
archive to disk without size limits (zip bombs), needs PyMuPDF, reportlab and loguru, and returns
text runs with their boxes but no path geometry, so tables would still have to be rebuilt here.
Other PyPI packages (ofdparser, pyofd …) only convert to PDF or images. This reader takes bytes,
checks the zip directory first (limits.zip_refusal) and caps every part it reads.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from govreports.parsing.grid import merged_regions
from govreports.parsing.limits import zip_refusal
from govreports.parsing.models import Block, Document, Grid, Paragraph
from govreports.parsing.pdf import clean_cell_text

MAX_PART_BYTES = 16 * 1024 * 1024  # one page's Content.xml (real pages: < 1 MB)
MAX_PAGES = 500
TOLERANCE = 1.0  # mm: rules this close are the same line
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")


@dataclass(frozen=True, slots=True)
class TextRun:
    """One TextCode: its text and where it sits (page millimetres, y down; y is the baseline)."""

    x: float
    y: float
    size: float
    text: str

    @property
    def anchor(self) -> tuple[float, float]:
        """A point inside the first glyph: the run belongs to the cell holding it."""
        return self.x + self.size * 0.4, self.y - self.size * 0.35


@dataclass(frozen=True, slots=True)
class Segment:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= 0.3 and abs(self.x1 - self.x0) > TOLERANCE

    @property
    def vertical(self) -> bool:
        return abs(self.x1 - self.x0) <= 0.3 and abs(self.y1 - self.y0) > TOLERANCE


@dataclass
class PageContent:
    runs: list[TextRun] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


def _text_of(element: etree._Element) -> str:
    return "".join(str(part) for part in element.itertext())


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _numbers(text: str | None) -> list[float]:
    return [float(value) for value in _NUMBER.findall(text or "")]


def _parse_xml(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


class _Archive:
    """The OFD zip, read part by part with a size cap."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {name.lstrip("/").lower(): name for name in archive.namelist()}

    def read(self, path: str) -> bytes | None:
        name = self.names.get(posixpath.normpath(path).lstrip("/").lower())
        if name is None:
            return None
        info = self.archive.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            return None
        try:
            with self.archive.open(info) as stream:
                data = stream.read(MAX_PART_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
            return None
        return data if len(data) <= MAX_PART_BYTES else None

    def xml(self, path: str) -> etree._Element | None:
        data = self.read(path)
        return _parse_xml(data) if data is not None else None


def _resolve(base_dir: str, location: str) -> str:
    location = location.strip()
    if location.startswith("/"):
        return location.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, location))


def _delta_width(delta: str | None, size: float, count: int) -> float:
    """The advance of a run from its DeltaX ('g 5 3.5' = five advances of 3.5), else size per glyph."""
    tokens = (delta or "").split()
    widths: list[float] = []
    index = 0
    while index < len(tokens):
        if tokens[index] == "g" and index + 2 < len(tokens):
            try:
                widths.extend([float(tokens[index + 2])] * int(float(tokens[index + 1])))
            except ValueError:
                pass
            index += 3
            continue
        try:
            widths.append(float(tokens[index]))
        except ValueError:
            pass
        index += 1
    return sum(widths[: max(count - 1, 0)]) + size if widths else size * count


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _ctm(element: etree._Element) -> Matrix:
    """An object's CTM (`a b c d e f`, object space → boundary space); identity when absent or bad."""
    values = _numbers(element.get("CTM"))
    return (values[0], values[1], values[2], values[3], values[4], values[5]) if len(values) == 6 else IDENTITY


def _apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _path_segments(boundary: list[float], data: str | None, matrix: Matrix = IDENTITY) -> list[Segment]:
    """Straight segments of an AbbreviatedData path (M, L, C; curves skipped), in page coordinates."""
    if len(boundary) < 4:
        return []
    left, top, width, height = boundary[:4]
    tokens = (data or "").split()
    if not tokens:  # a filled box used as a rule: its long side
        if height <= 0.6 < width:
            return [Segment(left, top + height / 2, left + width, top + height / 2)]
        if width <= 0.6 < height:
            return [Segment(left + width / 2, top, left + width / 2, top + height)]
        return []
    segments: list[Segment] = []
    position: tuple[float, float] | None = None
    start: tuple[float, float] | None = None
    index = 0
    arguments = {"M": 2, "L": 2, "S": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    while index < len(tokens):
        command = tokens[index]
        count = arguments.get(command)
        if count is None:
            index += 1
            continue
        try:
            values = [float(value) for value in tokens[index + 1:index + 1 + count]]
        except ValueError:
            break
        if len(values) < count:
            break
        index += 1 + count
        if command in ("M", "S"):
            x, y = _apply(matrix, values[0], values[1])
            position = start = (left + x, top + y)
        elif command == "L" and position is not None:
            x, y = _apply(matrix, values[0], values[1])
            target = (left + x, top + y)
            segments.append(Segment(position[0], position[1], target[0], target[1]))
            position = target
        elif command == "C" and position is not None and start is not None:
            segments.append(Segment(position[0], position[1], start[0], start[1]))
            position = start
        elif count:
            x, y = _apply(matrix, values[-2], values[-1])
            position = (left + x, top + y)
    return segments


def _page_content(root: etree._Element) -> PageContent:
    content = PageContent()
    for element in root.iter():
        kind = _local(element)
        if kind == "TextObject":
            boundary = _numbers(element.get("Boundary"))
            if len(boundary) < 2:
                continue
            matrix = _ctm(element)
            size = (_numbers(element.get("Size")) or [3.5])[0]
            scaled = size * (abs(matrix[3]) or 1.0)  # the glyph height on the page
            for code in element:
                if _local(code) != "TextCode":
                    continue
                text = _text_of(code)
                if not text.strip():
                    continue
                x, y = _apply(matrix, (_numbers(code.get("X")) or [0.0])[0], (_numbers(code.get("Y")) or [size])[0])
                content.runs.append(TextRun(boundary[0] + x, boundary[1] + y, scaled, text))
        elif kind == "PathObject":
            data = next((_text_of(child) for child in element if _local(child) == "AbbreviatedData"), None)
            content.segments.extend(_path_segments(_numbers(element.get("Boundary")), data, _ctm(element)))
    return content


# --- tables from rules ---------------------------------------------------------------------------


def _touch(a: Segment, b: Segment) -> bool:
    """Two rules belong to one table when they cross, meet or continue each other."""
    ax0, ax1 = sorted((a.x0, a.x1))
    ay0, ay1 = sorted((a.y0, a.y1))
    bx0, bx1 = sorted((b.x0, b.x1))
    by0, by1 = sorted((b.y0, b.y1))
    return (ax0 - TOLERANCE <= bx1 and bx0 - TOLERANCE <= ax1
            and ay0 - TOLERANCE <= by1 and by0 - TOLERANCE <= ay1)


def _components(segments: list[Segment]) -> list[list[Segment]]:
    parent = list(range(len(segments)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for i, first in enumerate(segments):
        for j in range(i + 1, len(segments)):
            if _touch(first, segments[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[Segment]] = {}
    for index, segment in enumerate(segments):
        groups.setdefault(find(index), []).append(segment)
    return list(groups.values())


def _cluster(values: list[float]) -> list[float]:
    positions: list[float] = []
    for value in sorted(values):
        if positions and value - positions[-1] <= TOLERANCE:
            continue
        positions.append(value)
    return positions


@dataclass
class _Table:
    xs: list[float]
    ys: list[float]
    horizontals: list[Segment]
    verticals: list[Segment]

    def contains(self, point: tuple[float, float]) -> bool:
        x, y = point
        return self.xs[0] <= x < self.xs[-1] and self.ys[0] <= y < self.ys[-1]

    def _ruled_vertically(self, x: float, y_mid: float) -> bool:
        return any(abs(s.x0 - x) <= TOLERANCE and min(s.y0, s.y1) - TOLERANCE <= y_mid <= max(s.y0, s.y1) + TOLERANCE
                   for s in self.verticals)

    def _ruled_horizontally(self, y: float, x_mid: float) -> bool:
        return any(abs(s.y0 - y) <= TOLERANCE and min(s.x0, s.x1) - TOLERANCE <= x_mid <= max(s.x0, s.x1) + TOLERANCE
                   for s in self.horizontals)

    def grid(self, runs: list[TextRun]) -> Grid:
        rows, columns = len(self.ys) - 1, len(self.xs) - 1
        regions = merged_regions(
            rows, columns,
            lambda r, c: not self._ruled_vertically(self.xs[c + 1], (self.ys[r] + self.ys[r + 1]) / 2),
            lambda r, c: not self._ruled_horizontally(self.ys[r + 1], (self.xs[c] + self.xs[c + 1]) / 2))
        texts: dict[int, list[TextRun]] = {}
        for run in runs:
            x, y = run.anchor
            found_column = next((c for c in range(columns) if self.xs[c] <= x < self.xs[c + 1]), None)
            found_row = next((r for r in range(rows) if self.ys[r] <= y < self.ys[r + 1]), None)
            if found_row is not None and found_column is not None:
                texts.setdefault(regions[found_row][found_column], []).append(run)
        cell_text = {region: clean_cell_text("\n".join(_lines(found))) for region, found in texts.items()}
        return Grid(tuple(tuple(cell_text.get(regions[row][column], "") for column in range(columns))
                          for row in range(rows)), source="ofd")


def _tables(segments: list[Segment]) -> list[_Table]:
    tables: list[_Table] = []
    for group in _components([s for s in segments if s.horizontal or s.vertical]):
        horizontals = [s for s in group if s.horizontal]
        verticals = [s for s in group if s.vertical]
        xs = _cluster([s.x0 for s in verticals])
        ys = _cluster([s.y0 for s in horizontals])
        if len(xs) >= 2 and len(ys) >= 2:
            tables.append(_Table(xs, ys, horizontals, verticals))
    return tables


def _lines(runs: list[TextRun]) -> list[str]:
    """Runs grouped into printed lines (same baseline), each read left to right."""
    lines: list[list[TextRun]] = []
    for run in sorted(runs, key=lambda r: (r.y, r.x)):
        if lines and abs(lines[-1][0].y - run.y) <= max(run.size, lines[-1][0].size) * 0.5:
            lines[-1].append(run)
        else:
            lines.append([run])
    texts: list[str] = []
    for line in lines:
        pieces: list[str] = []
        previous_end: float | None = None
        for run in sorted(line, key=lambda r: r.x):
            gap = run.x - previous_end if previous_end is not None else 0.0
            if pieces and gap > run.size * 1.5 and pieces[-1][-1:].isascii() and run.text[:1].isascii():
                pieces.append(" ")
            pieces.append(run.text)
            previous_end = run.x + _delta_width(None, run.size, len(run.text))
        texts.append("".join(pieces).strip())
    return [text for text in texts if text]


def _page_blocks(content: PageContent) -> list[Block]:
    tables = _tables(content.segments)
    placed: list[tuple[float, Block]] = []
    outside: list[TextRun] = []
    inside: dict[int, list[TextRun]] = {}
    for run in content.runs:
        holder = next((i for i, t in enumerate(tables) if t.contains(run.anchor)), None)
        if holder is None:
            outside.append(run)
        else:
            inside.setdefault(holder, []).append(run)
    for index, table in enumerate(tables):
        placed.append((table.ys[0], table.grid(inside.get(index, []))))
    lines: list[list[TextRun]] = []
    for run in sorted(outside, key=lambda r: (r.y, r.x)):
        if lines and abs(lines[-1][0].y - run.y) <= run.size * 0.5:
            lines[-1].append(run)
        else:
            lines.append([run])
    for line in lines:
        text = " ".join(_lines(line))
        if text:
            placed.append((line[0].y - line[0].size, Paragraph(text)))
    return [block for _y, block in sorted(placed, key=lambda item: item[0])]


def ofd_to_document(data: bytes) -> Document:
    """Paragraphs and Grids of every page, in order; warnings for damaged or oversized files."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        return Document(blocks=(), warnings=(f"ofd unreadable: not a zip file ({type(error).__name__})",))
    with archive:
        refused = zip_refusal([(i.filename, i.file_size, i.compress_size) for i in archive.infolist()], "ofd")
        if refused:
            return Document(blocks=(), warnings=(refused,))
        parts = _Archive(archive)
        root = parts.xml("OFD.xml")
        if root is None:
            return Document(blocks=(), warnings=("ofd unreadable: no OFD.xml entry file",))
        doc_root = next((_text_of(e).strip() for e in root.iter() if _local(e) == "DocRoot"), "")
        title = next((_text_of(e).strip() for e in root.iter() if _local(e) == "Title"), "")
        document = parts.xml(doc_root) if doc_root else None
        if document is None:
            return Document(blocks=(), warnings=(f"ofd unreadable: DocRoot {doc_root or '(none)'} missing or broken",))
        base = posixpath.dirname(_resolve("", doc_root))
        pages = [e.get("BaseLoc") or "" for e in document.iter() if _local(e) == "Page" and e.get("BaseLoc")]
        warnings: list[str] = []
        if len(pages) > MAX_PAGES:
            warnings.append(f"ofd: {len(pages)} pages, only the first {MAX_PAGES} read")
        blocks: list[Block] = []
        for location in pages[:MAX_PAGES]:
            page = parts.xml(_resolve(base, location))
            if page is None:
                warnings.append(f"ofd: page {location} missing, too large or broken")
                continue
            blocks.extend(_page_blocks(_page_content(page)))
    meta = {"ofd:title": title} if title else {}
    if not blocks:
        warnings.append("ofd: no text layer (a scanned image?)")
    return Document(blocks=tuple(blocks), meta=meta, warnings=tuple(warnings))

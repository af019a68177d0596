"""The intermediate document every source (HTML, text, PDF, DOCX) is reduced to.

Table finding and mapping work on `Block`s only, so they do not care where a table came from:
an HTML `<table>` becomes a `Grid` with rowspan/colspan expanded, a PDF table a `Grid` from its
cell geometry, and everything else `Paragraph` lines in reading order (text tables written with
pipes, one cell per line or whitespace are recognised from paragraphs by `tables.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One line or paragraph of body text, as published (original script)."""

    text: str


@dataclass(frozen=True, slots=True)
class Grid:
    """A table as a rectangular matrix of cell texts; merged cells repeat their text."""

    rows: tuple[tuple[str, ...], ...]
    source: str = "html"  # html | pdf | docx | text


Block = Paragraph | Grid


@dataclass(frozen=True, slots=True)
class Document:
    """The report body in reading order plus what the page says about itself."""

    blocks: tuple[Block, ...]
    meta: dict[str, str] = field(default_factory=dict)  # ArticleTitle, PubDate, ... and label-table values
    warnings: tuple[str, ...] = ()

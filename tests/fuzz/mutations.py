"""Damage done to a generated report before it is parsed: what real and hostile pages do.

Table-level mutations work on the rows of cells (dropped cells, shuffled or repeated rows,
garbage in number cells, absurd rowspan/colspan, stray Unicode); page-level ones on the rendered
page (tables nested 500 levels deep, a giant row, the page cut short, random characters spliced
in, GBK bytes with or without a charset declaration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from hypothesis import strategies as st

from tests.fuzz.reports import Cell, Report, Table, body_parts, render_page

GARBAGE_NUMBERS = (
    "1.2.3", "12a", "９９", "1e5", "NaN", "inf", "-", "—", "/", "无", "1,2,3", "0x1F", "½", "٣٤", "١٢٣",
    "+-5", "增减3", "3件件", "4.08亿元元", "9" * 400, "0" * 50 + "7", "-0", "+0", "１２３，４５６", "12 34", "3\u200b4",
    "1\u00a02", "²", "Ⅻ", "十二", "12%", "(3)", "[5]", "5-", "--5", ".5", "5.", "1/2", "3 件", "&nbsp;", "\u3000",
    "7\u30008", "12\n34", "1\u2009234\u2009567", "12\u2009345", "9" * 16, "9" * 30, "1" * 5000,
)
NUMBER_TEXT = st.one_of(
    st.sampled_from(GARBAGE_NUMBERS),
    st.integers(-10**12, 10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl", "Pd", "Zs"]), max_size=8),
    st.text(max_size=12),
)
STRAY_TEXT = st.text(min_size=1, max_size=6)


@dataclass(frozen=True)
class Mutation:
    name: str
    apply: Callable[[Report], Report]


def _with_table(report: Report, index: int, change: Callable[[Table], Table]) -> Report:
    tables = list(report.tables)
    i = index % len(tables)
    tables[i] = change(tables[i])
    return replace(report, tables=tuple(tables))


def _with_cell(table: Table, row: int, col: int, change: Callable[[Cell], Cell | None]) -> Table:
    rows = [list(cells) for cells in table.rows]
    if not rows:
        return table
    r = row % len(rows)
    if not rows[r]:
        return table
    c = col % len(rows[r])
    new = change(rows[r][c])
    if new is None:
        del rows[r][c]
    else:
        rows[r][c] = new
    return replace(table, rows=tuple(tuple(cells) for cells in rows))


def _value_position(table: Table, pick: int) -> tuple[int, int]:
    positions = [(r, c) for r, row in enumerate(table.rows) for c, cell in enumerate(row) if cell.value]
    return positions[pick % len(positions)] if positions else (0, 0)


@st.composite
def table_mutations(draw: st.DrawFn) -> Mutation:
    kind = draw(st.sampled_from(("drop_cell", "shuffle_rows", "garbage_number", "huge_span", "repeat_rows",
                                 "drop_row", "stray_text", "giant_cell")))
    t, r, c = draw(st.integers(0, 50)), draw(st.integers(0, 500)), draw(st.integers(0, 50))
    if kind == "drop_cell":
        return Mutation(kind, lambda rep: _with_table(rep, t, lambda tab: _with_cell(tab, r, c, lambda _: None)))
    if kind == "drop_row":
        def drop_row(tab: Table) -> Table:
            rows = list(tab.rows)
            if rows:
                del rows[r % len(rows)]
            return replace(tab, rows=tuple(rows))
        return Mutation(kind, lambda rep: _with_table(rep, t, drop_row))
    if kind == "shuffle_rows":
        order = draw(st.permutations(range(40)))
        def shuffle(tab: Table) -> Table:
            keys = {i: order[i] if i < len(order) else i for i in range(len(tab.rows))}
            return replace(tab, rows=tuple(row for _, row in sorted(zip(keys.values(), tab.rows), key=lambda p: p[0])))
        return Mutation(kind, lambda rep: _with_table(rep, t, shuffle))
    if kind == "garbage_number":
        garbage = draw(NUMBER_TEXT)
        def spoil(tab: Table) -> Table:
            row, col = _value_position(tab, r)
            return _with_cell(tab, row, col, lambda cell: replace(cell, text=garbage))
        return Mutation(f"{kind}({garbage[:20]!r})", lambda rep: _with_table(rep, t, spoil))
    if kind == "huge_span":
        span = draw(st.sampled_from((0, 1000, 65535, 100_000, 10**9, 2**31, 10**18)))
        which = draw(st.sampled_from(("rowspan", "colspan", "both")))
        def widen(cell: Cell) -> Cell:
            if which == "rowspan":
                return replace(cell, rowspan=span)
            if which == "colspan":
                return replace(cell, colspan=span)
            return replace(cell, rowspan=span, colspan=span)
        return Mutation(f"{kind}({which}={span})", lambda rep: _with_table(rep, t, lambda tab: _with_cell(tab, r, c, widen)))
    if kind == "repeat_rows":
        times = draw(st.sampled_from((2, 10, 300, 2000)))
        def repeat(tab: Table) -> Table:
            rows = list(tab.rows)
            if rows:
                i = r % len(rows)
                rows[i:i + 1] = [rows[i]] * times
            return replace(tab, rows=tuple(rows))
        return Mutation(f"{kind}(x{times})", lambda rep: _with_table(rep, t, repeat))
    if kind == "giant_cell":
        size = draw(st.sampled_from((10_000, 300_000)))
        filler = draw(st.sampled_from(("字", "、", " ", "行政许可", "1", "1 ")))
        return Mutation(f"{kind}({size}x{filler!r})", lambda rep: _with_table(
            rep, t, lambda tab: _with_cell(tab, r, c, lambda cell: replace(cell, text=(filler * size)[:size]))))
    stray = draw(STRAY_TEXT)
    where = draw(st.sampled_from(("before", "after", "replace")))
    def scribble(cell: Cell) -> Cell:
        text = {"before": stray + cell.text, "after": cell.text + stray, "replace": stray}[where]
        return replace(cell, text=text)
    return Mutation(f"stray_text({where} {stray!r})", lambda rep: _with_table(
        rep, t, lambda tab: _with_cell(tab, r, c, scribble)))


# ------------------------------------------------------------------------------ page level


@dataclass(frozen=True)
class Page:
    """A rendered body as parse_report receives it, and the text the oracle compares against."""

    body: str | bytes
    url: str
    media_type: str | None
    source: str  # the text the body was made from (numbers are judged against it)


def nested(report: Report, depth: int, wrapper: str) -> str:
    """The page with every table wrapped `depth` levels deep."""
    opening, closing = {
        "div": ("<div>", "</div>"),
        "table": ("<table><tr><td>", "</td></tr></table>"),
        "font": ("<font>", ""),  # unclosed, as Word-exported HTML leaves them
    }[wrapper]
    parts = [opening * depth + part + closing * depth if part.startswith("<table") else part
             for part in body_parts(report, "html")]
    return render_page(report, "html", parts)


def giant_row(width: int) -> str:
    cells = "".join(f"<td>{i}</td>" for i in range(width))
    return f'<table><tr><td>行政许可</td>{cells}</tr><tr><td colspan="{width}">总计</td></tr></table>'


@st.composite
def pages(draw: st.DrawFn, report: Report, layout: str) -> tuple[Page, str]:
    """The report rendered in `layout` and then damaged at page level (or not); and what was done."""
    html = layout == "html"
    url = "http://127.0.0.1/report/t20240115_1.html" if html else "http://127.0.0.1/report/a.txt"
    media_type = "text/html" if html else "text/plain"
    text = render_page(report, layout)
    choices = ["none", "truncate", "splice", "gbk", "gbk_undeclared", "control"]
    if html:
        choices += ["nest_div", "nest_table", "nest_font", "giant_row", "unclosed"]
    kind = draw(st.sampled_from(choices))
    if kind == "truncate":
        cut = draw(st.integers(0, len(text)))
        text = text[:cut]
    elif kind == "splice":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(min_size=1, max_size=40)) + text[at:]
    elif kind == "control":
        at = draw(st.integers(0, len(text)))
        # a lone surrogate ("\ud800") is what a JSON "\\ud800" escape decodes to
        text = text[:at] + draw(st.sampled_from(("\x00", "\x0b\x0c", "\ufeff", "\u202e", "\r\r\n", "\x1b[2J",
                                                 "\ud800", "\udfff\ud800"))) + text[at:]
    elif kind == "nest_div":
        text = nested(report, draw(st.sampled_from((50, 200, 500))), "div")
    elif kind == "nest_table":
        text = nested(report, draw(st.sampled_from((20, 100, 500))), "table")
    elif kind == "nest_font":
        text = nested(report, draw(st.sampled_from((100, 500))), "font")
    elif kind == "giant_row":
        text = text.replace('<div id="zoom">', '<div id="zoom">' + giant_row(draw(st.sampled_from((500, 5000)))), 1)
    elif kind == "unclosed":
        text = text.replace("</td>", "").replace("</tr>", "")
    if kind in ("gbk", "gbk_undeclared"):
        if kind == "gbk" and html:
            text = text.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gbk">')
        elif kind == "gbk_undeclared":
            text = text.replace('<meta charset="utf-8">', "")
        body: str | bytes = text.encode("gbk", "replace")
        return Page(body, url, None if kind == "gbk_undeclared" else media_type, text), kind
    return Page(text, url, media_type, text), kind

"""The five real seed reports (tests/fixtures/seeds/*.txt) turned into farm reports.

The seed texts are extractions of real pages: chrome lines (breadcrumbs, hit counters, footers)
go back into page chrome, metadata lines into the 信息公开 block, and the flattened statistics
tables (pipe rows in 002/003, one cell per line in 004) are parsed back into numbers and rendered
as `<table>`s with the seed's own labels (truncated headers, Traditional script, lost headers kept).
What the parser must find is seeds/expected.json, copied verbatim into the manifest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from govreports.parsing.text import simplify
from govreports_farm.reportdata import Report
from govreports_farm.tables import TableStyle, render_active_disclosure, render_applications, render_review

SEEDS_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "seeds"

_NUMBER = re.compile(r"^[+\-增减]?\d+(?:\.\d+)?(?:万元|亿元|元)?$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|（[一二三四五六七八九十]+）)")
# in one-cell-per-line seeds a table ends at the next section heading ("三、收到和处理…情况")
_SECTION_AFTER_TABLE = re.compile(r"^[二三四五六七]、.*情况")
_APPLICATION_ROWS = ("new_received", "carried_over", "granted", "partially_granted",
                     "denied_state_secret", "denied_law_prohibited", "denied_security_stability",
                     "denied_third_party", "denied_internal_affairs", "denied_process_info",
                     "denied_enforcement_file", "denied_admin_query", "unable_not_held",
                     "unable_needs_creation", "unable_still_unclear", "not_processed_petition",
                     "not_processed_duplicate", "not_processed_publication", "not_processed_excessive",
                     "not_processed_confirmation", "other_handling", "results_total", "carried_forward")
_ACTIVE_ROWS = (("规章", "regulations"), ("规范性文件", "normative_documents"), ("行政许可", "licensing"),
                ("其他对外管理服务事项", "other_services"), ("行政处罚", "punishment"), ("行政强制", "coercion"),
                ("行政事业性收费", "admin_fees"), ("政府集中采购", "procurement"))
_ACTIVE_COLUMNS = {"art20_1": ("new_made", "new_published", "total_published"),
                   "art20_5": ("previous_items", "change", "decisions"),
                   "art20_6": ("previous_items", "change", "decisions"),
                   "art20_8": ("previous_items", "change"),
                   "art20_9": ("projects", "amount")}
_BLOCK_KEYS = {"(一)": "art20_1", "(五)": "art20_5", "(六)": "art20_6", "(八)": "art20_8", "(九)": "art20_9"}


@dataclass
class SeedPage:
    """A seed split into what goes into page chrome and what is the report body."""

    name: str
    title: str
    breadcrumb: str | None
    info_line: str | None
    footer_lines: list[str]
    after_content: list[str]
    body_html: str
    meta_lines: list[str] = field(default_factory=list)


def _is_number(token: str) -> bool:
    return bool(_NUMBER.match(simplify(token).replace(" ", "")))


def _table_kind(token: str) -> str | None:
    plain = simplify(token).replace(" ", "")
    if plain.startswith("第二十条"):
        return "active"
    if "勾稽关系" in plain:
        return "applications"
    if plain in ("行政复议", "行政复议|行政诉讼"):
        return "review"
    return None


def _parse_active(tokens: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Seed table 1 tokens → raw cell texts per row/column and the seed's labels."""
    active: dict[str, dict[str, Any]] = {}
    labels: dict[str, str] = {}
    block = "art20_1"
    header: list[str] | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        plain = simplify(token).replace(" ", "")
        if plain.startswith("第二十条"):
            block = next((key for mark, key in _BLOCK_KEYS.items() if mark in plain), block)
            labels[block] = token
            index += 1
            continue
        if plain == "信息内容":
            labels["content"] = token
            header = []
            index += 1
            continue
        row = next((key for label, key in _ACTIVE_ROWS if plain.endswith(label) and not _is_number(token)), None)
        if row is not None:
            columns = _ACTIVE_COLUMNS[block]
            values = tokens[index + 1:index + 1 + len(columns)]
            labels[row if row != "normative_documents" else "normative_documents_2019"] = token
            active[row] = dict(zip(columns, values))
            if header:
                for column, text in zip(columns, header):
                    labels.setdefault(column if column != "amount" else "amount", text)
            header = None
            index += 1 + len(columns)
            continue
        if header is not None:
            header.append(token)
        index += 1
    procurement = active.get("procurement", {})
    if "amount" in procurement:
        procurement["amount_text"] = procurement.pop("amount")
    return active, labels


def _parse_applications(tokens: list[str]) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Seed table 2 tokens → the 23 rows of the 2019 layout, mapped by order, labels kept."""
    rows: list[tuple[str, list[str]]] = []
    pending_labels: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1:index + 8]
        if not _is_number(token) and len(following) == 7 and all(_is_number(t) for t in following):
            rows.append((token, tokens[index + 1:index + 8]))
            index += 8
            continue
        pending_labels.append(token)
        index += 1
    if len(rows) != len(_APPLICATION_ROWS):
        raise ValueError(f"seed applications table has {len(rows)} rows, expected {len(_APPLICATION_ROWS)}")
    labels: dict[str, str] = {}
    for key, (label, _values) in zip(_APPLICATION_ROWS, rows):
        labels[key] = label
    for token in pending_labels:
        plain = simplify(token).replace(" ", "")
        for marker, key in (("勾稽关系", "balance_note"), ("申请人情况", "applicants"), ("本年度办理结果", "results"),
                            ("不予公开", "denied"), ("无法提供", "unable"), ("不予处理", "not_processed"),
                            ("法人或其他组织", "legal_persons"), ("自然人", "natural_person"), ("商业企业", "commercial_enterprise"),
                            ("科研机构", "research_institution"), ("社会公益组织", "public_welfare_org"),
                            ("法律服务机构", "legal_service_org"), ("总计", "total")):
            if marker in plain:
                labels.setdefault(key, token)
                break
        else:
            if plain == "其他":
                labels.setdefault("other_org", token)
    return {key: values for key, (_label, values) in zip(_APPLICATION_ROWS, rows)}, labels


def _parse_review(tokens: list[str]) -> tuple[dict[str, list[str]], dict[str, str], bool]:
    numbers = [t for t in tokens if _is_number(t)][-15:]
    review = {"review": numbers[0:5], "litigation_direct": numbers[5:10], "litigation_after_review": numbers[10:15]}
    labels: dict[str, str] = {}
    lost_header = True
    for token in tokens:
        plain = simplify(token).replace(" ", "")
        for marker, key in (("行政复议", "review"), ("行政诉讼", "litigation"), ("未经复议直接起诉", "litigation_direct"),
                            ("复议后起诉", "litigation_after_review"), ("结果维持", "upheld"), ("结果纠正", "corrected"),
                            ("其他结果", "other"), ("尚未审结", "pending"), ("总计", "total")):
            if plain == marker:
                labels.setdefault(key, token.strip())
                if key == "upheld":
                    lost_header = False
    return review, labels, lost_header


def _paragraph(line: str) -> str:
    text = escape(line.strip())
    if _HEADING.match(line.strip()) and len(line) < 60:
        return f'<p style="text-indent:2em;"><strong>{text}</strong></p>'
    return f'<p style="text-indent:2em;">{text}</p>'


def _render_table(kind: str, tokens: list[str], style: TableStyle) -> str:
    if kind == "active":
        active, labels = _parse_active(tokens)
        return render_active_disclosure(active, "2019", style, labels=labels, change_style="raw")
    if kind == "applications":
        apps, labels = _parse_applications(tokens)
        return render_applications(apps, style, labels=labels)
    review, labels, lost_header = _parse_review(tokens)
    return render_review(review, style, labels=labels, lost_header=lost_header)


def _split_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|") if cell.strip()]


def load_seed_page(name: str, title: str, style: TableStyle) -> SeedPage:
    """Read one seed text and separate chrome, metadata and body (tables rendered as HTML)."""
    lines = [line.rstrip() for line in (SEEDS_DIR / name).read_text(encoding="utf-8").splitlines()]
    breadcrumb = info = None
    footer: list[str] = []
    after: list[str] = []
    meta: list[str] = []
    body: list[str] = []
    table_kind: str | None = None
    table_tokens: list[str] = []
    one_cell_per_line = False

    def flush() -> None:
        nonlocal table_kind, table_tokens
        if table_kind and table_tokens:
            body.append(_render_table(table_kind, table_tokens, style))
        table_kind, table_tokens = None, []

    seen_content = False
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line == title or (not seen_content and line == "政府信息公开"):
            continue
        if line.startswith(("您的位置", "您当前的位置")):
            breadcrumb = line
            continue
        if line.startswith(("索 引 号", "索引号:", "发布机构 ", "发文日期:", "文  号", "名  称")):
            meta.append(line)
            continue
        if line.startswith(("来源:", "发布时间:", "日期:")):
            info = line
            continue
        if line.startswith(("扫一扫", "国务院部门网站", "地方政府网站", "市政府部门网站", "区(县)政府网站")):
            after.append(line)
            continue
        if line.startswith(("版权所有", "主办单位", "站點地圖", "網站標識碼", "![]()")):
            footer.append(line)
            continue
        seen_content = True
        cells = _split_cells(line) if "|" in line else [line]
        kind = _table_kind(cells[0])
        if kind is not None and kind != table_kind and not (kind == "review" and table_kind == "review"):
            flush()
            table_kind = kind
            one_cell_per_line = "|" not in line
            table_tokens.extend(cells)
            continue
        if table_kind is not None:
            if "|" in line or (one_cell_per_line and not _SECTION_AFTER_TABLE.match(line)):
                table_tokens.extend(cells)
                continue
            flush()
        body.append(_paragraph(line))
    flush()
    return SeedPage(name=name, title=title, breadcrumb=breadcrumb, info_line=info, footer_lines=footer,
                    after_content=after, body_html="\n".join(body), meta_lines=meta)


def load_expected() -> dict[str, dict[str, Any]]:
    expected: dict[str, dict[str, Any]] = json.loads((SEEDS_DIR / "expected.json").read_text(encoding="utf-8"))
    return expected


def seed_report(name: str, *, key: str, agency: str, publisher: str, publish_date: date,
                style: TableStyle) -> tuple[Report, SeedPage]:
    """A farm Report whose body is the seed and whose expectations are seeds/expected.json."""
    expected = load_expected()[name]
    page = load_seed_page(name, expected["title"], style)
    report = Report(key=key, agency=expected.get("agency", agency), title=expected["title"],
                    report_year=expected["report_year"], format=expected["format"],
                    publish_date=date.fromisoformat(expected["publish_date"]) if "publish_date" in expected else publish_date,
                    publisher=expected.get("publisher", publisher), index_no=expected.get("index_no"),
                    topic=expected.get("topic", "政府信息公开年报"), script=expected.get("script", "hans"),
                    seed=name, seed_expected=expected, body_html=page.body_html)
    return report, page

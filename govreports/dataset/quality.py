"""The quality report: ONE self-contained HTML file (inline CSS, inline SVG, a little inline JS).

Charts are SVG drawn here in Python, so the file opens offline with no CDN: reports per year and
format (stacked bars), coverage by province (portals / column found / with reports), failing
checks by rule, agencies with the most inconsistencies. Tables link back to the source pages.
Every chart is an `<svg class="chart" data-chart=NAME>` whose data marks are `.mark` elements.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govreports.dataset.flatten import failing_rules
from govreports.spec import FORMATS, rule_family

if TYPE_CHECKING:
    from govreports.dataset import Dataset

FORMAT_COLORS = {"pre2019": "#9e9e9e", "2019": "#1f77b4", "2021": "#2ca02c", "unknown": "#d62728"}
COVERAGE_SERIES = (("portals", "#bdbdbd"), ("column found", "#6baed6"), ("with reports", "#08519c"))
FAMILY_COLORS = {
    "applications.balance": "#d62728", "applications.results_sum": "#ff7f0e", "applications.row_sum": "#e377c2",
    "review_litigation.sum": "#9467bd", "active_disclosure.published_le_total": "#8c564b",
    "active_disclosure.issued_le": "#8c564b", "prose_vs_table": "#bcbd22",
    "continuity.carried_over": "#17becf", "continuity.in_force": "#17becf",
}
UNKNOWN_PROVINCE = "(unknown)"
MAX_TABLE_ROWS = 500


# --- site status ----------------------------------------------------------------------------------

def load_site_status(path: Path | str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """`{site_id: {...}}` or `[{"id": ...}, ...]` from JSON; problems are returned, not raised.

    The entries are site statuses (`govreports.state.base.SiteStatus`, as JSON); a run summary
    (`<feed>.summary.json`) is read through its `sites`.
    Fields read per site (others ignored): province and name (top level or under `site`),
    column_url / column_found (column found when truthy), reports_yielded / reports_seen / reports
    (count), and a reason: `discovery` ("no_column: …") or `blocked_reason`.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, [f"{path}: cannot read site status: {exc}"]
    if isinstance(data, dict) and isinstance(data.get("sites"), dict) and "finish_reason" in data:
        data = data["sites"]  # a run summary
    problems: list[str] = []
    status: dict[str, dict[str, Any]] = {}
    entries = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    if not entries:
        problems.append(f"{path}: site status must be an object keyed by site id or a list of objects")
    for key, entry in entries:
        if not isinstance(entry, dict):
            problems.append(f"{path}: entry {key!r} is not an object; ignored")
            continue
        site_id = str(entry.get("id") or entry.get("site_id") or (key if isinstance(data, dict) else ""))
        if not site_id:
            problems.append(f"{path}: entry {key!r} has no site id; ignored")
            continue
        site = entry.get("site") if isinstance(entry.get("site"), dict) else {}
        normalized = dict(entry)
        for key in ("province", "name"):
            if not normalized.get(key) and site.get(key):
                normalized[key] = site[key]
        if not normalized.get("reason"):
            discovery = str(entry.get("discovery") or "")
            normalized["reason"] = entry.get("blocked_reason") or (discovery if discovery.startswith("no_column") else None)
        status[site_id] = normalized
    return status, problems


def _column_found(entry: dict[str, Any]) -> bool:
    return bool(entry.get("column_found") or entry.get("column_url") or entry.get("column"))


def _status_reports(entry: dict[str, Any]) -> int:
    for key in ("reports_yielded", "reports_seen", "reports", "reports_found"):
        value = entry.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


# --- SVG charts ---------------------------------------------------------------------------------

def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_width(text: str) -> float:
    """Rough width in px at 11px: CJK characters are about twice as wide as Latin ones."""
    return sum(11.5 if ord(ch) > 0x2E80 else 6.2 for ch in text)


def _legend(series: Sequence[tuple[str, str]], x: float, y: float) -> str:
    parts = []
    for index, (name, color) in enumerate(series):
        left = x + index * 120
        parts.append(
            f'<rect class="legend" x="{left}" y="{y - 10}" width="12" height="12" fill="{color}"/>'
            f'<text x="{left + 16}" y="{y}" class="tick">{escape(name)}</text>'
        )
    return "".join(parts)


def _empty_chart(name: str, title: str) -> str:
    return (
        f'<svg class="chart" data-chart="{name}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 640 80" width="640" height="80"><text x="320" y="45" text-anchor="middle" '
        f'class="empty">no data</text></svg>'
    )


def stacked_bar_chart(name: str, title: str, categories: Sequence[str],
                      series: Sequence[tuple[str, str, Sequence[int]]]) -> str:
    """Vertical stacked bars: one bar per category, one stacked segment per (name, color, values)."""
    totals = [sum(values[i] for _, _, values in series) for i in range(len(categories))]
    if not categories or not any(totals):
        return _empty_chart(name, title)
    width, height, left, top, bottom = 640, 300, 44, 30, 40
    plot_w, plot_h = width - left - 12, height - top - bottom
    peak = _nice_max(max(totals))
    slot = plot_w / len(categories)
    bar_w = max(2.0, min(40.0, slot * 0.7))
    parts = [f'<svg class="chart" data-chart="{name}" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line class="grid" x1="{left}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    label_every = max(1, math.ceil(len(categories) / 16))
    for index, category in enumerate(categories):
        x = left + slot * index + (slot - bar_w) / 2
        base = top + plot_h
        for series_name, color, values in series:
            value = values[index]
            if not value:
                continue
            h = plot_h * value / peak
            base -= h
            parts.append(
                f'<rect class="mark" data-series="{escape(series_name)}" x="{x:.1f}" y="{base:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{color}">'
                f'<title>{escape(category)} · {escape(series_name)}: {value}</title></rect>'
            )
        if index % label_every == 0:
            parts.append(f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" '
                         f'text-anchor="middle">{escape(category)}</text>')
    parts.append(_legend([(n, c) for n, c, _ in series], left, height - 8))
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bar_chart(name: str, title: str, labels: Sequence[str],
                         series: Sequence[tuple[str, str, Sequence[int]]],
                         colors: Sequence[str] | None = None) -> str:
    """Horizontal bars, grouped when several series are given; `colors` colours single bars."""
    if not labels or not any(any(values) for _, _, values in series):
        return _empty_chart(name, title)
    group_h = 8 + 14 * len(series)
    shown = [_short(label, 40) for label in labels]
    left = min(320, max(80, 12 + max(_text_width(label) for label in shown)))
    top, right = 10, 60
    width = 640
    height = top + group_h * len(labels) + (30 if len(series) > 1 else 10)
    peak = max(max(values) for _, _, values in series) or 1
    plot_w = width - left - right
    parts = [f'<svg class="chart" data-chart="{name}" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for index, label in enumerate(labels):
        y0 = top + group_h * index
        parts.append(f'<text class="label" x="{left - 8}" y="{y0 + group_h / 2 + 4:.1f}" text-anchor="end">'
                     f'<title>{escape(label)}</title>{escape(shown[index])}</text>')
        for s_index, (series_name, color, values) in enumerate(series):
            value = values[index]
            fill = colors[index] if colors and len(series) == 1 else color
            y = y0 + 4 + 14 * s_index
            w = plot_w * value / peak
            if value:
                parts.append(
                    f'<rect class="mark" data-series="{escape(series_name)}" x="{left}" y="{y:.1f}" '
                    f'width="{max(w, 1):.1f}" height="12" fill="{fill}">'
                    f'<title>{escape(label)} · {escape(series_name)}: {value}</title></rect>'
                )
            parts.append(f'<text class="tick" x="{left + w + 4:.1f}" y="{y + 10:.1f}">{value}</text>')
    if len(series) > 1:
        parts.append(_legend([(n, c) for n, c, _ in series], left, height - 8))
    parts.append("</svg>")
    return "".join(parts)


# --- data for the charts --------------------------------------------------------------------------

def _site(item: dict[str, Any]) -> dict[str, Any]:
    site = item.get("site")
    return site if isinstance(site, dict) else {}


def _agency(item: dict[str, Any]) -> str:
    return str(item.get("agency") or item.get("publisher") or _site(item).get("name") or "?")


def reports_per_year(items: Sequence[dict[str, Any]]) -> tuple[list[str], list[tuple[str, str, list[int]]]]:
    counts: Counter[tuple[str, str]] = Counter()
    for item in items:
        year = item.get("report_year")
        fmt = item.get("format") if item.get("format") in FORMATS else "unknown"
        counts[(str(year) if isinstance(year, int) else "?", str(fmt))] += 1
    years = sorted({year for year, _ in counts}, key=lambda y: (y == "?", y))
    series = [(fmt, FORMAT_COLORS[fmt], [counts[(year, fmt)] for year in years])
              for fmt in FORMATS if any(counts[(year, fmt)] for year in years)]
    return years, series


def coverage_by_province(items: Sequence[dict[str, Any]], status: dict[str, dict[str, Any]] | None
                         ) -> tuple[list[str], list[tuple[str, str, list[int]]]]:
    """Per province: portals known, portals whose 年报 column was found, portals with reports."""
    province_of: dict[str, str] = {}
    with_reports: set[str] = set()
    for item in items:
        site = _site(item)
        site_id = str(site.get("id") or site.get("adcode") or "")
        if not site_id:
            continue
        province_of.setdefault(site_id, str(site.get("province") or UNKNOWN_PROVINCE))
        with_reports.add(site_id)
    found: set[str] = set(with_reports)
    portals: set[str] = set(with_reports)
    if status is not None:
        for site_id, entry in status.items():
            portals.add(site_id)
            if entry.get("province"):
                province_of[site_id] = str(entry["province"])
            province_of.setdefault(site_id, UNKNOWN_PROVINCE)
            if _column_found(entry):
                found.add(site_id)
            if _status_reports(entry) > 0:
                with_reports.add(site_id)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for site_id in portals:
        counts = per[province_of.get(site_id, UNKNOWN_PROVINCE)]
        counts[0] += 1
        counts[1] += site_id in found
        counts[2] += site_id in with_reports
    provinces = sorted(per, key=lambda p: (-per[p][0], p))[:40]
    series = [(name, color, [per[p][i] for p in provinces]) for i, (name, color) in enumerate(COVERAGE_SERIES)]
    return provinces, series


def failing_by_rule(dataset: Dataset) -> Counter[str]:
    counts: Counter[str] = Counter()
    for record in dataset.records:
        counts.update(failing_rules(record.item))
    counts.update(check.rule for check in dataset.checks if not check.ok)
    return counts


def inconsistencies_by_agency(dataset: Dataset) -> Counter[tuple[str, str]]:
    """(site id, agency) → failing checks of its reports plus failing cross-year checks."""
    counts: Counter[tuple[str, str]] = Counter()
    for record in dataset.records:
        failing = len(failing_rules(record.item))
        if failing:
            counts[(str(_site(record.item).get("id") or ""), _agency(record.item))] += failing
    for check in dataset.checks:
        if not check.ok:
            counts[(check.site, check.agency)] += 1
    return counts


# --- page -------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#08306b;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1400px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(660px,1fr));gap:16px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px;margin-top:16px;overflow-x:auto}
h2{font-size:16px;margin:0 0 8px}svg .tick,svg .label{font-size:11px;fill:#444}svg .grid{stroke:#eee}
svg .empty{font-size:14px;fill:#999}svg .mark:hover{opacity:.75}
table{border-collapse:collapse;font-size:12px;width:100%}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0;cursor:pointer;user-select:none}.bad{color:#b00}.note{color:#666;font-size:12px}
"""

_JS = """
(function(){
  function cellValue(row, index){var t=row.cells[index].textContent.trim();var n=Number(t);return t!==''&&!isNaN(n)?n:t;}
  document.querySelectorAll('table.sortable th').forEach(function(th){
    th.addEventListener('click',function(){
      var table=th.closest('table'),body=table.tBodies[0],index=th.cellIndex;
      var dir=th.dataset.dir==='asc'?'desc':'asc';th.dataset.dir=dir;
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){var x=cellValue(a,index),y=cellValue(b,index);var c=x<y?-1:x>y?1:0;return dir==='asc'?c:-c;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  var charts=document.querySelectorAll('svg.chart');
  document.body.dataset.charts=String(charts.length);
  document.body.dataset.marks=String(document.querySelectorAll('svg.chart .mark').length);
})();
"""


def _link(url: str, text: str | None = None) -> str:
    if not url:
        return ""
    safe = url if url.startswith(("http://", "https://", "file://")) else "#"
    return f'<a href="{escape(safe)}" target="_blank" rel="noopener">{escape(_short(text or url, 60))}</a>'


def _table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[str]], total: int) -> str:
    if not rows:
        return '<p class="note">none</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    more = f'<p class="note">showing {len(rows)} of {total}</p>' if total > len(rows) else ""
    return f'<table id="{table_id}" class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'


def render_quality_report(dataset: Dataset, *, site_status: dict[str, dict[str, Any]] | None = None,
                          title: str = "govreports · dataset quality report") -> str:
    """The whole HTML page as a string."""
    items = [record.item for record in dataset.records]
    years, year_series = reports_per_year(items)
    provinces, coverage_series = coverage_by_province(items, site_status)
    rules = failing_by_rule(dataset).most_common(25)
    agencies = inconsistencies_by_agency(dataset).most_common(15)
    failing_continuity = [c for c in dataset.checks if not c.ok]
    reports_failing = [r for r in dataset.records if failing_rules(r.item)]

    charts = {
        "reports-per-year": ("Reports per year and format", stacked_bar_chart(
            "reports-per-year", "Reports per year and format", years, year_series)),
        "coverage-by-province": (
            "Coverage by province" + (" (site status)" if site_status is not None else " (sites in the feeds)"),
            horizontal_bar_chart("coverage-by-province", "Coverage by province", provinces, coverage_series)),
        "failing-checks-by-rule": ("Failing checks by rule", horizontal_bar_chart(
            "failing-checks-by-rule", "Failing checks by rule", [r for r, _ in rules],
            [("failing", "#d62728", [n for _, n in rules])],
            colors=[FAMILY_COLORS.get(rule_family(r), "#d62728") for r, _ in rules])),
        "top-agencies": ("Agencies with the most inconsistencies", horizontal_bar_chart(
            "top-agencies", "Agencies with the most inconsistencies", [a for (_, a), _ in agencies],
            [("failing checks", "#ff7f0e", [n for _, n in agencies])])),
    }
    n_sites = len({str(_site(i).get("id") or "") for i in items} - {""})
    cards = [
        ("reports", len(dataset.rows)), ("sites", n_sites), ("feed lines", dataset.lines_read),
        ("superseded revisions", dataset.superseded), ("feed problems", len(dataset.problems)),
        ("reports off-schema", len({(p.file, p.line) for p in dataset.schema_errors}) if dataset.validated else "not checked"),
        ("reports with failing checks", len(reports_failing)),
        ("cross-year checks", len(dataset.checks)), ("cross-year failing", len(failing_continuity)),
    ]
    continuity_rows = [
        [escape(c.rule), escape(c.agency), f"{c.previous_year}→{c.current_year}", escape(c.message),
         _link(c.previous_url, f"{c.previous_year} report"), _link(c.current_url, f"{c.current_year} report")]
        for c in failing_continuity[:MAX_TABLE_ROWS]
    ]
    report_rows = [
        [escape(str(r.item.get("report_year") or "")), escape(_agency(r.item)),
         _link(str(r.item.get("url") or ""), str(r.item.get("title") or r.item.get("url") or "")),
         escape(str(r.item.get("format") or "")), '<span class="bad">' + escape("; ".join(failing_rules(r.item))) + "</span>"]
        for r in reports_failing[:MAX_TABLE_ROWS]
    ]
    problem_rows = [[escape(p.file), escape(str(p.line or "")), escape(p.message)] for p in dataset.problems[:MAX_TABLE_ROWS]]
    schema_rows = [[escape(p.file), escape(str(p.line or "")), escape(p.message)] for p in dataset.schema_errors[:MAX_TABLE_ROWS]]
    sections = [
        '<div class="cards">' + "".join(f'<div class="card"><b>{v}</b>{escape(k)}</div>' for k, v in cards) + "</div>",
        '<div class="grid2">' + "".join(
            f'<section id="chart-{name}"><h2>{escape(heading)}</h2>{svg}</section>' for name, (heading, svg) in charts.items()
        ) + "</div>",
        f'<section><h2>Failing cross-year checks</h2>{_table("continuity", ["rule", "agency", "years", "message", "year N−1", "year N"], continuity_rows, len(failing_continuity))}</section>',
        f'<section><h2>Reports with failing checks</h2>{_table("failing-reports", ["year", "agency", "report", "format", "failing rules"], report_rows, len(reports_failing))}</section>',
        f'<section><h2>Feed problems</h2>{_table("problems", ["file", "line", "problem"], problem_rows, len(dataset.problems))}</section>',
        f'<section><h2>Schema errors</h2>{_table("schema-errors", ["file", "line", "error"], schema_rows, len(dataset.schema_errors))}</section>',
    ]
    if site_status is not None:
        missing = sorted(site_id for site_id, entry in site_status.items() if not _column_found(entry))
        rows = [[escape(s), escape(str(site_status[s].get("name") or "")), escape(str(site_status[s].get("province") or "")),
                 escape(str(site_status[s].get("reason") or ""))] for s in missing[:MAX_TABLE_ROWS]]
        sections.append(f'<section><h2>Portals without a found 年报 column</h2>{_table("no-column", ["site", "name", "province", "reason"], rows, len(missing))}</section>')
    generated = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width\"><title>{escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><header><h1>{escape(title)}</h1>"
        f"<div class=\"note\" style=\"color:#cde\">generated {generated}</div></header><main>"
        + "".join(sections)
        + f"</main><script>{_JS}</script></body></html>\n"
    )

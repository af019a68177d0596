"""Cross-year checks between consecutive reports of the same agency (spec: `continuity.*`).

- `continuity.carried_over`: applications.carried_over.total of year N equals
  applications.carried_forward.total of year N−1.
- `continuity.in_force.<row>` (2021 format, both years): in_force[N] = in_force[N−1] +
  issued[N] − repealed[N], for 规章 and 规范性文件.

Agencies are matched by site id + normalised agency, else site id + normalised publisher. Only
consecutive years are compared, and a check whose inputs are missing is not reported at all.
Checks report; they never correct a published number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govreports.dataset.feeds import record_key
from govreports.parsing.text import normalize_label
from govreports.spec import DOCUMENT_ROWS

# "淮安市人民政府（淮安市人民政府办公室编制）" → "淮安市人民政府": trailing notes are not the organ
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


@dataclass(frozen=True, slots=True)
class ContinuityCheck:
    """One cross-year comparison and the two reports it compared."""

    rule: str
    ok: bool
    message: str
    site: str
    agency: str
    previous_year: int
    current_year: int
    previous_id: str
    previous_url: str
    current_id: str
    current_url: str


def agency_key(item: dict[str, Any]) -> tuple[str, str] | None:
    """(site id, normalised organ) — None when the report names neither agency nor publisher."""
    site = item.get("site") if isinstance(item.get("site"), dict) else {}
    site_id = str(site.get("id") or site.get("adcode") or "")
    for field in ("agency", "publisher"):
        value = item.get(field)
        if isinstance(value, str) and value.strip():
            organ = normalize_label(value)
            while _TRAILING_NOTE.search(organ) and _TRAILING_NOTE.sub("", organ):
                organ = _TRAILING_NOTE.sub("", organ)
            return site_id, organ
    return None


def _number(item: dict[str, Any], *path: str) -> int | float | None:
    value: Any = item.get("tables")
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _choose(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Several reports for one agency-year (e.g. a re-posting with another 索引号): prefer the
    one with an applications table, then the latest publish date, then the id, so it is stable."""
    return max(
        reports,
        key=lambda r: (
            isinstance((r.get("tables") or {}).get("applications"), dict),
            str(r.get("publish_date") or ""),
            str(r.get("id") or ""),
        ),
    )


def _label(item: dict[str, Any]) -> str:
    return str(item.get("agency") or item.get("publisher") or "?")


def _pair_checks(previous: dict[str, Any], current: dict[str, Any], site: str) -> list[ContinuityCheck]:
    checks: list[ContinuityCheck] = []
    agency = _label(current)
    year_n, year_p = int(current["report_year"]), int(previous["report_year"])

    def make(rule: str, ok: bool, message: str) -> ContinuityCheck:
        return ContinuityCheck(
            rule, ok, message, site, agency, year_p, year_n,
            record_key(previous), str(previous.get("url") or ""),
            record_key(current), str(current.get("url") or ""),
        )

    carried_over = _number(current, "applications", "carried_over", "total")
    carried_forward = _number(previous, "applications", "carried_forward", "total")
    if carried_over is not None and carried_forward is not None:
        ok = carried_over == carried_forward
        relation = "=" if ok else "≠"
        checks.append(make(
            "continuity.carried_over", ok,
            f"{agency}: {year_n} 上年结转 (carried over) {carried_over} {relation} "
            f"{year_p} 结转下年度 (carried forward) {carried_forward}",
        ))
    if previous.get("format") == "2021" and current.get("format") == "2021":
        for row in DOCUMENT_ROWS:
            before = _number(previous, "active_disclosure", row, "in_force")
            now = _number(current, "active_disclosure", row, "in_force")
            issued = _number(current, "active_disclosure", row, "issued")
            repealed = _number(current, "active_disclosure", row, "repealed")
            if None in (before, now, issued, repealed):
                continue
            expected = before + issued - repealed  # type: ignore[operator]
            ok = now == expected
            relation = "=" if ok else "≠"
            checks.append(make(
                f"continuity.in_force.{row}", ok,
                f"{agency} {row}: {year_n} 现行有效 {now} {relation} {year_p} 现行有效 {before} "
                f"+ {year_n} 制发 {issued} − 废止 {repealed} = {expected}",
            ))
    return checks


def continuity_checks(items: Iterable[dict[str, Any]]) -> list[ContinuityCheck]:
    """All cross-year checks over the given (already de-duplicated) reports."""
    by_agency: dict[tuple[str, str], dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        year = item.get("report_year")
        key = agency_key(item)
        if key is None or not isinstance(year, int) or isinstance(year, bool):
            continue
        by_agency[key][year].append(item)
    checks: list[ContinuityCheck] = []
    for (site, _organ), years in sorted(by_agency.items()):
        for year in sorted(years):
            if year - 1 not in years:
                continue
            checks.extend(_pair_checks(_choose(years[year - 1]), _choose(years[year]), site))
    return checks


def failing_by_report(checks: Sequence[ContinuityCheck]) -> dict[str, list[str]]:
    """Report id (year N) → its failing continuity rules, for the dataset column."""
    failing: dict[str, list[str]] = defaultdict(list)
    for check in checks:
        if check.ok is False:
            failing[check.current_id].append(check.rule)
    return dict(failing)

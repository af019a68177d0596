"""Report contents for the sample portals: numbers generated from the national formats.

Every generated report is internally consistent (balance, row sums, result sums, review sums,
the soft active-disclosure rules), and consecutive years of one agency chain up (carried_over of
year N = carried_forward of year N-1; in_force and previous_items continue), unless a deviation
is asked for. The identities are recomputed on the final numbers (`failing_checks`) so the
manifest states exactly which checks a correct validator must report as failing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person", "commercial_enterprise", "research_institution",
    "public_welfare_org", "legal_service_org", "other_org", "total",
)
REVIEW_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")

DENIED = ("denied_state_secret", "denied_law_prohibited", "denied_security_stability",
          "denied_third_party", "denied_internal_affairs", "denied_process_info",
          "denied_enforcement_file", "denied_admin_query")
UNABLE = ("unable_not_held", "unable_needs_creation", "unable_still_unclear")
NOT_PROCESSED = ("not_processed_petition", "not_processed_duplicate", "not_processed_publication",
                 "not_processed_excessive", "not_processed_confirmation")
OTHER_2021 = ("other_no_correction", "other_fee_unpaid", "other_other")

RESULT_ROWS_2019: tuple[str, ...] = ("granted", "partially_granted", *DENIED, *UNABLE,
                                     *NOT_PROCESSED, "other_handling")
RESULT_ROWS_2021: tuple[str, ...] = ("granted", "partially_granted", *DENIED, *UNABLE,
                                     *NOT_PROCESSED, *OTHER_2021)

# how often a result row is chosen for one application (rough real-world shares)
_RESULT_WEIGHTS = {
    "granted": 40, "partially_granted": 8, "denied_state_secret": 0.5, "denied_law_prohibited": 1,
    "denied_security_stability": 0.5, "denied_third_party": 2, "denied_internal_affairs": 1,
    "denied_process_info": 2, "denied_enforcement_file": 1, "denied_admin_query": 2,
    "unable_not_held": 25, "unable_needs_creation": 3, "unable_still_unclear": 2,
    "not_processed_petition": 4, "not_processed_duplicate": 3, "not_processed_publication": 0.5,
    "not_processed_excessive": 0.5, "not_processed_confirmation": 1, "other_handling": 3,
    "other_no_correction": 2, "other_fee_unpaid": 0.3, "other_other": 1,
}
# per applicant column: the largest number of new applications an agency of scale 1.0 receives
_NEW_RECEIVED_SCALE = {"natural_person": 90, "commercial_enterprise": 14, "research_institution": 1,
                       "public_welfare_org": 1, "legal_service_org": 3, "other_org": 2}


@dataclass
class ChainState:
    """What one agency carries from one year to the next."""

    carried_forward: list[int] | None = None        # six applicant columns
    in_force: dict[str, int] = field(default_factory=dict)        # 2021 format, rows of (一)
    previous_items: dict[str, int] = field(default_factory=dict)  # 2019 format, (五)(六)(八)


@dataclass
class Report:
    """One annual report as the farm publishes it (numbers, metadata, where it is posted)."""

    key: str
    agency: str
    title: str
    report_year: int
    format: str                       # pre2019 | 2019 | 2021
    publish_date: date
    publisher: str
    index_no: str | None = None
    topic: str = "政府信息公开年报"
    doc_no: str | None = None
    active: dict[str, dict[str, Any]] | None = None
    applications: dict[str, list[int]] | None = None
    review: dict[str, list[int]] | None = None
    figures: dict[str, int | float] = field(default_factory=dict)
    deviation: str | None = None      # a deliberate inconsistency, named
    script: str = "hans"
    seed: str | None = None           # seed file name when the content is a real seed
    seed_expected: dict[str, Any] | None = None
    body_html: str | None = None      # pre-rendered content (seeds)
    revision: int = 1
    corrections: list[str] = field(default_factory=list)
    # how the generated prose writes the procurement amount / fee change, chosen per report
    amount_style: str = "wan"
    change_style: str = "signed"

    @property
    def publish_iso(self) -> str:
        return self.publish_date.isoformat()


def format_for_year(year: int) -> str:
    """The national format in force for a report year (docs/report-format.md)."""
    if year <= 2018:
        return "pre2019"
    if year <= 2020:
        return "2019"
    return "2021"


def _split(rng: random.Random, total: int, rows: tuple[str, ...]) -> dict[str, int]:
    """Distribute `total` applications over result rows by realistic weights."""
    counts = dict.fromkeys(rows, 0)
    weights = [_RESULT_WEIGHTS[r] for r in rows]
    for row in rng.choices(rows, weights=weights, k=total):
        counts[row] += 1
    return counts


def generate_applications(rng: random.Random, fmt: str, scale: float,
                          carried_over: list[int] | None) -> dict[str, list[int]]:
    """Table 2 with every stated identity holding: balance, result sums, row sums."""
    rows = RESULT_ROWS_2019 if fmt == "2019" else RESULT_ROWS_2021
    columns = APPLICANT_COLUMNS[:-1]
    if carried_over is None:
        carried_over = [rng.randint(0, 3) if c == "natural_person" else 0 for c in columns]
    table: dict[str, list[int]] = {r: [] for r in ("new_received", "carried_over", *rows,
                                                   "results_total", "carried_forward")}
    for index, column in enumerate(columns):
        top = max(0, int(_NEW_RECEIVED_SCALE[column] * scale))
        new = rng.randint(0, top) if rng.random() < (0.9 if index < 2 else 0.3) else 0
        previous = carried_over[index]
        forward = rng.randint(0, min(4, new + previous)) if new + previous else 0
        done = new + previous - forward
        split = _split(rng, done, rows)
        table["new_received"].append(new)
        table["carried_over"].append(previous)
        for row in rows:
            table[row].append(split[row])
        table["results_total"].append(done)
        table["carried_forward"].append(forward)
    for values in table.values():
        values.append(sum(values))
    return table


def generate_review(rng: random.Random, scale: float) -> dict[str, list[int]]:
    """Table 3: each group's parts sum to its total."""
    review: dict[str, list[int]] = {}
    for group, top in zip(REVIEW_GROUPS, (6, 4, 2)):
        parts = [rng.randint(0, max(0, int(top * scale))) if rng.random() < 0.5 else 0
                 for _ in range(4)]
        review[group] = [*parts, sum(parts)]
    return review


def generate_active_2019(rng: random.Random, scale: float, state: ChainState) -> dict[str, dict[str, Any]]:
    """Table 1 in the 2019 layout; previous_items continue from the chain."""
    active: dict[str, dict[str, Any]] = {}
    for row in ("regulations", "normative_documents"):
        made = 0 if row == "regulations" else rng.randint(0, int(40 * scale) + 1)
        published = made
        total = published + rng.randint(0, int(200 * scale) + 1) if row != "regulations" else 0
        active[row] = {"new_made": made, "new_published": published, "total_published": total}
    for row, top in (("licensing", 300), ("other_services", 600), ("punishment", 2000),
                     ("coercion", 150), ("admin_fees", 40)):
        previous = state.previous_items.get(row, rng.randint(0, int(top * scale) + 1))
        change = rng.randint(-min(previous, 20), 20)
        cells: dict[str, Any] = {"previous_items": previous, "change": change}
        if row != "admin_fees":
            cells["decisions"] = rng.randint(0, int(top * 30 * scale) + 1)
        active[row] = cells
        state.previous_items[row] = previous + change
    projects = rng.randint(0, int(400 * scale) + 1)
    amount_yuan = rng.randint(100, 90_000) * 100 * max(1, projects)
    active["procurement"] = {"projects": projects, "amount_wan_yuan": round(amount_yuan / 10_000, 2)}
    return active


def generate_active_2021(rng: random.Random, scale: float, state: ChainState) -> dict[str, dict[str, Any]]:
    """Table 1 in the 2021 layout; in_force[N] = in_force[N-1] + issued - repealed."""
    active: dict[str, dict[str, Any]] = {}
    for row in ("regulations", "normative_documents"):
        previous = state.in_force.get(row, 0 if row == "regulations" else rng.randint(5, int(120 * scale) + 6))
        issued = 0 if row == "regulations" else rng.randint(0, int(30 * scale) + 1)
        repealed = 0 if row == "regulations" else rng.randint(0, min(previous, 6))
        in_force = previous + issued - repealed
        active[row] = {"issued": issued, "repealed": repealed, "in_force": in_force}
        state.in_force[row] = in_force
    for row, top in (("licensing", 9000), ("punishment", 3000), ("coercion", 300)):
        active[row] = {"decisions": rng.randint(0, int(top * scale) + 1)}
    active["admin_fees"] = {"amount_wan_yuan": round(rng.randint(0, 9_000_000) / 100, 2)}
    return active


def generate_report(*, key: str, agency: str, year: int, publisher: str, scale: float,
                    state: ChainState, title: str, publish_date: date, index_no: str | None,
                    seed: str, deviation: str | None = None) -> Report:
    """One report of `agency` for `year`, continuing `state` (mutated for the next year)."""
    rng = random.Random(seed)
    fmt = format_for_year(year)
    report = Report(key=key, agency=agency, title=title, report_year=year, format=fmt,
                    publish_date=publish_date, publisher=publisher, index_no=index_no,
                    deviation=deviation)
    if fmt == "pre2019":
        received = rng.randint(0, int(40 * scale))
        report.figures = {
            "active_total": rng.randint(200, int(20_000 * scale) + 300),
            "applications_received": received,
            "applications_completed": received,
            "review_total": rng.randint(0, 5) if rng.random() < 0.4 else 0,
            "litigation_total": rng.randint(0, 3) if rng.random() < 0.3 else 0,
            "fees_yuan": 0,
        }
        state.carried_forward = None
        return report
    report.amount_style = rng.choice(("wan", "yuan", "yi", "bare")) if fmt == "2019" else "wan"
    report.change_style = rng.choice(("signed", "signed", "chinese"))
    report.active = (generate_active_2019 if fmt == "2019" else generate_active_2021)(rng, scale, state)
    if fmt == "2019":
        report.active["procurement"]["amount_text"] = procurement_text(
            report.active["procurement"]["amount_wan_yuan"], report.amount_style)
    report.applications = generate_applications(rng, fmt, scale, state.carried_forward)
    report.review = generate_review(rng, scale)
    state.carried_forward = report.applications["carried_forward"][:-1]
    report.figures = {
        "active_total": rng.randint(300, int(15_000 * scale) + 400),
        "applications_received": report.applications["new_received"][-1],
    }
    if deviation:
        apply_deviation(report, deviation)
    return report


def money_text(value: float) -> str:
    """A money figure as printed: at most 4 decimals, no trailing zeros (never %g's 6 digits)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def procurement_text(amount_wan_yuan: float, style: str) -> str:
    """How a 2019-format 采购总金额 cell is written: 万元, 元, 亿元 or a bare number."""
    if style == "yuan":
        return f"{round(amount_wan_yuan * 10_000)}元"
    if style == "yi" and amount_wan_yuan >= 10_000 and (amount_wan_yuan / 10_000) == round(amount_wan_yuan / 10_000, 4):
        return f"{money_text(amount_wan_yuan / 10_000)}亿元"
    if style == "bare":
        return money_text(amount_wan_yuan)
    return f"{money_text(amount_wan_yuan)}万元"


def apply_deviation(report: Report, deviation: str) -> None:
    """Break one published identity on purpose, the way real reports do."""
    apps = report.applications
    assert apps is not None and report.review is not None
    if deviation == "balance":          # carried_forward misstated (like seed 004)
        apps["carried_forward"][0] += 1
        apps["carried_forward"][-1] += 1
    elif deviation == "row_sum":         # a 总计 cell that does not add up
        apps["granted"][-1] += 2
    elif deviation == "review_sum":      # 行政复议 总计 wrong
        report.review["review"][-1] += 1
    elif deviation == "continuity":      # re-baselined carried_over: the year pair disagrees
        shift = 3
        apps["carried_over"][0] += shift
        apps["carried_over"][-1] += shift
        apps["granted"][0] += shift
        apps["granted"][-1] += shift
        apps["results_total"][0] += shift
        apps["results_total"][-1] += shift
    else:
        raise ValueError(f"unknown deviation {deviation!r}")


def failing_checks(report: Report) -> list[str]:
    """The check rules (docs/report-format.md) that fail on this report's published numbers."""
    failing: list[str] = []
    apps = report.applications
    if apps:
        rows = RESULT_ROWS_2019 if "other_handling" in apps else RESULT_ROWS_2021
        for i, column in enumerate(APPLICANT_COLUMNS):
            if apps["new_received"][i] + apps["carried_over"][i] != apps["results_total"][i] + apps["carried_forward"][i]:
                failing.append(f"applications.balance.{column}")
            if sum(apps[r][i] for r in rows if r in apps) != apps["results_total"][i]:
                failing.append(f"applications.results_sum.{column}")
        for row, values in apps.items():
            if sum(values[:-1]) != values[-1]:
                failing.append(f"applications.row_sum.{row}")
    if report.review:
        for group, values in report.review.items():
            if sum(values[:4]) != values[4]:
                failing.append(f"review_litigation.sum.{group}")
    active = report.active or {}
    for row, cells in active.items():
        if {"new_published", "total_published"} <= cells.keys():
            if cells["new_published"] > cells["total_published"] or cells["new_made"] > cells["total_published"]:
                failing.append(f"active_disclosure.published_le_total.{row}")
        if {"issued", "in_force", "repealed"} <= cells.keys():
            if cells["issued"] > cells["in_force"] + cells["repealed"]:
                failing.append(f"active_disclosure.issued_le.{row}")
    if apps and "applications_received" in report.figures:
        if report.figures["applications_received"] != apps["new_received"][-1]:
            failing.append("prose_vs_table.applications_received")
    return sorted(failing)


def expected_values(report: Report, chrome: list[str]) -> dict[str, Any]:
    """What a correct parser must give, in the format of seeds/expected.json (tests/expectations.py)."""
    if report.seed_expected is not None:
        expected = dict(report.seed_expected)
        expected.setdefault("checks_failing", [])
        return expected
    expected: dict[str, Any] = {
        "title": report.title,
        "agency": report.agency,
        "report_year": report.report_year,
        "format": report.format,
        "publish_date": report.publish_iso,
        "index_no": report.index_no,
        "publisher": report.publisher,
        "script": report.script,
    }
    for name, value in report.figures.items():
        expected[f"figures.{name}"] = value
    for row, cells in (report.active or {}).items():
        if row == "procurement":
            for column, value in cells.items():
                expected[f"tables.active_disclosure.procurement.{column}"] = value
        else:
            expected[f"tables.active_disclosure.{row}"] = dict(cells)
    for row, values in (report.applications or {}).items():
        expected[f"tables.applications.{row}"] = list(values)
    for group, values in (report.review or {}).items():
        expected[f"tables.review_litigation.{group}"] = list(values)
    expected["text_excludes"] = list(chrome)
    expected["checks_failing"] = failing_checks(report)
    return expected

"""Realistic report items (every key of docs/report-format.md) for the schema and dataset tests.

Numbers follow the national templates: the applications table balances (new + carried over =
results + carried forward) unless a test asks for a deliberate break, Table 1 uses the columns of
the report's format, and pre-2019 reports carry prose figures only. Agencies and sites are the
seed regions' real names.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from govreports.spec import APPLICANT_COLUMNS, RESULT_ROWS_2019, RESULT_ROWS_2021, REVIEW_COLUMNS, REVIEW_GROUPS

GAOPING = {"id": "511803", "name": "南充市高坪区人民政府", "adcode": "511803", "province": "四川省", "level": "county"}
JIULONGPO = {"id": "500107", "name": "重庆市九龙坡区人民政府", "adcode": "500107", "province": "重庆市", "level": "county"}
XUANHUA = {"id": "130705", "name": "张家口市宣化区人民政府", "adcode": "130705", "province": "河北省", "level": "county"}



def _row(natural_person: int, commercial_enterprise: int = 0) -> dict[str, int]:
    row = dict.fromkeys(APPLICANT_COLUMNS, 0)
    row["natural_person"] = natural_person
    row["commercial_enterprise"] = commercial_enterprise
    row["total"] = natural_person + commercial_enterprise
    return row


def applications(
    report_format: str,
    *,
    new_received: tuple[int, int],
    carried_over: tuple[int, int],
    results: dict[str, tuple[int, int]],
    carried_forward_natural: int | None = None,
) -> dict[str, dict[str, int]]:
    """Table 2 with every row of the format; carried forward balances unless the natural-person
    figure is given explicitly (a deliberate break)."""
    result_rows = RESULT_ROWS_2019 if report_format == "2019" else RESULT_ROWS_2021
    table = {"new_received": _row(*new_received), "carried_over": _row(*carried_over)}
    for row in result_rows:
        table[row] = _row(*results.get(row, (0, 0)))
    done = tuple(sum(results.get(row, (0, 0))[i] for row in result_rows) for i in range(2))
    table["results_total"] = _row(*done)
    balanced = (new_received[0] + carried_over[0] - done[0], new_received[1] + carried_over[1] - done[1])
    natural = balanced[0] if carried_forward_natural is None else carried_forward_natural
    table["carried_forward"] = _row(natural, balanced[1])
    return table


def review_litigation(review: tuple[int, int, int, int], direct: tuple[int, int, int, int] = (0, 0, 0, 0)) -> dict[str, Any]:
    groups = {"review": review, "litigation_direct": direct, "litigation_after_review": (0, 0, 0, 0)}
    table: dict[str, Any] = {}
    for group in REVIEW_GROUPS:
        values = list(groups[group]) + [sum(groups[group])]
        table[group] = dict(zip(REVIEW_COLUMNS, values))
    return table


def _checks(tables: dict[str, Any]) -> list[dict[str, Any]]:
    """The balance identities of the item's own checks (the subset the dataset tests rely on)."""
    apps = tables.get("applications")
    if not apps:
        return []
    checks = []
    for column in APPLICANT_COLUMNS:
        left = apps["new_received"][column] + apps["carried_over"][column]
        right = apps["results_total"][column] + apps["carried_forward"][column]
        checks.append({
            "rule": f"applications.balance.{column}",
            "ok": left == right,
            "message": f"{column}: {left} new + carried over vs {right} results + carried forward",
        })
    return checks


def report(
    *,
    site: dict[str, Any],
    year: int,
    report_format: str,
    agency: str | None = "(the site's government)",
    publisher: str | None = "区政府办",
    tables: dict[str, Any] | None = None,
    figures: dict[str, Any] | None = None,
    revision: int = 1,
    fetched_at: str = "2025-03-01T08:00:00+00:00",
    index_no: str | None = "auto",
    title_suffix: str = "",
    url: str | None = None,
    checks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One report item as the crawl would publish it."""
    agency = site["name"] if agency == "(the site's government)" else agency
    title = f"{agency or publisher}{year}年政府信息公开工作年度报告{title_suffix}"
    if index_no == "auto":
        index_no = f"{site['adcode']}/{year + 1}-00{year % 100:02d}"
    key = "\x1f".join(("index_no", site["id"], index_no) if index_no else ("title", site["id"], str(year), agency or "", title))
    report_id = hashlib.sha1(key.encode("utf-8")).hexdigest()
    url = url or f"http://127.0.0.10/{site['id']}/zfxxgk/ndbg/t{year + 1}0212_{report_id[:8]}.html"
    tables = tables if tables is not None else {}
    body = f"{title}\n一、总体情况\n本机关依法做好政府信息公开工作。"
    return {
        "id": report_id,
        "url": url,
        "site": dict(site),
        "title": title,
        "agency": agency,
        "report_year": year,
        "publish_date": f"{year + 1}-02-12",
        "index_no": index_no,
        "publisher": publisher,
        "doc_no": None,
        "topic": "政府信息公开年报",
        "format": report_format,
        "is_report": True,
        "script": "hans",
        "text": body,
        "sections": [{"heading": "一、总体情况", "text": "本机关依法做好政府信息公开工作。"}],
        "tables": tables,
        "figures": figures if figures is not None else {},
        "checks": checks if checks is not None else _checks(tables),
        "warnings": [],
        "warning_details": [],
        "attachments": [],
        "source": {
            "media_type": "text/html",
            "encoding": "utf-8",
            "sha256": hashlib.sha256((body + str(revision)).encode()).hexdigest(),
            "fetched_at": fetched_at,
            "rendered": False,
            "ocr": None,
        },
        "provenance": {"schema_version": 1, "parser_version": "2026.12.1", "sources": []},
        "revision": revision,
    }


def report_2019(site: dict[str, Any], year: int, *, carried_over: int = 6, carried_forward: int | None = None, **kw: Any) -> dict[str, Any]:
    """A 2019-format report shaped like seed 004 (九龙坡 2020), internally consistent."""
    tables = {
        "active_disclosure": {
            "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},
            "normative_documents": {"new_made": 33, "new_published": 33, "total_published": 253},
            "licensing": {"previous_items": 289, "change": -17, "decisions": 20643},
            "other_services": {"previous_items": 662, "change": 0, "decisions": 643954},
            "punishment": {"previous_items": 3289, "change": -84, "decisions": 2032},
            "coercion": {"previous_items": 132, "change": -9, "decisions": 643954},
            "admin_fees": {"previous_items": 36, "change": 0},
            "procurement": {"projects": 488, "amount_wan_yuan": 76320.9, "amount_text": "76320.9万元"},
        },
        "applications": applications(
            "2019",
            new_received=(83, 16),
            carried_over=(carried_over, 0),
            results={"granted": (58, 3), "partially_granted": (3, 0), "unable_not_held": (27, 4), "not_processed_duplicate": (1, 0)},
            carried_forward_natural=carried_forward,
        ),
        "review_litigation": review_litigation((1, 1, 1, 0), (1, 0, 0, 1)),
    }
    return report(site=site, year=year, report_format="2019", tables=tables, figures={"active_total": 13741}, **kw)


def report_2021(
    site: dict[str, Any],
    year: int,
    *,
    carried_over: int = 2,
    carried_forward: int | None = None,
    in_force: int = 66,
    issued: int = 8,
    repealed: int = 2,
    **kw: Any,
) -> dict[str, Any]:
    """A 2021-format report shaped like 淮安 2024 (numbers scaled down), internally consistent."""
    tables = {
        "active_disclosure": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": issued, "repealed": repealed, "in_force": in_force},
            "licensing": {"decisions": 447228},
            "punishment": {"decisions": 3985758},
            "coercion": {"decisions": 1203},
            "admin_fees": {"amount_wan_yuan": 96171.6},
        },
        "applications": applications(
            "2021",
            new_received=(40, 5),
            carried_over=(carried_over, 0),
            results={"granted": (20, 2), "partially_granted": (4, 0), "unable_not_held": (10, 3), "other_other": (2, 0)},
            carried_forward_natural=carried_forward,
        ),
        "review_litigation": review_litigation((3, 1, 0, 1), (1, 0, 0, 0)),
    }
    figures = {"applications_received": 45, "review_total": 5}
    return report(site=site, year=year, report_format="2021", tables=tables, figures=figures, **kw)


def report_pre2019(site: dict[str, Any], year: int, **kw: Any) -> dict[str, Any]:
    """A prose-only report like seed 000 (高坪 2018): figures, no tables."""
    figures = {
        "active_total": 26332,
        "applications_received": 6,
        "applications_completed": 6,
        "review_total": 12,
        "litigation_total": 17,
        "fees_yuan": 0,
    }
    return report(site=site, year=year, report_format="pre2019", tables={}, figures=figures, **kw)


def write_feed(path: Path, items: list[dict[str, Any]], *, extra_lines: tuple[str, ...] = ()) -> Path:
    """A JSON Lines feed exactly as Scrapy's exporter writes it (UTF-8, no ASCII escapes)."""
    lines = [json.dumps(item, ensure_ascii=False) for item in items] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

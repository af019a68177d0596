"""Compare an item (as a JSON dict) with the expectation format of seeds/expected.json.

Keys are dotted paths into the item; a 7-list under applications.* gives the applicant columns
in order, a 5-list under review_litigation.* the five result columns; plus the special keys
section_headings_include, text_excludes and checks_failing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from govreports.spec import APPLICANT_COLUMNS, REVIEW_COLUMNS


def dig(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _norm(value: Any) -> Any:
    return "".join(unicodedata.normalize("NFKC", value).split()) if isinstance(value, str) else value


def same(got: Any, want: Any) -> bool:
    if isinstance(got, bool) or isinstance(want, bool):
        return got is want
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return abs(got - want) < 1e-6
    return bool(_norm(got) == _norm(want))


def mismatches(item: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Every expectation the item does not meet, one readable line each."""
    problems: list[str] = []
    for key, want in expected.items():
        if key == "section_headings_include":
            headings = [_norm(s.get("heading", "")) for s in item.get("sections") or []]
            problems += [f"missing heading {h}" for h in want if _norm(h) not in headings]
        elif key == "text_excludes":
            text = item.get("text") or ""
            if not text:
                problems.append("empty text")
            problems += [f"text keeps chrome {s!r}" for s in want if s in text]
        elif key == "checks_failing":
            failing = sorted(c["rule"] for c in item.get("checks") or [] if c.get("ok") is False)
            if failing != sorted(want):
                problems.append(f"failing checks {failing} != {sorted(want)}")
        elif isinstance(want, list):
            columns = APPLICANT_COLUMNS if len(want) == 7 else REVIEW_COLUMNS
            got = dig(item, key) or {}
            for column, value in zip(columns, want):
                if not same(got.get(column), value):
                    problems.append(f"{key}.{column}: got {got.get(column)!r}, want {value!r}")
        elif isinstance(want, dict):
            got = dig(item, key) or {}
            for column, value in want.items():
                if not same(got.get(column), value):
                    problems.append(f"{key}.{column}: got {got.get(column)!r}, want {value!r}")
        else:
            got = dig(item, key)
            if not same(got, want):
                problems.append(f"{key}: got {got!r}, want {want!r}")
    return problems

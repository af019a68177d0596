"""Which links of a 年报 column are annual reports on government information disclosure.

A column holds more than reports: 政府网站工作年度报表 (a different yearly report), 年报汇总 pages
that only aggregate other reports, budget/final-account documents (预算/决算), and notices about
preparing the reports, interpretations (解读), 一图读懂 and news. The title decides, through the
project's one classifier of what is not a report (parsing/doctype.py); the year it names is kept
as a hint (the report year, not the publication year: "2023年…年度报告" published 2024-01-20 is
about 2023).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from govreports.listing.entries import ListEntry, looks_like_document
from govreports.parsing.doctype import names_a_disclosure_report, title_kind
from govreports.parsing.text import normalize_label

FIRST_REPORT_YEAR = 2008  # the Regulations took effect on 2008-05-01

_YEAR_NAMED = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_CHINESE_DIGITS = {ch: str(i) for i, ch in enumerate("零一二三四五六七八九")} | {"〇": "0"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ANY_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a title names an annual disclosure report, why (not), and the year it names."""

    keep: bool
    reason: str
    year: int | None = None


def _chinese_year_digits(text: str) -> str:
    """二〇二三年 → 2023年, so the year regex sees digits."""
    return re.sub(
        r"[〇零一二三四五六七八九]{4}(?=年)",
        lambda match: "".join(_CHINESE_DIGITS[ch] for ch in match.group(0)),
        text,
    )


def report_year_hint(text: str, *, today: date | None = None) -> int | None:
    """The report year a title or URL names (2008..this year), else None."""
    text = _chinese_year_digits(unicodedata.normalize("NFKC", text))
    last = (today or date.today()).year
    for pattern in (_YEAR, _ANY_YEAR):
        for match in pattern.finditer(text):
            year = int(match.group(1))
            if FIRST_REPORT_YEAR - 1 <= year <= last:
                return year
    return None


def judge_title(title: str, url: str | None = None) -> Verdict:
    """Keep titles like 'XX区2023年政府信息公开工作年度报告'; say why others are dropped.

    A title naming no year ('XX局政府信息公开工作年度报告') is also what a column link or a
    breadcrumb says, so it is kept only when `url` looks like a document, not a column.
    """
    label = normalize_label(title)
    if not label:
        return Verdict(False, "no_title")
    if not names_a_disclosure_report(label):
        return Verdict(False, "not_a_disclosure_report")
    named = title_kind(label)  # the project's one "not a report" classifier (parsing/doctype.py)
    if named is not None:
        return Verdict(False, named[0])
    if not _YEAR_NAMED.search(_chinese_year_digits(label)):
        if url is not None and looks_like_document(url):
            return Verdict(True, "annual_report_without_year")
        return Verdict(False, "no_year")
    return Verdict(True, "annual_report", report_year_hint(label))


def parse_years(spec: str, *, today: date | None = None) -> tuple[int, int]:
    """'2019-2023', '2021', '2019-' or '-2020' → inclusive (first, last); ValueError explains."""
    text = unicodedata.normalize("NFKC", spec).strip().replace("–", "-").replace("~", "-")
    last_possible = (today or date.today()).year
    match = re.fullmatch(r"(\d{4})?\s*(-)?\s*(\d{4})?", text)
    if not text or not match or (match.group(2) is None and match.group(3) is not None):
        raise ValueError(f"years must look like 2019-2023, 2021, 2019- or -2020; got {spec!r}")
    first_text, dash, last_text = match.groups()
    first = int(first_text) if first_text else FIRST_REPORT_YEAR
    last = int(last_text) if last_text else (first if dash is None else last_possible)
    if first > last:
        raise ValueError(f"years {spec!r}: {first} is after {last}")
    if first < 1990 or last > last_possible + 1:
        raise ValueError(f"years {spec!r}: outside {1990}-{last_possible + 1}")
    return first, last


def year_wanted(year: int | None, years: tuple[int, int] | None) -> bool:
    """Keep when no filter, or the year is unknown, or inside the window."""
    return years is None or year is None or years[0] <= year <= years[1]


def subcolumn_in_years(entry: ListEntry, years: tuple[int, int] | None) -> bool:
    """A year sub-column (2023n/, gknb2017/, 2023年) outside `years` (±1: some portals file
    reports by publication year) is not walked; unit sub-columns always are."""
    if years is None:
        return True
    segments = [part for part in urlsplit(entry.url).path.split("/") if part and "." not in part]
    year = report_year_hint(entry.title) or (report_year_hint(segments[-1]) if segments else None)
    return year is None or years[0] - 1 <= year <= years[1] + 1


def is_report_title(title: str, url: str | None = None) -> bool:
    """Shorthand for `judge_title(title, url).keep` (used by ParsePipeline on parsed titles)."""
    return judge_title(title, url).keep

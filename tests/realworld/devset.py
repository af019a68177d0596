"""The development set of real report texts (tests/fixtures/real-world): load, parse, score.

`python -m tests.realworld.devset` prints every field that differs and `fields right / fields
checked`, per kind (pre2019, 2019, 2021, notice, news) and overall.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from govreports.build import apply_checks, item_from_page
from govreports.items import ReportPage

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "real-world"
_DEV_SET: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
MANIFEST: list[dict[str, Any]] = _DEV_SET["files"]
# hand-checked values the parser still gets wrong, each with why it was left: not scored, tested as
# strict expected failures (a fix makes its test fail until the value moves into `expected`)
KNOWN_MISSES: list[dict[str, Any]] = _DEV_SET.get("known_misses", [])
MISSING = object()


def parse(name: str) -> dict[str, Any]:
    """The item `scrapy extract` would write for a fixture (as a plain dict)."""
    page = ReportPage(url=(ROOT / name).as_uri(), body=(ROOT / name).read_bytes(), media_type="text/plain")
    item = item_from_page(page)
    apply_checks(item)
    return asdict(item)


def lookup(item: dict[str, Any], dotted: str) -> Any:
    value: Any = item
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return True if dotted == "is_report" and value is item else None  # an item without the field is a report
        value = value[part]
    return value


def same(expected: Any, found: Any) -> bool:
    if isinstance(expected, (int, float)) and isinstance(found, (int, float)) and not isinstance(found, bool):
        return abs(expected - found) < 1e-6
    return expected == found


def score() -> tuple[int, int, dict[str, list[int]], list[str]]:
    right = checked = 0
    per_kind: dict[str, list[int]] = {}
    misses: list[str] = []
    for entry in MANIFEST:
        item = parse(entry["file"])
        tally = per_kind.setdefault(entry["kind"], [0, 0])
        for key, expected in entry["expected"].items():
            found = lookup(item, key)
            ok = same(expected, found)
            right += ok
            checked += 1
            tally[0] += ok
            tally[1] += 1
            if not ok:
                misses.append(f"{entry['file']}: {key} expected {expected!r}, got {found!r}")
    return right, checked, per_kind, misses


# ---------------------------------------------------------------- renderings of complete real reports
REAL_REPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "real-reports"
REAL_MANIFEST: dict[str, dict[str, Any]] = {
    entry["file"].rsplit(".", 1)[0]: entry
    for entry in json.loads((REAL_REPORTS / "manifest.json").read_text(encoding="utf-8"))["files"]
}
RENDERINGS = ROOT / "renderings"


def is_ocr(name: str) -> bool:
    """Renderings made by OCR (tesseract) rather than from the file's own text or markup."""
    return ".tesseract" in name


def rendering_cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(rendering file, its report, the hand-checked values of that report) for every rendering."""
    cases = []
    for path in sorted(RENDERINGS.iterdir()):
        report = path.name.split(".", 1)[0]
        if report in REAL_MANIFEST:
            cases.append((path.name, report, REAL_MANIFEST[report]["expected"]))
    return cases


def parse_rendering(name: str, text: str | None = None) -> dict[str, Any]:
    path = RENDERINGS / name
    body = text.encode("utf-8") if text is not None else path.read_bytes()
    item = item_from_page(ReportPage(url=path.as_uri(), body=body, media_type="text/plain"))
    apply_checks(item)
    return asdict(item)


def score_renderings(ocr: bool = False) -> tuple[int, int, list[str]]:
    right = checked = 0
    misses = []
    for name, _, expected in rendering_cases():
        if is_ocr(name) != ocr:
            continue
        item = parse_rendering(name)
        for key, value in expected.items():
            found = lookup(item, key)
            ok = found == value
            right += ok
            checked += 1
            if not ok:
                misses.append(f"{name}: {key} expected {value!r}, got {found!r}")
    return right, checked, misses


def page_cases() -> list[tuple[str, str, Any]]:
    """(saved page, dotted field, hand-checked value) for every real HTML page that lists page fields
    (metadata such as index_no, not only tables): the item the crawler writes for the page."""
    return [(entry["file"], key, value) for entry in REAL_MANIFEST.values() if entry["file"].endswith(".html")
            and any(not k.startswith("tables.") for k in entry["expected"]) for key, value in entry["expected"].items()]


def parse_page(name: str) -> dict[str, Any]:
    entry = next(e for e in REAL_MANIFEST.values() if e["file"] == name)
    url = entry["source"].get("original_url") or (REAL_REPORTS / name).as_uri()
    item = item_from_page(ReportPage(url=url, body=(REAL_REPORTS / name).read_bytes(), media_type="text/html"))
    apply_checks(item)
    return asdict(item)


def score_pages() -> tuple[int, int, list[str]]:
    right = checked = 0
    misses = []
    items: dict[str, dict[str, Any]] = {}
    for name, key, value in page_cases():
        found = lookup(items.setdefault(name, parse_page(name)), key)
        ok = same(value, found) if value is not None else found is None
        right += ok
        checked += 1
        if not ok:
            misses.append(f"{name}: {key} expected {value!r}, got {found!r}")
    return right, checked, misses


if __name__ == "__main__":
    right, checked, per_kind, misses = score()
    print("\n".join(misses))
    for kind, (r, c) in sorted(per_kind.items()):
        print(f"{kind}: {r}/{c}")
    print(f"real-world development set: {right}/{checked} fields ({100 * right / checked:.1f}%)")
    for miss in KNOWN_MISSES:
        found = lookup(parse(miss["file"]), miss["field"])
        print(f"known miss {miss['file']}: {miss['field']} expected {miss['expected']!r}, got {found!r} ({miss['why']})")
    right, checked, misses = score_renderings()
    print("\n".join(misses))
    print(f"renderings of complete real reports: {right}/{checked} fields ({100 * right / checked:.1f}%)")
    right, checked, misses = score_renderings(ocr=True)
    print("\n".join(misses))
    print(f"OCR renderings (tesseract) of complete real reports: {right}/{checked} fields ({100 * right / checked:.1f}%)")
    right, checked, misses = score_pages()
    print("\n".join(misses))
    print(f"saved real report pages (metadata, figures, tables): {right}/{checked} fields ({100 * right / checked:.1f}%)")

"""OCR of scanned reports (issue 16): accuracy per document and degradation, s/page, memory.

    .venv/bin/python -m benchmarks.bench_ocr [--quick] [--engines rapidocr,tesseract] [--out FILE]

For each real report of tests/fixtures/real-reports (and a seed export) it makes scanned
renditions (govreports_farm/scans.py: 150/200 dpi, tilt, blur, speckle, low contrast, red seal,
phone photo, CCITT G4 fax-style PDF), reads each through the OCR pool exactly as `scrapy extract`
does (one OCR process, one thread, no cache), and reports:
- fields: the 15 checked fields of the manifest (title, agency, year, format + 11 table values);
- cells: the share of the table values of the text-layer parse of the same file that the scan
  gives back (right / wrong / left empty);
- s/page on one core, and the peak memory (VmHWM) of the OCR process;
- checks that caught OCR errors: checks that fail on the scan but pass on the original.
The engine comparison reads the same two table pages with each engine. A benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from govreports.checks import run_checks
from govreports.parsing.ocr.run import OcrConfig, OcrPool, plan_body
from govreports.parsing.report import parse_report
from govreports_farm import scans

REAL = ROOT / "tests" / "fixtures" / "real-reports"
MANIFEST = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
IDENTITY = ("title", "agency", "report_year", "format")

# (file, dpi, degradation, ccitt)
FULL_PLAN = [
    ("hongze-2024.pdf", 150, "scan", False),
    ("hongze-2023.pdf", 150, "scan", False),
    ("huaian-2024.pdf", 150, "scan", False),
    ("pingtan-2024.html", 150, "scan", False),
    ("hongze-2024.pdf", 200, "clean", False),
    ("hongze-2024.pdf", 150, "tilt-1", False),
    ("hongze-2024.pdf", 150, "low_contrast", False),
    ("hongze-2024.pdf", 150, "seal", False),
    ("hongze-2024.pdf", 150, "photo", False),
    ("hongze-2024.pdf", 200, "clean", True),
    # degradations combined as real scans combine them (scans.degrade joins them with commas)
    ("huaian-2024.pdf", 150, "seal,scan", False),
    ("pingtan-2024.html", 150, "low_contrast,tilt-1,speckle", False),
    ("hongze-2024.pdf", 120, "scan", False),
]
QUICK_PLAN = [("hongze-2024.pdf", 150, "scan", False)]


def _norm(value: Any) -> Any:
    return "".join(unicodedata.normalize("NFKC", value).split()) if isinstance(value, str) else value


def _dig(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def field_score(report: Any, entry: dict[str, Any]) -> tuple[int, int, list[str]]:
    """Right fields of the 15 (identity + the manifest's table values), and the wrong ones."""
    right, wrong = 0, []
    for name in IDENTITY:
        got, want = getattr(report, name), entry.get(name)
        good = (got is not None and _norm(got) in _norm(want or "")) if name == "agency" else _norm(got) == _norm(want)
        right += good
        if not good:
            wrong.append(f"{name}={got!r}")
    item = {"tables": report.tables}
    for dotted, want in entry["expected"].items():
        got = _dig(item, dotted)
        good = (isinstance(got, dict) and all(got.get(k) == v for k, v in want.items())) if isinstance(want, dict) \
            else got == want
        right += good
        if not good:
            wrong.append(f"{dotted}={got!r}")
    return right, len(IDENTITY) + len(entry["expected"]), wrong


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(leaves(inner, f"{path}.{key}" if path else str(key)))
        return out
    return {path: value} if isinstance(value, (int, float)) and not isinstance(value, bool) else {}


def cell_accuracy(truth: dict[str, Any], scanned: dict[str, Any]) -> tuple[int, int, int, int]:
    """(right, wrong, empty, total) over the numeric cells of the text-layer parse."""
    want, got = leaves(truth), leaves(scanned)
    right = sum(1 for path, value in want.items() if got.get(path) == value)
    empty = sum(1 for path in want if path not in got)
    return right, len(want) - right - empty, empty, len(want)


@dataclass
class Row:
    document: str
    rendition: str
    pages: int
    fields: str
    cells: str
    cell_share: float
    seconds_per_page: float
    peak_mb: float
    caught: list[str]
    wrong: list[str]


def read_scan(pdf: bytes, config: OcrConfig) -> tuple[Any, float, int, float]:
    """(OcrResult, seconds, pages, peak MB of the OCR process) for an image-only PDF."""
    pool = OcrPool(config)
    try:
        version = pool.version()
        job = plan_body(pdf, config, version)
        assert job is not None, "the rendition has a text layer?"
        began = time.monotonic()
        result = pool.read_now_job(job)
        return result, time.monotonic() - began, len(job.tasks), pool.peak_memory_mb()
    finally:
        pool.close()


def measure(name: str, dpi: int, degradation: str, ccitt: bool, config: OcrConfig) -> Row:
    source = REAL / name
    entry = next(e for e in MANIFEST["files"] if e["file"] == name)
    images = scans.rendition(source, dpi, degradation)
    pdf = scans.image_pdf(images, dpi, ccitt=ccitt)
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        original_pdf = scans.to_pdf(source, Path(work))
        truth = parse_report(original_pdf.read_bytes(), url=original_pdf.as_uri())
    result, seconds, pages, peak = read_scan(pdf, config)
    report = parse_report(pdf, url=f"file:///{name}-{degradation}-{dpi}.pdf", ocr=result)
    right, total, wrong = field_score(report, entry)
    cells_right, cells_wrong, cells_empty, cells_total = cell_accuracy(truth.tables, report.tables)
    truth_ok = {check["rule"] for check in run_checks(truth.tables, truth.figures, truth.format) if check["ok"]}
    caught = [check["rule"] for check in run_checks(report.tables, report.figures, report.format)
              if not check["ok"] and check["rule"] in truth_ok]
    return Row(
        document=name, rendition=f"{degradation} {dpi} dpi{' CCITT' if ccitt else ''}", pages=pages,
        fields=f"{right}/{total}", cells=f"{cells_right}/{cells_total} right, {cells_wrong} wrong, {cells_empty} empty",
        cell_share=cells_right / cells_total if cells_total else 0.0,
        seconds_per_page=seconds / max(pages, 1), peak_mb=peak, caught=caught, wrong=wrong,
    )


def compare_engines(engines: list[str], config: OcrConfig) -> list[list[str]]:
    """The same two table pages (hongze-2024 pp. 3-4, 'scan' at 150 dpi) through each engine."""
    source = REAL / "hongze-2024.pdf"
    images = scans.rendition(source, 150, "scan", (3, 4))
    pdf = scans.image_pdf(images, 150)
    truth = parse_report(source.read_bytes(), url=source.as_uri())
    rows = []
    for engine in engines:
        engine_config = dataclasses.replace(config, engine=engine)
        try:
            result, seconds, pages, peak = read_scan(pdf, engine_config)
        except Exception as error:
            rows.append([engine, "-", "-", "-", f"unavailable: {error}"])
            continue
        report = parse_report(pdf, url="file:///compare.pdf", ocr=result)
        got = leaves(report.tables)
        want = {path: value for path, value in leaves(truth.tables).items()
                if path.startswith(("applications", "review_litigation"))}
        right = sum(1 for path, value in want.items() if got.get(path) == value)
        rows.append([engine, f"{right}/{len(want)} ({100 * right / max(len(want), 1):.0f}%)",
                     f"{seconds / max(pages, 1):.1f}", f"{peak:.0f}", result.version])
    return rows


def run(quick: bool = False, engines: tuple[str, ...] = ("rapidocr", "tesseract"), select: str = "") -> dict[str, Any]:
    config = OcrConfig(cache_dir="", processes=1, threads=1)
    plans = [plan for plan in (QUICK_PLAN if quick else FULL_PLAN) if not select or select in f"{plan[0]} {plan[2]}"]
    rows = []
    for plan in plans:
        rows.append(measure(*plan, config))
        print(markdown({"rows": [rows[-1].__dict__], "engines": []}).splitlines()[2], flush=True)
    comparison = compare_engines(list(engines), config) if engines and engines != ("",) else []
    return {"rows": [row.__dict__ for row in rows], "engines": comparison}


def markdown(outcome: dict[str, Any]) -> str:
    lines = [("| document | rendition | pages | fields (of 15) | table cells vs text layer | s/page (1 core) | "
             "OCR process peak MB | checks that caught OCR errors |"), "|---|---|---|---|---|---|---|---|"]
    for row in outcome["rows"]:
        lines.append(f"| {row['document']} | {row['rendition']} | {row['pages']} | {row['fields']} | {row['cells']} | "
                     f"{row['seconds_per_page']:.1f} | {row['peak_mb']:.0f} | {', '.join(row['caught']) or '—'} |")
    lines += ["", "| engine | table cells right (pp. 3-4, scan 150 dpi) | s/page | peak MB | version |",
              "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in outcome["engines"]]
    wrong = [f"- {row['document']} {row['rendition']}: {'; '.join(row['wrong'])}" for row in outcome["rows"] if row["wrong"]]
    return "\n".join(lines + ([""] + ["Fields wrong:"] + wrong if wrong else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_ocr", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one document, one rendition")
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--out", type=Path, help="also write the JSON outcome here")
    parser.add_argument("--select", default="", help="only plan entries whose 'file degradation' contains this")
    parser.add_argument("--modes", action="store_true",
                        help="instead: the three ways a scan arrives (extract, attachment, page images), 15 fields each")
    args = parser.parse_args(argv)
    if args.modes:
        import tempfile

        lines = ["| document | rendition | how | fields (of 15) | wrong |", "|---|---|---|---|---|"]
        with tempfile.TemporaryDirectory() as cache:
            for plan in (MODES_PLAN[:1] if args.quick else MODES_PLAN):
                if args.select and args.select not in f"{plan[0]} {plan[2]}":
                    continue
                for row in three_ways(*plan, Path(cache)):
                    lines.append("| " + " | ".join(row) + " |")
                    print(lines[-1], flush=True)
        if args.out:
            args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n".join(lines))
        return 0
    outcome = run(args.quick, tuple(args.engines.split(",")), args.select)
    if args.out:
        args.out.write_text(json.dumps(outcome, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(outcome))
    return 0



def item_score(item: dict[str, Any], entry: dict[str, Any]) -> tuple[int, int, list[str]]:
    """`field_score` for a published item (a JSON object)."""
    from types import SimpleNamespace

    report = SimpleNamespace(**{name: item.get(name) for name in IDENTITY}, tables=item.get("tables") or {})
    return field_score(report, entry)


MODES_PLAN = [
    ("hongze-2024.pdf", 150, "scan"),
    ("hongze-2023.pdf", 150, "scan"),
    ("huaian-2024.pdf", 150, "scan"),
    ("pingtan-2024.html", 150, "scan"),
    ("hongze-2024.pdf", 150, "seal"),
    ("hongze-2024.pdf", 150, "photo"),
]


def three_ways(name: str, dpi: int, degradation: str, cache: Path) -> list[list[str]]:
    """The done-when of issue 16 for one rendition: `scrapy extract` on the image-only PDF, a crawl
    where it is the page's attachment, a crawl where the page body is the page images."""
    import subprocess
    import tempfile

    entry = next(e for e in MANIFEST["files"] if e["file"] == name)
    images = scans.rendition(REAL / name, dpi, degradation)
    pdf, jpegs = scans.image_pdf(images, dpi), scans.page_jpegs(images, dpi)
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        path = work / f"{Path(name).stem}-{degradation}.pdf"
        path.write_bytes(pdf)
        done = subprocess.run([sys.executable, "-m", "scrapy", "extract", str(path), "-s",
                               f"GOVREPORTS_OCR_CACHE_DIR={cache}"], check=False, cwd=ROOT, capture_output=True, text=True,
                              timeout=3600)
        items = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        scored = [("scrapy extract", items[0] if items else {})]
        for kind, page in (("attachment", "art_1"), ("images", "art_2")):
            (work / kind).mkdir()
            with scans.ScanPortal(pdf, jpegs, entry["title"], imaged_title=entry["title"], kinds=(kind,)) as portal:
                _, crawled = scans.crawl_scan_portal(portal, work / kind, cache, ROOT)
            scored.append((f"crawl: {'PDF attachment' if kind == 'attachment' else 'page images'}",
                           crawled.get(page, {})))
        for mode, item in scored:
            right, total, wrong = item_score(item, entry) if item else (0, 15, ["no item"])
            rows.append([name, f"{degradation} {dpi} dpi", mode, f"{right}/{total}", "; ".join(wrong) or "—"])
    return rows


def section(quick: bool = False) -> Any:
    """Benchmark 7 of `make bench`: one scanned report read by OCR (s/page on one core, OCR process memory)."""
    from benchmarks.results import Section

    config = OcrConfig(cache_dir="", processes=1, threads=1)
    rows = [measure(*plan, config) for plan in QUICK_PLAN]
    out = Section(
        title="7. OCR of a scanned report",
        description=("hongze-2024 rasterised at 150 dpi, tilted, blurred and speckled (govreports_farm/scans.py), "
                     "read as `scrapy extract` reads it: one OCR process, one thread, no cache. "
                     "`python -m benchmarks.bench_ocr` runs every document and degradation and the engine comparison."),
        header=["document", "rendition", "pages", "fields (of 15)", "table cells", "s/page (1 core)", "OCR process peak MB"],
        rows=[[r.document, r.rendition, str(r.pages), r.fields, r.cells, f"{r.seconds_per_page:.1f}", f"{r.peak_mb:.0f}"]
              for r in rows],
    )
    out.metrics = {"ocr s/page": rows[0].seconds_per_page, "ocr peak MB": rows[0].peak_mb,
                   "ocr cell share": rows[0].cell_share}
    out.verdicts = [f"{rows[0].seconds_per_page:.1f} s/page, {rows[0].peak_mb:.0f} MB, {rows[0].fields} fields"]
    return out


if __name__ == "__main__":
    raise SystemExit(main())

"""How fast PDF attachments are parsed: pages per second of `pdf_to_document`, one row per file.

    .venv/bin/python benchmarks/bench_pdf.py [--repeat N] [PDF ...]

Without arguments it measures the real report PDFs and the seed exports under tests/fixtures.
Each file is parsed N times (default 3); the table gives the best and the median run, because
the first run also pays for imports and font caches. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govreports.parsing.models import Grid
from govreports.parsing.pdf import pdf_to_document

DEFAULT_FILES = sorted((ROOT / "tests" / "fixtures" / "real-reports").glob("*.pdf")) + sorted(
    (ROOT / "tests" / "fixtures" / "attachments").glob("0*.pdf")
)


def measure(path: Path, repeat: int) -> dict[str, float | int | str]:
    data = path.read_bytes()
    timings: list[float] = []
    document = None
    for _ in range(repeat):
        started = time.perf_counter()
        document = pdf_to_document(data)
        timings.append(time.perf_counter() - started)
    assert document is not None
    pages = int(document.meta.get("pages", "0") or 0)
    best, median = min(timings), statistics.median(timings)
    return {
        "file": path.name,
        "kb": len(data) // 1024,
        "pages": pages,
        "grids": sum(isinstance(block, Grid) for block in document.blocks),
        "best_s": best,
        "median_s": median,
        "pages_per_s": pages / median if median else 0.0,
        "warnings": len(document.warnings),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="PDF files (default: the fixture PDFs)")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args(argv)
    files = arguments.files or DEFAULT_FILES
    rows = [measure(path, max(1, arguments.repeat)) for path in files]
    header = f"{'file':34} {'KB':>6} {'pages':>5} {'grids':>5} {'best s':>8} {'median s':>9} {'pages/s':>8} {'warn':>4}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['file']:34} {row['kb']:>6} {row['pages']:>5} {row['grids']:>5} "
            f"{row['best_s']:>8.3f} {row['median_s']:>9.3f} {row['pages_per_s']:>8.2f} {row['warnings']:>4}"
        )
    total_pages = sum(int(row["pages"]) for row in rows)
    total_time = sum(float(row["median_s"]) for row in rows)
    print("-" * len(header))
    print(f"{'all':34} {'':>6} {total_pages:>5} {'':>5} {'':>8} {total_time:>9.3f} {total_pages / total_time:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scanned reports read by the real OCR engine (RapidOCR), as a user meets them (issue 16).

- `scrapy extract` on an image-only PDF and on a table image with a red seal;
- a crawl where the scanned PDF is the report page's only attachment;
- a crawl where the report page's body is its page images.
The scans are renditions of the real hongze-2024 report (tests/fixtures/scans/make_fixtures.py):
Tables 2 and 3 at 150 dpi, tilted, blurred and speckled. One OCR cache is shared by the tests,
so a page is read once whichever test comes first (which is itself what the cache promises).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govreports_farm.scans import ScanPortal, crawl_scan_portal

pytest.importorskip("rapidocr")

pytestmark = pytest.mark.ocr

ROOT = Path(__file__).resolve().parents[2]
SCANS = ROOT / "tests" / "fixtures" / "scans"
SCAN_PDF = SCANS / "hongze-2024-p3-4-scan150.pdf"
# Tables 2 and 3 of hongze-2024 as printed (tests/fixtures/real-reports/manifest.json)
EXPECTED = {
    ("applications", "new_received", "total"): 95,
    ("applications", "carried_over", "total"): 0,
    ("applications", "results_total", "total"): 95,
    ("applications", "carried_forward", "total"): 0,
    ("applications", "granted", "total"): 50,
    ("applications", "partially_granted", "natural_person"): 9,
    ("applications", "unable_not_held", "total"): 31,
    ("review_litigation", "review", "total"): 2,
    ("review_litigation", "litigation_direct", "total"): 1,
    ("review_litigation", "litigation_after_review", "total"): 3,
}


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ocr-cache")


def extract(paths: list[Path], cache: Path, *settings: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    command = [sys.executable, "-m", "scrapy", "extract", *map(str, paths),
               "-s", f"GOVREPORTS_OCR_CACHE_DIR={cache}", *settings]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return done, [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def wrong_values(item: dict[str, Any]) -> list[str]:
    wrong = []
    for (table, row, column), want in EXPECTED.items():
        got = item["tables"].get(table, {}).get(row, {}).get(column)
        if got != want:
            wrong.append(f"{table}.{row}.{column}: {got!r} (printed {want})")
    return wrong


def test_extract_reads_the_tables_of_an_image_only_pdf(ocr_cache: Path) -> None:
    done, [item] = extract([SCAN_PDF], ocr_cache)
    assert done.returncode == 0, done.stderr[-2000:]
    assert wrong_values(item) == []
    assert item["format"] == "2021"
    ocr = item["source"]["ocr"]
    assert ocr["engine"] == "rapidocr" and ocr["pages"] == [1, 2] and ocr["dpi"] == 150
    assert ocr["mean_confidence"] > 0.9
    assert ocr["tables"] == ["active_disclosure", "applications", "review_litigation"]  # page 3 opens with the end of Table 1
    assert not any(check["rule"].startswith("applications.") and not check["ok"] for check in item["checks"])
    # the rerun reads nothing again: every page comes from the cache
    _again, [item_again] = extract([SCAN_PDF], ocr_cache)
    assert item_again["source"]["ocr"]["cached_pages"] == 2
    assert item_again["tables"] == item["tables"]


def test_ocr_never_leaves_a_scan_unread_with_a_warning(ocr_cache: Path) -> None:
    _done, [item] = extract([SCAN_PDF], ocr_cache, "-s", "GOVREPORTS_OCR=never")
    assert item["tables"] == {} and item["source"]["ocr"] is None
    assert any(warning.startswith("scanned: no text layer") for warning in item["warnings"])


def test_a_sealed_table_image_is_read_through_the_seal(ocr_cache: Path) -> None:
    done, [item] = extract([SCANS / "hongze-2024-table3-seal.png"], ocr_cache)
    assert done.returncode == 0, done.stderr[-2000:]
    review = item["tables"]["review_litigation"]
    assert review["review"] == {"upheld": 1, "corrected": 1, "other": 0, "pending": 0, "total": 2}
    assert review["litigation_direct"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert review["litigation_after_review"] == {"upheld": 2, "corrected": 0, "other": 1, "pending": 0, "total": 3}


# --- crawls ---------------------------------------------------------------------------------------

TITLE = "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"


def page_images() -> list[bytes]:
    """The scan's pages as the JPEG files a portal would show one under the other."""
    import pypdfium2 as pdfium

    out = []
    pdf = pdfium.PdfDocument(SCAN_PDF.read_bytes())
    for index in range(len(pdf)):
        buffer = io.BytesIO()
        pdf[index].render(scale=150 / 72).to_pil().convert("RGB").save(buffer, format="JPEG", quality=80)
        out.append(buffer.getvalue())
    pdf.close()
    return out


def test_a_crawl_reads_a_scanned_attachment_and_a_page_of_page_images(ocr_cache: Path, tmp_path: Path) -> None:
    with ScanPortal(SCAN_PDF.read_bytes(), page_images(), TITLE) as portal:
        done, items = crawl_scan_portal(portal, tmp_path, ocr_cache, ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(items) == {"art_1", "art_2"}, done.stderr[-3000:]
    attached, imaged = items["art_1"], items["art_2"]
    assert wrong_values(attached) == []
    assert attached["title"] == TITLE and attached["report_year"] == 2024
    assert any("report body taken from" in warning for warning in attached["warnings"])
    assert wrong_values(imaged) == []
    assert imaged["source"]["ocr"]["pages"] == [1, 2]
    assert [a["url"].rsplit("/", 1)[-1] for a in imaged["attachments"]] == ["scan-1.jpg", "scan-2.jpg"]
    assert "/images/logo.png" not in portal.fetched  # the header logo is not a page
    assert "govreports/ocr/documents" in done.stderr


def test_the_engine_runs_with_the_network_cut() -> None:
    """The models ship inside the wheel: loading and reading never opens a socket."""
    script = (
        "import socket\n"
        "class Cut(socket.socket):\n"
        "    def __init__(self, *a, **k):\n"
        "        raise OSError('network cut: the OCR engine tried to open a socket')\n"
        "socket.socket = Cut\n"
        "socket.create_connection = lambda *a, **k: Cut()\n"
        "import numpy as np\n"
        "from PIL import Image\n"
        "from govreports.parsing.ocr.engine import load_engine\n"
        "from govreports.parsing.ocr.layout import read_page\n"
        f"image = np.array(Image.open({str(SCANS / 'hongze-2024-table3-seal.png')!r}).convert('RGB'))\n"
        "page = read_page(image, load_engine('rapidocr'), 150)\n"
        "print(page.tables[0].rows[-1])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "'1', '1', '0', '0', '2'" in done.stdout

"""Scanned renditions of real reports: the test material of OCR (issue 16).

A report (PDF, HTML printed by Chromium, DOCX/DOC printed by LibreOffice) is rasterised with
`pdftoppm` and degraded the ways real scans and phone photos are: tilt, blur, speckle, low
contrast, red official seals (公章) stamped over table cells, a phone photograph's perspective,
uneven light and curled page. The pages are written back as an image-only PDF (JPEG in PDF, or
1-bit CCITT G4 as fax-style scanners do), as separate page images, or as a multi-page TIFF.

    python -m govreports_farm.scans SOURCE OUT_DIR [--dpi 150] [--degradation scan]

JBIG2-compressed PDFs cannot be generated here (no JBIG2 encoder is packaged for Debian or
PyPI); pdfium, which renders PDF pages for OCR, decodes JBIG2 itself.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

DEGRADATIONS = ("clean", "scan", "tilt+1", "tilt-1", "blur", "speckle", "low_contrast", "seal", "photo")


def to_pdf(source: Path, work: Path) -> Path:
    """The source as a PDF: as is, or printed (HTML by Chromium, DOC/DOCX by LibreOffice)."""
    suffix = source.suffix.lower()
    if suffix == ".pdf":
        return source
    out = work / (source.stem + ".pdf")
    if suffix in (".html", ".htm"):
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={out}", source.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
        return out
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(source)],
                   check=True, capture_output=True, timeout=180)
    return out


def rasterise(pdf: Path, dpi: int, pages: tuple[int, int] | None = None) -> list[Any]:
    """The PDF's pages as RGB PIL images (pdftoppm)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as directory:
        command = ["pdftoppm", "-r", str(dpi), "-png"]
        if pages:
            command += ["-f", str(pages[0]), "-l", str(pages[1])]
        subprocess.run([*command, str(pdf), f"{directory}/page"], check=True, capture_output=True, timeout=300)
        return [Image.open(path).convert("RGB") for path in sorted(Path(directory).glob("page-*.png"),
                                                                   key=lambda p: int(p.stem.rsplit("-", 1)[1]))]


def _tilt(image: Any, degrees: float) -> Any:
    return image.rotate(degrees, resample=3, expand=False, fillcolor=(255, 255, 255))


def _blur(image: Any, radius: float = 1.0) -> Any:
    from PIL import ImageFilter

    return image.filter(ImageFilter.GaussianBlur(radius))


def _speckle(image: Any, rng: random.Random, amount: float = 0.004) -> Any:
    import numpy as np

    pixels = np.array(image)
    height, width = pixels.shape[:2]
    count = int(height * width * amount)
    ys = np.array([rng.randrange(height) for _ in range(count)])
    xs = np.array([rng.randrange(width) for _ in range(count)])
    pixels[ys[: count // 2], xs[: count // 2]] = 0
    pixels[ys[count // 2 :], xs[count // 2 :]] = 255
    from PIL import Image

    return Image.fromarray(pixels)


def _low_contrast(image: Any) -> Any:
    import numpy as np
    from PIL import Image

    pixels = np.array(image).astype(np.float32)
    return Image.fromarray((110 + pixels * (120 / 255)).clip(0, 255).astype(np.uint8))


def _seal_centre(image: Any, rng: random.Random) -> tuple[int, int]:
    """Over the data cells of the page's first ruled table (its lower right), else mid-page."""
    import numpy as np

    from govreports.parsing.ocr.layout import (
        binarize,
        clean_gray,
        find_tables,
        ruling_masks,
    )

    width, height = image.size
    tables = find_tables(*ruling_masks(binarize(clean_gray(np.array(image)))))
    if tables:
        table = max(tables, key=lambda t: (t.x1 - t.x0) * (t.bottom - t.top))
        return (int(table.x0 + (table.x1 - table.x0) * rng.uniform(0.6, 0.8)),
                int(table.top + (table.bottom - table.top) * rng.uniform(0.5, 0.8)))
    return int(width * rng.uniform(0.55, 0.75)), int(height * rng.uniform(0.35, 0.75))


def _seal(image: Any, rng: random.Random) -> Any:
    """A red round official seal (公章) stamped over table cells."""
    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, _height = image.size
    radius = int(width * 0.11)
    cx, cy = _seal_centre(image, rng)
    red = (215, 30, 35, 170)
    for ring in range(3):
        draw.ellipse((cx - radius + ring, cy - radius + ring, cx + radius - ring, cy + radius - ring), outline=red)
    draw.ellipse((cx - radius + 10, cy - radius + 10, cx + radius - 10, cy + radius - 10), outline=red, width=2)
    star = [(cx + radius * 0.3 * math.cos(math.radians(90 + 72 * k * 2)),
             cy - radius * 0.3 * math.sin(math.radians(90 + 72 * k * 2))) for k in range(5)]
    draw.polygon(star, fill=red)
    for k in range(40):  # the ring of characters: short strokes around the edge
        angle = math.radians(200 + k * 3.5)
        x, y = cx + radius * 0.75 * math.cos(angle), cy - radius * 0.75 * math.sin(angle)
        draw.rectangle((x - 4, y - 4, x + 4, y + 4), fill=red)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _photo(image: Any, rng: random.Random) -> Any:
    """A phone photo of the page: perspective, light falling off to one side, a curled edge."""
    import cv2
    import numpy as np
    from PIL import Image

    pixels = np.array(image)
    height, width = pixels.shape[:2]
    margin = 0.03
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    target = np.array([
        [width * rng.uniform(0, margin), height * rng.uniform(0, margin)],
        [width * (1 - rng.uniform(0, margin)), height * rng.uniform(0, margin)],
        [width * (1 - rng.uniform(0, margin / 2)), height * (1 - rng.uniform(0, margin / 2))],
        [width * rng.uniform(0, margin / 2), height * (1 - rng.uniform(0, margin))],
    ], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(pixels, matrix, (width, height), borderValue=(90, 90, 90))
    # curl: the right edge bends a little
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    bend = 6.0 * ((xs / width) ** 3) * np.sin(np.pi * ys / height)
    curled = cv2.remap(warped, xs, ys + bend, interpolation=cv2.INTER_LINEAR, borderValue=(90, 90, 90))
    light = np.linspace(1.0, 0.7, width, dtype=np.float32)[None, :, None] * np.linspace(0.95, 1.0, height,
                                                                                        dtype=np.float32)[:, None, None]
    lit = (curled.astype(np.float32) * light + rng.uniform(5, 15)).clip(0, 255).astype(np.uint8)
    return _blur(Image.fromarray(lit), 0.6)


def degrade(image: Any, degradation: str, seed: int = 16) -> Any:
    """One degradation, or several joined by commas applied in order ("scan,seal": a tilted,
    blurred, speckled page with a seal stamped on it, as a sealed report comes back from a scanner)."""
    rng = random.Random(seed)
    steps: dict[str, Callable[[Any], Any]] = {
        "clean": lambda im: im,
        # the case: a slight tilt, blur and speckle
        "scan": lambda im: _speckle(_blur(_tilt(im, rng.choice((-1.0, 1.0))), 0.8), rng, 0.002),
        "tilt+1": lambda im: _tilt(im, 1.0),
        "tilt-1": lambda im: _tilt(im, -1.0),
        "blur": lambda im: _blur(im, 1.2),
        "speckle": lambda im: _speckle(im, rng, 0.006),
        "low_contrast": _low_contrast,
        "seal": lambda im: _seal(im, rng),
        "photo": lambda im: _photo(im, rng),
    }
    for step in degradation.split(","):
        image = steps[step](image)
    return image


def image_pdf(images: list[Any], dpi: int, *, ccitt: bool = False, quality: int = 70) -> bytes:
    """An image-only PDF: JPEG pages, or 1-bit CCITT G4 pages (a fax-style scanner's output)."""
    out = io.BytesIO()
    if ccitt:
        pages = [image.convert("L").point(lambda value: 255 if value > 150 else 0).convert("1") for image in images]
        pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    else:
        pages = [image.convert("RGB") for image in images]
        pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi, quality=quality)
    return out.getvalue()


def page_jpegs(images: list[Any], dpi: int, quality: int = 75) -> list[bytes]:
    out = []
    for image in images:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="JPEG", quality=quality, dpi=(dpi, dpi))
        out.append(buffer.getvalue())
    return out


def rendition(source: Path, dpi: int, degradation: str, pages: tuple[int, int] | None = None) -> list[Any]:
    """The degraded page images of a source report."""
    with tempfile.TemporaryDirectory() as work:
        pdf = to_pdf(source, Path(work))
        return [degrade(image, degradation, seed=index) for index, image in enumerate(rasterise(pdf, dpi, pages))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--degradation", default="scan",
                        help=f"one of {', '.join(DEGRADATIONS)}, or several joined by commas (seal,scan)")
    parser.add_argument("--ccitt", action="store_true", help="1-bit CCITT G4 pages")
    parser.add_argument("--pages", help="first-last (1-based)")
    options = parser.parse_args(argv)
    pages: tuple[int, int] | None = None
    if options.pages:
        first, last = (int(p) for p in options.pages.split("-"))
        pages = (first, last)
    images = rendition(options.source, options.dpi, options.degradation, pages)
    options.out.mkdir(parents=True, exist_ok=True)
    stem = f"{options.source.stem}-{options.degradation}-{options.dpi}"
    (options.out / f"{stem}{'-ccitt' if options.ccitt else ''}.pdf").write_bytes(
        image_pdf(images, options.dpi, ccitt=options.ccitt))
    for number, data in enumerate(page_jpegs(images, options.dpi), start=1):
        (options.out / f"{stem}-p{number}.jpg").write_bytes(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --- a portal publishing scans: one report as a scanned attachment, one as page images ------------

class ScanPortal:
    """A loopback county portal whose 年报 column lists one report twice over: as a scanned PDF
    attached to a link-only page, and as a page whose body is the page images.

        with ScanPortal(pdf, jpegs, title) as portal:
            scrapy crawl annual_reports -a url={portal.column_url}
    """

    def __init__(self, pdf: bytes, jpegs: list[bytes], title: str, imaged_title: str | None = None,
                 kinds: tuple[str, ...] = ("attachment", "images")) -> None:
        self.title = title
        self.pages = self._pages(pdf, jpegs, title, imaged_title or title + "（图片版）", kinds)
        self.fetched: list[str] = []
        self._server: Any = None

    @staticmethod
    def _pages(pdf: bytes, jpegs: list[bytes], title: str, imaged_title: str,
               kinds: tuple[str, ...]) -> dict[str, tuple[str, bytes]]:
        shell = ("<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
                 "<div class='header'><img src='/images/logo.png' width='300' height='60'></div>"
                 "<div class='article'><h1>{title}</h1><div class='TRS_Editor'>{body}</div></div>"
                 "<div class='footer'>版权所有</div></body></html>")
        entries = []
        if "attachment" in kinds:
            entries.append(f"<li><a href='/art/2025/1/20/art_1.html'>{title}</a><span>2025-01-20</span></li>")
        if "images" in kinds:
            entries.append(f"<li><a href='/art/2025/1/21/art_2.html'>{imaged_title}</a><span>2025-01-21</span></li>")
        column = ("<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
                  f"<div class='list'><ul>{''.join(entries)}</ul></div></body></html>")
        tags = "".join(f"<p><img src='/upload/2025/scan-{n}.jpg' width='800' height='1131'></p>"
                       for n in range(1, len(jpegs) + 1))
        pages = {
            "/col/nb/index.html": ("text/html; charset=utf-8", column.encode()),
            "/art/2025/1/20/art_1.html": ("text/html; charset=utf-8", shell.format(
                title=title, body="<p>附件：<a href='/upload/2025/nb.pdf'>年报.pdf</a></p>").encode()),
            "/art/2025/1/21/art_2.html": ("text/html; charset=utf-8",
                                          shell.format(title=imaged_title, body=tags).encode()),
            "/upload/2025/nb.pdf": ("application/pdf", pdf),
            "/images/logo.png": ("image/png", b"\x89PNG\r\n\x1a\n"),
        }
        for number, data in enumerate(jpegs, start=1):
            pages[f"/upload/2025/scan-{number}.jpg"] = ("image/jpeg", data)
        return pages

    @property
    def column_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/col/nb/index.html"

    def __enter__(self) -> Self:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                portal.fetched.append(self.path)
                found = portal.pages.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                kind, body = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def crawl_scan_portal(portal: ScanPortal, work: Path, cache: Path, root: Path) -> tuple[Any, dict[str, Any]]:
    """`scrapy crawl` the portal (a subprocess); (the process, items by page name art_1/art_2)."""
    import json
    import sys

    output = work / "items.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-a", f"url={portal.column_url}",
               "-s", f"GOVREPORTS_DB={work / 'state.sqlite3'}", "-s", f"GOVREPORTS_OCR_CACHE_DIR={cache}",
               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
               "-s", "LOG_LEVEL=INFO", "-O", str(output)]
    done = subprocess.run(command, check=False, cwd=root, capture_output=True, text=True, timeout=3600)
    items = {}
    if output.exists():
        for line in output.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            items[item["url"].rsplit("/", 1)[-1].removesuffix(".html")] = item
    return done, items

"""What needs OCR, and the page images it reads, decoded under a pixel cap.

- a PDF page needs OCR when it has no text layer (an image of the page), or a garbage one:
  private-use glyphs, `(cid:N)` codes or mojibake where a report has Chinese text;
- an image file (JPEG, PNG, TIFF — every frame of a multi-page TIFF) is one page per frame.

Images are measured before they are decoded: one whose pixel count exceeds the cap (a
decompression bomb: a few kilobytes of PNG declaring 50 000 × 50 000 pixels) is refused.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

IMAGE_TYPES = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/tiff": ".tif", "image/bmp": ".bmp",
    "image/gif": ".gif", "image/webp": ".webp",
}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp")
# fewer visible characters than this on a page that shows an image: the page is a scan
SCANNED_PAGE_MAX_CHARS = 20
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_CID = re.compile(r"\(cid:\d+\)")
# Latin-1 letters a UTF-8 or GBK text read with the wrong code page is made of ("æ\x94¿å\x BA\x9c")
_MOJIBAKE = re.compile("[\u00c0-\u00ff\u0080-\u009f\ufffd]")
_CJK = re.compile("[\u4e00-\u9fff]")


class ImageRefused(ValueError):
    """An image that must not be decoded (too many pixels, unreadable)."""


def sniff_image(data: bytes) -> str | None:
    """The image media type of `data` from its magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_garbage_text(text: str) -> bool:
    """A text layer that is not readable text: private-use glyphs, (cid:N) codes, mojibake."""
    visible = re.sub(r"\s+", "", _CID.sub("\ue000", text))
    if not visible:
        return False
    bad = len(_PRIVATE_USE.findall(visible)) + len(_MOJIBAKE.findall(visible))
    return bad / len(visible) > 0.3 and len(_CJK.findall(visible)) / len(visible) < 0.3


def pdf_pages_needing_ocr(data: bytes, max_pages: int, always: bool = False) -> tuple[list[int], int]:
    """(1-based numbers of the pages to OCR, the PDF's page count); ([], 0) for an unreadable PDF.

    Cheap (pdfium's text layer, no layout): it decides before any parsing whether the OCR pool
    is needed. `always` OCRs every page that shows an image, text layer or not.
    """
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c
    except ImportError:
        return [], 0
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:
        return [], 0
    try:
        count = len(pdf)
        wanted: list[int] = []
        if b"/Image" not in data:
            # no image XObject (their dictionaries are never compressed): not a scan; only a
            # garbage text layer needs OCR, and a broken font shows on the first page already
            first = pdf[0] if count else None
            if first is None:
                return [], count
            text_page = first.get_textpage()
            sample = text_page.get_text_range(0, min(text_page.count_chars(), 400))
            text_page.close()
            first.close()
            return (list(range(1, min(count, max_pages) + 1)) if is_garbage_text(sample) else []), count
        for index in range(min(count, max_pages)):
            page = pdf[index]
            try:
                text_page = page.get_textpage()
                characters = text_page.count_chars()
                # a sample is enough to tell text from garbage (reading a whole page costs ~100 ms)
                sample = text_page.get_text_range(0, min(characters, 400)) if characters > 0 else ""
                text_page.close()
                visible = len(re.sub(r"\s+", "", sample))
                if visible >= SCANNED_PAGE_MAX_CHARS and is_garbage_text(sample):
                    wanted.append(index + 1)  # unreadable text: read the rendered page instead
                    continue
                if visible >= SCANNED_PAGE_MAX_CHARS and not always:
                    continue
                has_image = any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))
                if has_image:
                    wanted.append(index + 1)
            finally:
                page.close()
        return wanted, count
    finally:
        pdf.close()


def render_pdf_page(data: bytes, number: int, dpi: int, max_pixels: int) -> Any:
    """Page `number` (1-based) of a PDF as an RGB numpy array at `dpi`."""
    import numpy as np
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[number - 1]
        try:
            width, height = page.get_size()
            scale = dpi / 72.0
            pixels = width * scale * height * scale
            if pixels > max_pixels:
                raise ImageRefused(
                    f"page {number} at {dpi} dpi would be {pixels:,.0f} pixels (cap {max_pixels:,})")
            bitmap = page.render(scale=scale)
            image = np.array(bitmap.to_pil().convert("RGB"))
            bitmap.close()
            return image
        finally:
            page.close()
    finally:
        pdf.close()


def image_frames(data: bytes, max_pixels: int, max_frames: int) -> Iterator[Any]:
    """Each frame of an image file as an RGB numpy array; refuses images over the pixel cap."""
    import numpy as np
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own guard for anything decoded below
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
    except Image.DecompressionBombError as error:
        raise ImageRefused(f"image exceeds the cap of {max_pixels:,} pixels (a decompression bomb?): {error}") from error
    except Exception as error:
        raise ImageRefused(f"image unreadable: {type(error).__name__}: {error}") from error
    if width * height > max_pixels:
        raise ImageRefused(f"image of {width}×{height} pixels exceeds the cap of {max_pixels:,} (a decompression bomb?)")
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= max_frames:
            break
        if frame.size[0] * frame.size[1] > max_pixels:
            raise ImageRefused(f"frame {index + 1} exceeds the pixel cap of {max_pixels:,}")
        try:
            yield np.array(frame.convert("RGB"))
        except Exception as error:
            raise ImageRefused(f"image frame {index + 1} unreadable: {type(error).__name__}: {error}") from error


def image_dpi(data: bytes, default: int) -> int:
    """The resolution an image file declares (scanners write it), else `default`."""
    from PIL import Image

    try:
        value = Image.open(io.BytesIO(data)).info.get("dpi")
    except Exception:
        return default
    if isinstance(value, tuple) and value and float(value[0]) >= 50:
        return round(float(value[0]))
    return default

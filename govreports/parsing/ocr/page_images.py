"""The images of a report page that are the report itself (one scanned page per `<img>`).

Some portals publish the report as a column of page images. Those are fetched only when the
content's own text is too short to be the report, and only images that can be printed pages:
logos, icons, QR codes, share buttons and banners are skipped by their size attributes, their
names and where they sit (header, footer, navigation). Linked scans (`<a href="p1.tif">`) count
too. At most `max_images`, in page order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from lxml import etree

from govreports.parsing.attachments import STUB_PAGE_MAX_CHARS, AttachmentLink
from govreports.parsing.ocr.images import IMAGE_SUFFIXES
from govreports.parsing.tree import element_text

# a printed page shown on screen is at least this wide or tall (px, from width/height attributes)
MIN_PAGE_IMAGE_SIDE = 300
_DECORATION = re.compile(
    r"logo|icon|ico_|qr|ewm|erweima|share|weixin|wechat|weibo|banner|nav|footer|header|btn|button|"
    r"arrow|spacer|blank|loading|gotop|print|close|search|badge|jiucuo|zfwzjc|conac|beian|police|ghs",
    re.IGNORECASE,
)
_FURNITURE_TAGS = frozenset({"header", "footer", "nav", "aside"})
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


def report_images(roots: Sequence[etree._Element], base_url: str, *, max_images: int) -> list[AttachmentLink]:
    """The page images to fetch for OCR, or [] when the content has text enough to be the report."""
    if max_images <= 0 or not roots:
        return []
    # characters that are not whitespace (str.split() drops what re's \s matches), root by root
    # with an early end: the content of a real report is long, and that is all this needs to know
    chars = 0
    for root in roots:
        chars += len("".join(element_text(root).split()))
        if chars >= STUB_PAGE_MAX_CHARS:
            return []
    found: dict[str, AttachmentLink] = {}
    for root in roots:
        for element in root.iter("img", "a"):
            url = _image_url(element, base_url)
            if url is None or url in found or _is_decoration(element, url):
                continue
            name = (element.get("alt") or element.get("title") or "").strip() or url.rsplit("/", 1)[-1]
            found[url] = AttachmentLink(url=url, name=name)
            if len(found) >= max_images:
                return list(found.values())
    return list(found.values())


def _image_url(element: etree._Element, base_url: str) -> str | None:
    if element.tag == "a":
        raw = (element.get("href") or "").strip()
        if not urlsplit(raw).path.lower().endswith(IMAGE_SUFFIXES):
            return None
    else:
        raw = next((element.get(name, "").strip() for name in ("data-original", "data-src", "src")
                    if element.get(name, "").strip()), "")
    if not raw or raw.lower().startswith(("data:", "javascript:")):
        return None
    url = urljoin(base_url, raw)
    return url if urlsplit(url).scheme in ("http", "https") else None


def _side(element: etree._Element, name: str) -> float | None:
    value = element.get(name) or ""
    style = element.get("style") or ""
    if not value:
        match = re.search(rf"(?<![-\w]){name}\s*:\s*(\d+(?:\.\d+)?)px", style)
        value = match.group(1) if match else ""
    match = _NUMBER.match(value.strip())
    return float(match.group(1)) if match and not value.strip().endswith("%") else None


def _is_decoration(element: etree._Element, url: str) -> bool:
    """A logo, icon, QR code or button: by size, by name, or by where it sits."""
    width, height = _side(element, "width"), _side(element, "height")
    sides = [side for side in (width, height) if side is not None]
    if sides and max(sides) < MIN_PAGE_IMAGE_SIDE:
        return True
    if width and height and 0.85 <= width / height <= 1.15 and max(width, height) < 500:
        return True  # small and square: a QR code
    if _DECORATION.search(urlsplit(url).path.rsplit("/", 1)[-1]) or _DECORATION.search(element.get("alt") or ""):
        return True
    node: etree._Element | None = element
    for _ in range(8):
        if node is None:
            break
        tag = node.tag if isinstance(node.tag, str) else ""
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if tag.lower() in _FURNITURE_TAGS or _DECORATION.search(marks):
            return True
        node = node.getparent()
    return False

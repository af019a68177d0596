"""Bytes → text for report pages, trusting declarations only as far as the bytes agree.

Chinese portals declare gb2312 while serving GBK (stats.gov.cn), send `charset=utf-8` headers for
GBK bodies, write malformed metas (`httpequiv="ContentType"`) and serve error pages as iso-8859-1.
Order of evidence: byte-order mark, the HTTP charset, the `<meta>` charset, then detection. Every
declaration is checked against the bytes (share of undecodable bytes); a declaration the bytes
contradict is replaced and the replacement is reported as a warning. Any gb* label decodes as
gb18030, a superset that also covers the characters GBK pages really contain. Never raises.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

# labels that all mean "some GB encoding"; gb18030 decodes every one of them
_GB_LABELS = frozenset(
    {"gb2312", "gb_2312", "gb_2312-80", "gb2312-80", "gbk", "x-gbk", "cp936", "ms936", "windows-936",
     "gb18030", "euc-cn", "x-euc-cn", "csgb2312", "chinese", "iso-ir-58", "hz-gb-2312"}
)
# labels of single-byte encodings that never legitimately carry Chinese text
_SINGLE_BYTE = frozenset({"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "ascii", "us-ascii"})
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# more undecodable bytes than this (share of the body) means the declaration is wrong
_MAX_ERROR_RATIO = 0.002


@dataclass(frozen=True, slots=True)
class DecodedText:
    """The decoded text, the codec actually used and what went wrong on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()
    # the body is exactly `text` in UTF-8 (valid UTF-8 or ASCII, no byte-order mark, nothing
    # replaced): the HTML parser can be given the bytes rather than the text
    utf8_exact: bool = False


def declared_encoding(content_type: str, body: bytes | None) -> str | None:
    """The charset the server declares (Content-Type), else the one an HTML body declares."""
    declared = http_content_type_encoding(content_type)
    if declared is None and body is not None:
        declared = html_body_declared_encoding(body)
    return declared


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a declared charset label; gb* → gb18030; None when unknown."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    if not cleaned:
        return None
    if cleaned in _GB_LABELS or cleaned.startswith("gb"):
        return "gb18030"
    if cleaned in {"utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8"}:
        return "utf-8"
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset a `<meta>` in the first 4 KB names (also `httpequiv="ContentType"` forms)."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _decode_replacing(body: bytes, encoding: str) -> tuple[str, float]:
    """(the text with undecodable bytes replaced, their share of the bytes); ("", 1.0) for an
    unusable codec. The text is kept for the caller rather than decoded again."""
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return "", 1.0
    errors = text.count("\ufffd")
    return text, errors / max(len(body), 1)


def _strict_utf8(body: bytes) -> str | None:
    """The text of a non-ASCII body that decodes strictly as UTF-8, else None: multi-byte text that
    does is UTF-8 (GBK bytes practically never do). The text is kept, not decoded a second time."""
    if body.isascii():
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _detect(body: bytes) -> str | None:
    """charset-normalizer's best guess, gb* folded to gb18030."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return None
    best = from_bytes(body[:200_000]).best()
    return normalize_charset(best.encoding) if best is not None else None


def decode_body(body: bytes, declared: str | None = None, *, look_for_meta: bool = True) -> DecodedText:
    """Decode a page body; see the module docstring for the order of evidence."""
    if not body:
        return DecodedText("", normalize_charset(declared) or "utf-8")
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = body.decode(codec, errors="replace")
            name = "utf-8" if codec == "utf-8-sig" else codec
            return DecodedText(text.lstrip("\ufeff"), name)

    warnings: list[str] = []
    header = normalize_charset(declared)
    if declared and header is None:
        warnings.append(f"decode: unknown declared charset {declared!r} ignored")
    meta_label = sniff_meta_charset(body) if look_for_meta else None
    meta = normalize_charset(meta_label)
    if meta_label and meta is None:
        warnings.append(f"decode: unknown meta charset {meta_label!r} ignored")

    candidates = [(source, codec) for source, codec in (("header", header), ("meta", meta)) if codec]
    if body.isascii():
        return DecodedText(body.decode("ascii"), candidates[0][1] if candidates else "utf-8", tuple(warnings),
                           utf8_exact=True)

    utf8_text = _strict_utf8(body)
    for source, codec in candidates:
        if codec == "utf-8" and utf8_text is not None:
            return DecodedText(utf8_text, "utf-8", tuple(warnings), utf8_exact=True)
        if codec in _SINGLE_BYTE_CODECS:
            warnings.append(f"decode: {source} charset {codec} cannot carry this page's Chinese text")
            continue
        if codec != "utf-8" and utf8_text is not None:
            warnings.append(f"decode: {source} declares {codec} but the body is valid UTF-8; decoded as utf-8")
            return DecodedText(utf8_text, "utf-8", tuple(warnings), utf8_exact=True)
        text, ratio = _decode_replacing(body, codec)
        if ratio <= _MAX_ERROR_RATIO:
            if ratio:
                warnings.append(f"decode: {ratio:.2%} of bytes undecodable as {codec}; replaced")
            return DecodedText(text, codec, tuple(warnings))
        warnings.append(f"decode: {source} declares {codec} but {ratio:.1%} of bytes do not decode")

    if utf8_text is not None:
        chosen, text = "utf-8", utf8_text
    else:
        gb_text, gb_ratio = _decode_replacing(body, "gb18030")
        chosen = "gb18030" if gb_ratio <= _MAX_ERROR_RATIO else (_detect(body) or "gb18030")
        text = gb_text if chosen == "gb18030" else body.decode(chosen, errors="replace")
    if candidates and chosen != candidates[0][1]:
        warnings.append(f"decode: corrected charset {candidates[0][1]} → {chosen}")
    if "\ufffd" in text and not any("undecodable" in w for w in warnings):
        warnings.append(f"decode: {text.count(chr(0xFFFD))} undecodable byte sequences replaced ({chosen})")
    return DecodedText(text, chosen, tuple(warnings), utf8_exact=utf8_text is not None)


_SINGLE_BYTE_CODECS = frozenset(filter(None, (normalize_charset(label) for label in _SINGLE_BYTE)))


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding used) for an HTML body; `decode_body` also gives the warnings."""
    decoded = decode_body(body, declared)
    return decoded.text, decoded.encoding

"""Hostile files built at test time: small on disk, enormous (or endless) once opened.

Nothing here holds the expanded payload in memory: the DOCX bomb repeats one deflate block
(after a full flush a block of identical input compresses to identical bytes), so a gigabyte of
spaces costs about a megabyte and a fraction of a second to build.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

GIB = 1 << 30
MIB = 1 << 20
W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)


@dataclass(frozen=True)
class ZipMember:
    name: str
    deflated: bytes  # raw deflate stream
    crc: int
    size: int  # real uncompressed size
    declared_size: int  # what the headers claim


def repeated_member(name: str, prefix: bytes, filler: bytes, repeat: int, suffix: bytes, *,
                    declared_size: int | None = None) -> ZipMember:
    """prefix + filler × repeat + suffix, deflated without ever building the whole text."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(filler) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(filler) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "deflate blocks after a full flush must repeat"
    tail = compressor.compress(suffix) + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(repeat):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + len(filler) * repeat + len(suffix)
    return ZipMember(name, head + block * repeat + tail, crc, size,
                     size if declared_size is None else declared_size)


def zlib_bomb(expanded_bytes: int) -> bytes:
    """A zlib stream (PDF FlateDecode) of `expanded_bytes` spaces, built like the DOCX bomb."""
    member = repeated_member("stream", b"", b" " * MIB, max(1, expanded_bytes // MIB), b"")
    checksum = 1
    for _ in range(max(1, expanded_bytes // MIB)):
        checksum = zlib.adler32(b" " * MIB, checksum)
    return b"\x78\xda" + member.deflated + checksum.to_bytes(4, "big")


def small_member(name: str, data: bytes) -> ZipMember:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    return ZipMember(name, deflated, zlib.crc32(data), len(data), len(data))


def build_zip(members: list[ZipMember], *, central_directory: bool = True) -> bytes:
    """A zip (zip64 where sizes need it) whose headers say each member's `declared_size`."""
    out = bytearray()
    central = bytearray()
    for member in members:
        name = member.name.encode()
        offset = len(out)
        big = member.declared_size >= 0xFFFFFFFF or len(member.deflated) >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, member.declared_size, len(member.deflated)) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(member.deflated), member.declared_size)
        version = 45 if big else 20
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, version, 0, 8, 0, 0, member.crc, *sizes,
                           len(name), len(extra)) + name + extra + member.deflated
        central_extra = (struct.pack("<HHQQQ", 1, 24, member.declared_size, len(member.deflated), offset)
                         if big else b"")
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, version, version, 0, 8, 0, 0, member.crc,
                               *sizes, len(name), len(central_extra), 0, 0, 0, 0,
                               0xFFFFFFFF if big else offset) + name + central_extra
    if not central_directory:
        return bytes(out)
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def docx_bomb(expanded_bytes: int = GIB, *, declared_size: int | None = None,
              central_directory: bool = True) -> bytes:
    """A DOCX whose word/document.xml is one paragraph of `expanded_bytes` spaces."""
    prefix = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NAMESPACE}">'
              "<w:body><w:p><w:r><w:t>政府信息公开工作年度报告").encode()
    suffix = b"</w:t></w:r></w:p></w:body></w:document>"
    document = repeated_member("word/document.xml", prefix, b" " * MIB, max(1, expanded_bytes // MIB), suffix,
                               declared_size=declared_size)
    return build_zip([small_member("[Content_Types].xml", CONTENT_TYPES), document],
                     central_directory=central_directory)


def pdf_file(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF with a correct xref table for the given numbered object bodies."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
ONE_PAGE_TREE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def text_page(contents: str = "4 0 R") -> bytes:
    return (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + contents.encode()
            + b" /Resources << /Font << /F1 5 0 R >> >> >>")


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"

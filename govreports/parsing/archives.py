"""ZIP attachments that hold the report (a 年报 packed with its tables, or one file zipped).

The archive is judged from its directory before anything is inflated (limits.zip_refusal: member
count, total size, inflation ratio — the DOCX zip-bomb limits), then one member is read: the one
whose name says 年报/年度报告/信息公开, else the largest readable one (PDF, Word, WPS, OFD,
spreadsheet, RTF, HTML, text). Names of archives made on Chinese Windows are GBK without the
UTF-8 flag; they are decoded as such. A zip inside the zip is not opened (ARCHIVE_MAX_DEPTH).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from govreports.parsing.limits import ZIP_MAX_INFLATED_BYTES, zip_refusal

READABLE_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".ofd", ".xlsx", ".xls", ".et", ".rtf", ".html", ".htm",
                     ".txt")
_REPORT_WORDS = ("年报", "年度报告", "信息公开", "工作报告")


@dataclass(frozen=True, slots=True)
class ArchiveMember:
    """The member chosen as the report, its bytes, and what the archive held."""

    name: str
    data: bytes
    members: int
    warnings: tuple[str, ...] = ()


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: without the UTF-8 flag, Chinese tools wrote GBK bytes that Python
    read as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _rank(name: str, size: int) -> tuple[int, int, int]:
    lowered = name.lower()
    readable = lowered.endswith(READABLE_SUFFIXES)
    named = any(word in name for word in _REPORT_WORDS)
    return (int(readable), int(named and readable), size)


def report_member(data: bytes) -> tuple[ArchiveMember | None, list[str]]:
    """The report member of a ZIP attachment, or None with the warnings saying why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        return None, [f"zip unreadable: {type(error).__name__}"]
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        refused = zip_refusal([(info.filename, info.file_size, info.compress_size) for info in infos], "zip")
        if refused:
            return None, [refused]
        candidates = [(member_name(info), info) for info in infos
                      if not member_name(info).rsplit("/", 1)[-1].startswith(("._", "~$"))]
        readable = [(name, info) for name, info in candidates if name.lower().endswith(READABLE_SUFFIXES)]
        if not readable:
            names = ", ".join(name for name, _info in candidates[:5]) or "nothing"
            return None, [f"zip: no readable report file inside ({names})"]
        name, info = max(readable, key=lambda item: _rank(item[0], item[1].file_size))
        try:
            with archive.open(info) as stream:
                body = stream.read(ZIP_MAX_INFLATED_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            # RuntimeError: an encrypted member
            return None, [f"zip: {name} unreadable ({type(error).__name__})"]
        if len(body) > ZIP_MAX_INFLATED_BYTES:
            return None, [f"zip refused: {name} inflates past {ZIP_MAX_INFLATED_BYTES} bytes (zip bomb?)"]
        notes = [f"zip: read {name} ({len(readable)} readable of {len(candidates)} files)"]
        return ArchiveMember(name, body, len(candidates), tuple(notes)), []

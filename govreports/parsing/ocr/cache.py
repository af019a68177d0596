"""OCR results kept on disk by image hash + engine version, so no image is read twice.

One JSON file per page image under the state directory (`GOVREPORTS_OCR_CACHE_DIR`), written
atomically (temp file + rename) so that OCR processes running side by side never see half a
file. A new engine version is a new directory: old results are never mixed with new ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from govreports.parsing.ocr.models import OcrPage


def image_key(image: Any, dpi: int, layout: str) -> str:
    """The hash of the decoded pixels, the dpi they are read at and the layout code's version."""
    digest = hashlib.sha256()
    digest.update(f"{image.shape}|{image.dtype}|{dpi}|{layout}|".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def _path(directory: str, version: str, key: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in ".-_+" else "_" for ch in version)
    return Path(directory) / safe / key[:2] / f"{key}.json"


def load(directory: str, version: str, key: str) -> OcrPage | None:
    if not directory:
        return None
    try:
        data = json.loads(_path(directory, version, key).read_text(encoding="utf-8"))
        return OcrPage.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(directory: str, version: str, key: str, page: OcrPage) -> None:
    if not directory:
        return
    path = _path(directory, version, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(page.to_json(), stream, ensure_ascii=False)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs a second OCR

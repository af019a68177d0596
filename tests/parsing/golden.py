"""Golden parse outputs: one hash per document in the fixtures, so a speed-up changes no field.

Every document the tests hold (the seeds, the real reports, the saved portal pages, the attachment
fixtures and every report, decoy and attachment the sample farm serves) goes through
`parse_report`; its whole output (every field, the warnings, the meta, the checks) is encoded as
canonical JSON and hashed. `tests/parsing/test_parse_golden.py` compares against
`golden_parse.json`. When the parser changes fields on purpose (the accuracy work), re-baseline and
commit the new file together with the change:

    python -m tests.parsing.golden --rebaseline            # rewrite golden_parse.json
    python -m tests.parsing.golden --dump /tmp/before      # every document's full output, to diff
    python -m tests.parsing.golden --diff /tmp/before      # which documents changed, and which fields
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from govreports.build import _plain
from govreports.checks import run_checks
from govreports.parsing.office import soffice_path
from govreports.parsing.report import parse_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden_parse.json"
_MEDIA_TYPES = {
    ".html": "text/html", ".txt": "text/plain", ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
}


@dataclass(frozen=True)
class Document:
    """One body as the crawler would hand it to the parser."""

    name: str
    url: str
    media_type: str | None
    body: bytes

    @property
    def needs_soffice(self) -> bool:
        return self.name.endswith((".doc", ".wps"))


def _fixture_files() -> Iterator[Document]:
    pages = json.loads((FIXTURES / "pages" / "pages.json").read_text(encoding="utf-8"))
    page_entries = {entry["file"]: entry for entry in pages.values()}
    for folder in ("seeds", "real-reports", "pages", "attachments", "attachments/html"):
        for path in sorted((FIXTURES / folder).iterdir()):
            if path.suffix not in _MEDIA_TYPES:
                continue
            entry = page_entries.get(path.name) if folder == "pages" else None
            url = entry["url"] if entry else f"http://example.gov.cn/{folder}/{path.name}"
            media_type = entry["media_type"] if entry else _MEDIA_TYPES[path.suffix]
            yield Document(f"fixtures/{folder}/{path.name}", url, media_type, path.read_bytes())


def _farm_documents() -> Iterator[Document]:
    """Every item page of the sample farm and every non-HTML body it serves (attachments)."""
    from govreports_farm.farm import build_portals

    for portal in build_portals():
        portal.port = 80
        routes = portal.render()
        item_paths = {item.path for item in portal.sorted_items()}
        for path in sorted(routes):
            resource = routes[path]
            if path in item_paths or "html" not in resource.content_type:
                yield Document(f"farm/{portal.cms}{path}", portal.url(path), resource.content_type, resource.body)


@lru_cache(maxsize=1)
def documents() -> tuple[Document, ...]:
    return (*_fixture_files(), *_farm_documents())


def output(document: Document) -> dict[str, Any]:
    """The parser's whole output for one document, JSON-ready, checks included."""
    parsed = parse_report(document.body, url=document.url, media_type=document.media_type)
    plain: dict[str, Any] = _plain(parsed)
    plain["checks"] = _plain(run_checks(plain["tables"], plain["figures"], plain["format"]))
    return plain


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()[:20]


def current(*, with_soffice: bool | None = None) -> dict[str, str]:
    """Hash of every document's output (documents needing LibreOffice only when it is installed)."""
    if with_soffice is None:
        with_soffice = soffice_path() is not None
    return {doc.name: digest(output(doc)) for doc in documents() if with_soffice or not doc.needs_soffice}


def _dump_name(name: str) -> str:
    return name.replace("/", "__") + ".json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebaseline", action="store_true", help=f"rewrite {GOLDEN.name}")
    parser.add_argument("--dump", type=Path, help="write every document's full output into this folder")
    parser.add_argument("--diff", type=Path, help="compare against a folder written by --dump")
    args = parser.parse_args(argv)
    hashes: dict[str, str] = {}
    changed = 0
    for doc in documents():
        result = output(doc)
        hashes[doc.name] = digest(result)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / _dump_name(doc.name)).write_text(
                json.dumps(result, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
        if args.diff:
            before_path = args.diff / _dump_name(doc.name)
            before = json.loads(before_path.read_text(encoding="utf-8")) if before_path.exists() else None
            if before != result:
                changed += 1
                fields = sorted(k for k in set(result) | set(before or {}) if (before or {}).get(k) != result.get(k))
                print(f"changed: {doc.name}: {', '.join(fields)}")
    if args.rebaseline:
        GOLDEN.write_text(json.dumps(hashes, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{GOLDEN}: {len(hashes)} documents")
    if args.diff:
        print(f"{changed} of {len(hashes)} documents changed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())

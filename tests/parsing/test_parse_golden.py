"""Every fixture document parses to exactly the saved output: speed work changes no field.

The hashes live in golden_parse.json; `python -m tests.parsing.golden --rebaseline` rewrites them
when a change of fields is intended (say which in the commit), `--dump`/`--diff` show what moved.
"""

from __future__ import annotations

import json

import pytest

from govreports.parsing.office import soffice_path
from tests.parsing.golden import GOLDEN, current, documents


def test_every_fixture_document_parses_to_its_saved_output() -> None:
    saved: dict[str, str] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = current()
    if soffice_path() is None:
        saved = {name: value for name, value in saved.items()
                 if not next(doc for doc in documents() if doc.name == name).needs_soffice}
    changed = sorted(name for name in saved.keys() & now.keys() if saved[name] != now[name])
    assert changed == [], f"parse output changed for {changed}: run `python -m tests.parsing.golden --diff DIR`"
    assert sorted(saved.keys() ^ now.keys()) == [], "documents added or removed: re-baseline golden_parse.json"


def test_golden_covers_every_kind_of_document() -> None:
    saved = json.loads(GOLDEN.read_text(encoding="utf-8"))
    kinds = {name.rsplit(".", 1)[-1] for name in saved if name.startswith("fixtures/")}
    assert {"html", "txt", "pdf", "docx"} <= kinds
    assert sum(name.startswith("farm/") for name in saved) >= 100
    if soffice_path() is None:
        pytest.skip("LibreOffice absent: .doc documents not compared")

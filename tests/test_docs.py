"""The settings table in the README is the one defaults.py generates, and the docs it points to exist."""

from __future__ import annotations

from pathlib import Path

from govreports.defaults import SETTINGS, markdown_table

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_lists_every_setting_as_defaults_py_generates_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "regenerate the README's settings table: python -m govreports.defaults"
    assert all(f"`{setting.name}`" in readme for setting in SETTINGS)


def test_the_docs_a_newcomer_is_sent_to_exist() -> None:
    for name in ("architecture.md", "report-format.md", "operations.md", "cron.example"):
        assert (ROOT / "docs" / name).is_file(), name

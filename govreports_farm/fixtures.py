"""Pytest fixtures for the sample portal farm; import them into tests/conftest.py:

    from govreports_farm.fixtures import farm, fresh_farm  # noqa: F401

`farm` is one farm for the whole session: read it, never mutate it. `fresh_farm` is a new farm
per test, for tests that call `modify_report` / `add_report`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from govreports_farm.farm import Farm


@pytest.fixture(scope="session")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    """The farm, shared by every test of the session (do not mutate it)."""
    with Farm.start(tmp_path_factory.mktemp("farm")) as running:
        yield running


@pytest.fixture
def fresh_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    """A farm of its own, for tests that publish or correct reports."""
    with Farm.start(tmp_path_factory.mktemp("fresh-farm")) as running:
        yield running

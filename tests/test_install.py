"""The installed package works from any directory: wheel → fresh virtualenv → `scrapy extract`.

The fresh environment gets the project's dependencies from the test's own environment (a .pth
line naming its site-packages: offline and fast) and the project itself only as the built wheel,
so what is tested is what `pip install` ships: package data (the registry, the schema) and the
`scrapy.commands` entry points, run from an empty directory with no scrapy.cfg in sight.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seeds" / "000_5ba05a78ac51eaa2.txt"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh virtualenv holding the built wheel (and nothing of the checkout)."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"  # a copy: building in the checkout would leave build/ and *.egg-info there
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("govreports", "govreports_farm"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    pip_env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    # with this environment's setuptools (the dev extra): offline, no build environment to download
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(work / "wheels"), str(source)], check=True, capture_output=True, env=pip_env)
    wheel = next((work / "wheels").glob("govreports-*.whl"))
    venv.EnvBuilder(with_pip=False).create(work / "venv")
    python = work / "venv" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, env=pip_env)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    assert (site / "govreports" / "registry_data" / "portals.csv").is_file()
    # after the install: pip would otherwise find the test environment's own govreports and skip it
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return python


def scrapy(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # no PYTHONPATH: the checkout must not leak into the installed package's run
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run([str(python), "-m", "scrapy", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_scrapy_extract_from_an_empty_directory_prints_the_item(installed: Path, tmp_path: Path) -> None:
    run = scrapy(installed, tmp_path, "extract", str(SEED))
    assert run.returncode == 0, run.stderr[-2000:]
    item = json.loads(run.stdout.splitlines()[0])
    assert item["title"] == "南充市高坪区人民政府2018年政府信息公开工作年度报告"
    assert item["report_year"] == 2018 and item["provenance"]["schema_version"] >= 1
    assert "site-packages" in item_module_path(installed, tmp_path)


def item_module_path(python: Path, cwd: Path) -> str:
    run = subprocess.run([str(python), "-c", "import govreports; print(govreports.__file__)"], cwd=cwd,
                         env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_every_command_is_listed_outside_a_project(installed: Path, tmp_path: Path) -> None:
    listing = scrapy(installed, tmp_path).stdout
    assert "no active project" in listing
    for command in ("extract", "dataset", "merge", "seed", "harvest", "export", "reparse"):
        assert f"\n  {command} " in listing, listing


def test_the_installed_package_finds_its_bundled_registry(installed: Path, tmp_path: Path) -> None:
    code = ("from govreports.registry import load_registry, registry_files\n"
            "load = load_registry(*registry_files('', ''))\n"
            "print(len(load.sites), len(load.errors))")
    run = subprocess.run([str(installed), "-c", code], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["3202", "0"]


def test_scrapy_harvest_from_an_empty_directory_runs_the_spider_on_the_bundled_registry(
        installed: Path, tmp_path: Path) -> None:
    run = scrapy(installed, tmp_path, "harvest", "-a", "sites=nowhere", "-s", f"GOVREPORTS_DB={tmp_path / 's.sqlite3'}",
                 "--output-dir", str(tmp_path / "out"))
    assert "unknown site id 'nowhere': not an adcode or slug in the registry" in run.stderr, run.stderr[-2000:]
    assert "registry:" not in run.stderr  # the bundled registry loaded without a complaint

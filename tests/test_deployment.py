"""What can be checked of the deployment files without Docker: the lock covers the declared
dependencies, and the compose cluster gives each worker its own state and archive."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def test_every_declared_dependency_is_pinned_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in ("dev", "cluster", "bench"):  # the extras `make setup` installs
        declared |= {_name(r) for r in project["optional-dependencies"][extra]}
    locked = {_name(line) for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
              if line and not line.startswith((" ", "#"))}
    assert declared - locked == set(), "pyproject.toml declares dependencies the lock does not pin: run make lock"


def test_the_compose_cluster_gives_each_worker_its_own_volume_and_the_shared_redis() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    workers = {name: service for name, service in services.items() if name.startswith("worker-")}
    assert len(workers) >= 2
    data_volumes = [volume.split(":")[0] for service in workers.values() for volume in service["volumes"]
                    if volume.split(":")[1] == "/data"]
    assert len(set(data_volumes)) == len(workers), "two workers share a state/archive volume"
    assert set(data_volumes) <= set(compose["volumes"])
    for service in (*workers.values(), services["seed"]):
        assert service["environment"]["GOVREPORTS_REDIS_URL"] == "redis://redis:6379/0"
    assert "redis" in services
    merged = " ".join(services["merge"]["volumes"])
    assert all(f"{volume}:" in merged for volume in data_volumes), "merge must read every worker's feed"
    assert services["seed"]["command"] == ["seed"] and "once" in services["seed"]["profiles"]


def test_the_image_has_the_browser_libreoffice_and_the_ocr_extra() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"apt-get install[^\n]*\bchromium\b", dockerfile)
    assert "libreoffice-writer-nogui" in dockerfile
    assert re.search(r'pip install -c requirements\.lock "\.\[[^\]]*\bocr\b[^\]]*\]"', dockerfile)
    assert "GOVREPORTS_CHROMIUM=/usr/bin/chromium" in dockerfile

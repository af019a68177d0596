"""Running a hostile file through the parser in a child process with its cost measured."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
MAX_EXTRA_MB = 500  # loose bounds: a limit that works stays far below them
MAX_SECONDS = 30


@dataclass
class ProbeResult:
    seconds: float
    peak_extra_mb: float
    warnings: list[str]
    blocks: int
    meta: dict[str, Any]
    text_chars: int
    file_bytes: int

    def warned(self, *words: str) -> bool:
        return any(all(word in warning for word in words) for warning in self.warnings)


@pytest.fixture
def probe(tmp_path: Path) -> Callable[..., ProbeResult]:
    def run(kind: str, data: bytes, *args: str) -> ProbeResult:
        path = tmp_path / f"hostile.{kind}"
        path.write_bytes(data)
        done = subprocess.run([sys.executable, "-m", "tests.hostile.probe", kind, str(path), *args], cwd=REPO,
                              capture_output=True, text=True, timeout=MAX_SECONDS * 4)
        assert done.returncode == 0, done.stderr[-2000:]
        return ProbeResult(**json.loads(done.stdout.strip().splitlines()[-1]))
    return run

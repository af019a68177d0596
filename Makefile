# Two commands do all set-up by themselves: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint fuzz bench setup system-deps clean lock image

# the locked versions (requirements.lock) as constraints: the tested set, while a dependency added
# to pyproject.toml and not yet locked still installs
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev,cluster,bench,ocr]'
	touch $(STAMP)

# regenerate requirements.lock from pyproject.toml (uv comes with the dev extra)
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra cluster --extra bench --extra ocr --python-version 3.11 \
		--custom-compile-command "make lock" -q -o requirements.lock

# the Docker image of compose.yaml (Chromium, LibreOffice, the OCR extra, the locked dependencies)
image:
	docker build -t govreports .

setup: $(STAMP)

# apt packages the tests use: Chromium (render tests), redis-server (cluster tests),
# LibreOffice (DOC/WPS conversion and PDF renditions), poppler-utils, sqlite3; for OCR's test
# material and engine comparison: CJK fonts (printing HTML/DOCX) and Tesseract chi_sim.
system-deps:
	@bash bin/install-system-deps

demo: $(STAMP)
	$(PY) -m govreports_farm.demo --output output/demo.jsonl

# the gates: ruff (lint, pyproject's [tool.ruff]) and mypy --strict (pyproject's [tool.mypy]); `make test` runs them first
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

test: $(STAMP) lint system-deps
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser and not redis"

# the long fuzz campaign (>= 10,000 generated cases; make test runs a small budget)
fuzz: $(STAMP)
	GOVREPORTS_FUZZ_EXAMPLES=10000 $(PY) -m pytest -q -m slow tests/fuzz

bench: $(STAMP) system-deps
	$(PY) -m benchmarks.run

clean:
	# never state/: on a harvest host it is the archive of record and the dedup database
	rm -rf $(VENV) output .pytest_cache .mypy_cache .ruff_cache

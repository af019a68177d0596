# Two commands do all set-up by themselves: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast fuzz bench setup system-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,cluster,bench,ocr]'
	touch $(STAMP)

setup: $(STAMP)

# apt packages the tests use: Chromium (render tests), redis-server (cluster tests),
# LibreOffice (DOC/WPS conversion and PDF renditions), poppler-utils, sqlite3; for OCR's test
# material and engine comparison: CJK fonts (printing HTML/DOCX) and Tesseract chi_sim.
system-deps:
	@bash bin/install-system-deps

demo: $(STAMP)
	$(PY) -m govreports_farm.demo --output output/demo.jsonl

test: $(STAMP) system-deps
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
	rm -rf $(VENV) output .pytest_cache

# jinghua: `make run` cleans raw/ into clean/, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run rebuild test lint bench bench-quality clean-output

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m pipeline run

rebuild: $(STAMP)
	$(PY) -m pipeline rebuild

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check pipeline tests bench

bench: $(STAMP)
	$(PY) -m bench.run

bench-quality: $(STAMP)
	$(PY) -m bench.quality

clean-output:
	rm -rf clean/current clean/versions clean/cache clean/run.lock

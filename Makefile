# Quick start: `make demo` (set up + run on samples/) and `make test` (set up + run the suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# An editable install leaves the package uncompiled, and with PYTHONDONTWRITEBYTECODE set Python never
# caches its bytecode: every run would compile ~9,000 lines again (0.1 s). Compile it as `pip install` does.
BYTECODE = $(BIN)/python -m compileall -q extractor

.PHONY: demo test install bench samples lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,samples]'
	$(BYTECODE)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(BYTECODE)
	$(BIN)/extractor batch samples --out out/demo
	@echo
	@for f in samples/*.pdf; do $(BIN)/extractor extract "$$f"; echo; done | head -80

test: $(STAMP)
	@$(BYTECODE)
	$(BIN)/python -m pytest -q

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py --out samples

bench: $(STAMP)
	@$(BYTECODE)
	$(BIN)/python scripts/bench_speed.py
	$(BIN)/python scripts/bench_accuracy.py samples

lint: $(STAMP)
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/ruff check extractor tests
	$(BIN)/mypy extractor

clean:
	rm -rf $(VENV) out build *.egg-info

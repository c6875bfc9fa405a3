# Quick start: `make demo` (set up + run on samples/) and `make test` (set up + run the suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO ?= out/demo
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

# After the tables: the researcher's workbook and Figure 1, and the auditors' review report, with where
# to find them.
demo: $(STAMP)
	@$(BYTECODE)
	$(BIN)/extractor batch samples --out $(DEMO)
	@echo
	@for f in samples/*.pdf; do $(BIN)/extractor extract "$$f"; echo; done | head -80
	$(BIN)/extractor export $(DEMO) --format jsonl,csv,xlsx
	$(BIN)/extractor figure $(DEMO) --groups exchange
	$(BIN)/extractor review $(DEMO)
	@echo
	@echo "Open:"
	@echo "  $(DEMO)/figures.xlsx          one row per report: figures, pages, ratio, flags (sheets: flags, errors)"
	@echo "  $(DEMO)/figure1.png, .svg     Figure 1: R&D versus selling, one panel per exchange"
	@echo "  $(DEMO)/review/index.html     the auditors' review: every figure and flag with its crop of the page"
	@echo "To record review decisions (confirm, correct, reject), run:"
	@echo "  $(BIN)/extractor review $(DEMO) --serve    (then open the address it prints)"

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

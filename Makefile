# wushe: every target creates the virtual environment when it is missing.
# PY: the first Python >= 3.12 found (a pyenv shim honours .python-version); override with make PY=/path/to/python.
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 12))
PY      ?= $(shell for p in python3.13 python3.12 python3 python; do \
             command -v $$p >/dev/null 2>&1 && $$p -c '$(NEW_ENOUGH)' 2>/dev/null && { command -v $$p; break; }; done)
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test lint bench clean venv fonts

venv: $(STAMP)

# A venv that was being built when something failed is removed, so that the next make starts clean.
$(STAMP): pyproject.toml
	@if [ -z "$(PY)" ] || ! "$(PY)" -c '$(NEW_ENOUGH)' 2>/dev/null; then \
	  echo "wushe needs Python 3.12 or newer; found none (tried python3.13, python3.12, python3, python): install one (pyenv install 3.12) or run make PY=/path/to/python3.12" >&2; exit 1; fi
	@if [ -d $(VENV) ] && ! $(BIN)/python -c '$(NEW_ENOUGH)' 2>/dev/null; then \
	  echo "removing $(VENV): it is not a Python 3.12+ environment"; rm -rf $(VENV); fi
	@fresh=; test -d $(VENV) || { fresh=1; "$(PY)" -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; }; \
	  { $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e ".[dev]"; } || \
	  { test -z "$$fresh" || rm -rf $(VENV); echo "pip install failed; run make again once the error above is fixed" >&2; exit 1; }
	@touch $(STAMP)

# A Chinese font for the report's figures (Debian's fonts-noto-cjk, 56.5 MB), installed only when
# missing and only where apt works; without one, Chinese figures fall back to English labels.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
fonts:
	@test -f $(CJK_FONT) || (fc-list 2>/dev/null | grep -qi "CJK SC") || \
	  (command -v apt-get >/dev/null 2>&1 && { export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1; }; }) || \
	  echo "warning: no Chinese font installed (apt-get install fonts-noto-cjk); Chinese figures use English labels"

# The main command: every shipped scenario × 20 replicates on hubei, then the report (about 3½ minutes on 2 cores, measured from a fresh clone: 217 s, 134 s of runs).
demo: $(STAMP) fonts
	$(BIN)/wushe demo

test: $(STAMP) fonts
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m model.bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

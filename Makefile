# wushe: every target creates the virtual environment when it is missing.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test lint bench clean venv fonts

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# A Chinese font for the report's figures (Debian's fonts-noto-cjk, 56.5 MB), installed only when
# missing and only where apt works; without one, Chinese figures fall back to English labels.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
fonts:
	@test -f $(CJK_FONT) || (fc-list 2>/dev/null | grep -qi "CJK SC") || \
	  (command -v apt-get >/dev/null 2>&1 && { export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fonts-noto-cjk >/dev/null 2>&1; }; }) || \
	  echo "warning: no Chinese font installed (apt-get install fonts-noto-cjk); Chinese figures use English labels"

# The main command: every shipped scenario × 20 replicates on hubei, then the report (about 2 minutes on 2 cores, measured from a fresh clone: 116 s).
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

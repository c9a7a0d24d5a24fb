# pyodemo — the README's commands. `make run` serves the talk, `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
WEBKIT_DRIVER ?= /usr/bin/WebKitWebDriver
FIREFOX ?= /usr/bin/firefox-esr
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export NO_MKDOCS_2_WARNING := 1

.PHONY: help run serve site test test-fast test-engines test-cpus models crossstyle bench pdf clean deps deps-docs chromium engines mathfont

help:
	@echo "make run     build the talk and serve it on http://127.0.0.1:$(PORT)/  (LAN=1: also on the LAN)"
	@echo "make test    install everything (venv, npm, Debian chromium) and run the whole test suite"
	@echo "make models  rebuild the dataset and retrain both models (slides/models/); DATA=dir for your own images"
	@echo "make crossstyle  leave one generation out: both models retrained per fold, scored into metrics.json"
	@echo "make bench   measure speed and size -> bench/results.json"
	@echo "make pdf     the deck as a PDF, one page per slide -> site/pyodemo-talk.pdf"

# --- installs: each stamp is redone when the file that pins it changes -----------------------
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q pip==25.3

$(VENV)/.docs: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[docs]'
	touch $@

$(VENV)/.all: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[train,docs,test]'
	touch $(VENV)/.docs $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "installing Debian chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi
	@$(CHROMIUM) --version

# The audience's other engines (tests/engines/): WebKitGTK's WebDriver (Safari's engine) under Xvfb, and
# Firefox ESR, driven headless through WebDriver BiDi by puppeteer-core. apt-get only for what is missing.
engines:
	@missing=""; \
	  [ -x "$(WEBKIT_DRIVER)" ] || missing="$$missing webkit2gtk-driver"; \
	  command -v xvfb-run >/dev/null || missing="$$missing xvfb xauth"; \
	  [ -x "$(FIREFOX)" ] || missing="$$missing firefox-esr"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian$$missing (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi
	@dpkg-query -W -f='webkit2gtk-driver $${Version}\n' webkit2gtk-driver; $(FIREFOX) --version

# The formulas' font (site_tools/math_font.py cuts it to what the pages use): Latin Modern Math, from Debian.
MATH_FONT := /usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf
mathfont:
	@if [ ! -f "$(MATH_FONT)" ]; then \
	  echo "installing Debian fonts-lmodern (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-lmodern >/dev/null; \
	fi

deps-docs: $(VENV)/.docs node_modules/.stamp mathfont
deps: $(VENV)/.all node_modules/.stamp chromium engines mathfont

# --- the site -------------------------------------------------------------------------------
site: deps-docs
	$(PY) -m mkdocs build --quiet

run: site
	$(PY) -m site_tools.serve --port $(PORT) $(if $(LAN),--lan,)

serve:
	$(PY) -m site_tools.serve --port $(PORT) $(if $(LAN),--lan,)

# --- tests: unit, parity, pipeline, Pyodide under Node, Playwright in Debian chromium --------
# The dataset is rebuilt from node_modules (about 30 s), so the tests that recompute the committed models'
# scores on the test split run on a fresh clone too.
data/pokemon-10/manifest.csv: | $(VENV)/.all node_modules/.stamp
	$(PY) -m export dataset
	$(PY) -m export testsets

# --durations shows where the time goes on every run; tests.machine prints the CPU, OpenBLAS's kernel
# and the browsers' versions first (a parity surprise on another machine starts there).
test: deps data/pokemon-10/manifest.csv
	$(PY) -m tests.machine
	$(PY) -m mkdocs build --quiet
	$(PY) -m pytest pyodemo export site_tools tests --durations=25 $(PYTEST_ARGS)

test-fast: deps
	$(PY) -m pytest pyodemo tests -m "not e2e and not engines" $(PYTEST_ARGS)

# The parity test files again under every OpenBLAS kernel, glibc libm and numpy SIMD path this CPU can
# run (a few minutes per variant; make test itself refits the SVM parity's reference under each).
test-cpus: deps data/pokemon-10/manifest.csv
	$(PY) -m tests.cpu_variants

# --- data, models, measurements ---------------------------------------------------------------
# DATA=path/to/folder-per-class retrains on your own images (e.g. a Kaggle Pokémon image set).
models: deps
	$(PY) -m export dataset $(if $(DATA),--data "$(DATA)",)
	$(PY) -m export testsets
	$(PY) -m export train-svm
	$(PY) -m export train-cnn
	$(PY) -m export report

# Leave-one-generation-out (after `make models`, on its dataset): both models retrained per fold
# (generation I, II, III, IV, the icons), the answers in slides/models/crossstyle.json, then the report again.
crossstyle: deps data/pokemon-10/manifest.csv
	$(PY) -m export crossstyle
	$(PY) -m export report

bench: deps
	$(PY) -m mkdocs build --quiet
	$(PY) -m bench

pdf: deps
	$(PY) -m mkdocs build --quiet
	$(PY) -m site_tools.pdf

clean:
	rm -rf site build .cache tests/artifacts

# --- the tests on a busy machine: a CPU burner on one core, then `make test` (STRESS=race: the tests marked
# `race`, COUNT times each, default 20) and a summary (runs, failures, wall time) -----------------------------
test-stress: deps
	tests/stress.sh $(if $(STRESS),$(STRESS) $(COUNT),)

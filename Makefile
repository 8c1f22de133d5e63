# The two commands a newcomer needs (README.md): `make start` and `make test`.
# derms needs Python 3.11 or later: PYTHON when given, else the first of these that is recent enough (an
# older python3 is passed over for python3.13 ... python3.11). Worked out once, and only to build the venv.
PYTHON_CANDIDATES := python3 python3.13 python3.12 python3.11
recent = $(filter True,$(shell $(1) -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null))
PYTHON ?= $(eval PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(if $(call recent,$(p)),$(p)))))$(PYTHON)
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: start test

# Reinstall whenever the dependencies change.
$(VENV)/.installed: pyproject.toml
	$(if $(PYTHON),,$(error No Python 3.11 or later found (tried $(PYTHON_CANDIDATES)). Install one \
		(apt-get install python3.11-venv) or run make PYTHON=/path/to/python3.11))
	$(if $(call recent,$(PYTHON)),,$(error $(PYTHON) is not Python 3.11 or later. derms needs 3.11 or \
		later: run make PYTHON=/path/to/python3.11))
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[test]'
	touch $@

# serve migrates and creates the development PKI; --demo also builds the demo utility (once) and its
# client certificates. Then it starts every server.
start: $(VENV)/.installed
	$(BIN)/python manage.py serve --demo

# The browser test drives Debian's chromium and the proxy tests run Debian's nginx; as root we install
# them when missing, otherwise those tests are skipped and say why.
# pytest exits 5 when it collected no test: a run that tests nothing is a failure.
test: $(VENV)/.installed
	@if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ]; } && [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y chromium nginx; fi
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no test: that is a failure" >&2; fi; \
	exit $$status

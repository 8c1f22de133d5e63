# The two commands a newcomer needs (README.md): `make start` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: start test

# Reinstall whenever the dependencies change.
$(VENV)/.installed: pyproject.toml
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

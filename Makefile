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

start: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data
	$(BIN)/python manage.py serve

# The browser test drives Debian's chromium; as root we install it, otherwise that test is skipped.
# pytest exits 5 when it collected no test: a run that tests nothing is a failure.
test: $(VENV)/.installed
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; fi
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest ran no test: that is a failure" >&2; fi; \
	exit $$status

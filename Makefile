# The two commands of the README: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)
	FANGUAI_REQUIRE_2FA=0 $(BIN)/fanguai setup

## make run: install, migrate, load the Lu'an reference data and demo data, serve on http://127.0.0.1:8000
run: $(STAMP)
	FANGUAI_REQUIRE_2FA=0 $(BIN)/fanguai setup --demo
	FANGUAI_REQUIRE_2FA=0 $(BIN)/fanguai serve

## make test: the whole test suite (two workers); PYTEST_ARGS adds options, e.g. PYTEST_ARGS='-m "not browser"'
test: $(STAMP)
	$(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

messages: $(STAMP)
	cd src/fanguai && ../../$(BIN)/fanguai makemessages -l zh_Hans --no-obsolete --no-location
	cd src/fanguai && ../../$(BIN)/fanguai compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var

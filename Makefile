# Everything starts from python3, pip and make: the first target run builds .venv from the lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint demo bench i18n clean

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy cjm bot
	$(BIN)/lint-imports

demo: $(STAMP)
	$(BIN)/python -m bench.demo

bench: $(STAMP)
	$(BIN)/python -m bench.run

# Re-extract texts from templates into the catalogs after changing a template.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o templates/locale/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i templates/locale/messages.pot -d templates/locale --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) out

# Guichet: one entry point for people and CI.
#   make demo   set up everything, then run the kiosk demo (virtual card, bundled catalog)
#   make test   set up everything, then run the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
OUT ?= out

.PHONY: demo test setup setup-demo shots pot bench clean

demo:
	@scripts/bootstrap.sh demo
	@$(PY) -m kiosk.cli demo

test:
	@scripts/bootstrap.sh test
	@scripts/run-tests.sh

setup:
	@scripts/bootstrap.sh test

shots: setup
	$(PY) -m kiosk.cli shots --out $(OUT)/shots

# Re-extract every translatable string (Python and QML) and merge into the catalogs.
pot: setup
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
	  -k N_ -k pgettext:1c,2 -k qsTr -o locales/kiosk.pot .
	for l in ar fr zgh; do $(VENV)/bin/pybabel update -i locales/kiosk.pot -d locales -D kiosk -l $$l --no-fuzzy-matching --ignore-obsolete; done

bench: setup
	$(PY) benchmarks/cold_start.py
	$(PY) benchmarks/language_switch.py
	$(PY) benchmarks/card_read.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
	find locales -name '*.mo' -delete

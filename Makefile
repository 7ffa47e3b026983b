# The two commands of the README:
#   make demo   create .venv, ingest the demo corpus into ./tidings.duckdb, print a summary
#   make test   create .venv and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= tidings.duckdb
SHARED ?= ../shared

.PHONY: demo test venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

DEMO_INPUTS = examples/html examples/text examples/feeds.jsonl examples/broken

# exit 1 only says that some inputs failed: examples/broken/ holds bad files on purpose
demo: venv
	$(BIN)/tidings ingest $(DEMO_INPUTS) --db $(DB) || test $$? -eq 1
	@if [ -f $(SHARED)/seed/article.txt ]; then \
		$(BIN)/tidings ingest $(SHARED)/seed/article.txt --published 2022-01-18 --db $(DB); fi
	$(BIN)/tidings stats --db $(DB)

test: venv
	$(BIN)/pytest

clean:
	rm -rf $(VENV) $(DB) $(DB).wal

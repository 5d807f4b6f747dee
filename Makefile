# The two quickstart commands:  make demo   (build the graph and map for the bundled sample)
#                               make test   (install everything the tests need, run them all)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test test-unit check-harness install test-deps lint neo4j-launcher chromium clean bench

$(BIN)/paperkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(BIN)/paperkg

demo: install
	$(BIN)/paperkg run --sample --out $(OUT)
	$(BIN)/paperkg query top-concepts --param limit=5 --out $(OUT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

neo4j-launcher:
	scripts/neo4j/build

test-deps: install chromium neo4j-launcher

lint: install
	$(BIN)/ruff check .

test: test-deps lint
	$(BIN)/pytest

# the fast part alone: tests/unit (no Prefect, Neo4j, browser or paperkg subprocess)
test-unit: install
	$(BIN)/pytest tests/unit

# the test Neo4j harness's own checks (tests/support), not part of the suite
check-harness: install neo4j-launcher
	$(BIN)/pytest tests/support/check_neo4j_harness.py

# extraction speed against en_core_web_sm (installs the bench extra; reads ../shared/data)
bench: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/extract_speed.py

clean:
	rm -rf $(VENV) $(OUT) scripts/neo4j/target

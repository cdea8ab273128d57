# The README's two commands: `make serve` (install, build, serve) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell test "$$(id -u)" = 0 || echo sudo)

.PHONY: install browser build serve test lint bench bench-api mutants mutants-sample mutants-rest

install: $(VENV)/.installed

# torch first and pinned: 2.13.0's CPU wheel is on the machine's disk, and
# sentence-transformers would otherwise pull a multi-gigabyte CUDA build.
$(VENV)/.installed: pyproject.toml setup.py
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test]'
	touch $@

build: install
	$(VENV)/bin/tckg build

serve: build
	$(VENV)/bin/tckg serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (never a browser download), installed
# here when missing: as root in CI, through sudo elsewhere. Serving needs no browser.
browser:
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

# Two pytest workers, a test file each at a time (--dist loadfile keeps a module's
# fixtures in one worker): much of the suite waits on tckg processes, servers and a
# browser, so two workers keep both cores of a 2-core machine busy. The slowest
# files start first (tests/conftest.py SLOWEST_FIRST), not xdist's largest.
test: install browser
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder

lint: install
	$(VENV)/bin/ruff check kg search api tests benchmarks

bench: build
	$(PY) benchmarks/bench_graph.py
	$(PY) benchmarks/bench_search.py quality
	$(PY) benchmarks/bench_search.py speed

# Needs wrk (Debian: apt-get install wrk).
bench-api: build
	$(PY) benchmarks/bench_api.py

# Mutation testing, outside CI (slow): the SHACL shapes first (2 min), then mutmut
# over the core: what guards the public endpoint (guard, limits, query, the
# query and validation workers, the SPARQL client), the search filters and
# ranking, and the concept schemes. About 1,000 mutants, under 60 min on the
# 2-core machine (docs/testing.md). Any other scope by mutant-name globs:
# make mutants MUTANTS='kg.rdf* kg.build*'; `make mutants-rest` runs every
# mutant not yet run (hours). Scores: tests/mutation_scores.py.
MUTANTS ?= kg.store.guard* kg.limits* kg.store.query* kg.store.pool* kg.validation_pool* \
	kg.store.protocol* search.filters* search.ranking* kg.ontology*
mutants: install
	$(PIP) install --quiet -e '.[test,mutants]'
	$(PY) tests/mutate_shapes.py
	nice $(VENV)/bin/mutmut run --max-children 2 $(foreach m,$(MUTANTS),'$(m)')
	$(PY) tests/mutation_scores.py

# A random tenth of every kg/ module's mutants (tests/mutation_sample.py): the
# score of kg/ as a whole with its 95% margin, in about an hour. kg.model's four
# mutants go first: that run makes mutants/ (and maps the tests) to pick from;
# with every sampled mutant run already, only the score is printed (mutmut run
# with no names would run them all).
SHARE ?= 0.10
SEED ?= 2026
mutants-sample: install
	$(PIP) install --quiet -e '.[test,mutants]'
	nice $(VENV)/bin/mutmut run --max-children 2 'kg.model*'
	names="$$($(PY) tests/mutation_sample.py pick --share $(SHARE) --seed $(SEED) --least 8 kg.)"; \
		[ -z "$$names" ] || nice $(VENV)/bin/mutmut run --max-children 2 $$names
	$(PY) tests/mutation_sample.py score --share $(SHARE) --seed $(SEED) --least 8 kg.

mutants-rest: install
	$(PIP) install --quiet -e '.[test,mutants]'
	nice $(VENV)/bin/mutmut run --max-children 2
	$(PY) tests/mutation_scores.py

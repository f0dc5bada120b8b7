# Two commands do everything: `make lab` (start the course) and `make test` (run the test suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The tested versions (make lock); pyproject.toml has only floors. One stamp per install set:
# the lab needs the course and JupyterLab, everything else the developers' set.
LOCK := requirements/lock.txt
LAB_STAMP := $(VENV)/.course-installed-lab
STAMP := $(VENV)/.course-installed-dev
PIP_INSTALL := $(BIN)/python -m pip install --quiet -c $(LOCK)
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test setup assets outputs benchmark lint book clean-book lock help hub

help:
	@echo "make lab      set up (venv, packages, assets) and start JupyterLab on notebooks/"
	@echo "make test     set up, then run the whole test suite"
	@echo "make outputs NB=notebooks/01_x.ipynb   re-run a notebook offline and save its outputs"
	@echo "make benchmark  time every notebook (default parameters, offline profile)"
	@echo "make book     build the course site offline into book/_build/html (needs npm)"
	@echo "make lock     re-resolve the tested versions into $(LOCK) (needs the package index)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip

# The learner's set: the course and JupyterLab, at the locked versions.
$(LAB_STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP_INSTALL) -e '.[lab]'
	@touch $@

# The developers' set (tests, course site, lint, workshop hub); it includes the lab's.
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP_INSTALL) -e '.[dev,workshop]'
	@touch $@ $(LAB_STAMP)

setup: $(STAMP) assets

# Builds the offline pack if it is missing or damaged (idempotent, fast when present).
assets: $(LAB_STAMP)
	$(BIN)/python data_scripts/ensure_assets.py

# A fresh resolve of core + [dev,workshop] (nothing installed counts), written as a constraints file.
lock: | $(BIN)/python
	$(BIN)/python tools/make_lock.py --extras dev,workshop --output $(LOCK)

lab: $(LAB_STAMP) assets
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

# Two pytest workers (pytest-xdist), one torch thread per notebook kernel: each lesson is executed
# once per profile (tests/harness.py), in a cache of the test run's own; the learner's pack is
# only read, through the COURSE_ASSETS layer. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: setup
	COURSE_THREADS=$${COURSE_THREADS:-1} $(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=25 $(PYTEST_ARGS)

outputs: $(STAMP)
	$(BIN)/python benchmarks/run_notebooks.py --inplace $(NB)

benchmark: setup
	$(BIN)/python benchmarks/run_notebooks.py

lint: $(STAMP)
	$(BIN)/ruff check course_utils data_scripts tests benchmarks book tools workshop
	$(BIN)/python tools/sync_lessons.py
	$(BIN)/python tools/colab_cell.py

# The course site: pinned JS from npm, a clean book/_build, jupyter-book -W (book/README.md).
book: setup
	$(BIN)/python book/build_book.py

clean-book:
	rm -rf book/_build book/_vendor book/_generated book/notebooks

# A workshop room on JupyterHub (workshop/, book/instructor_guide.md): checks every piece, names
# the fix for a missing one, starts the hub and prints the address to hand out.
hub: $(STAMP)
	$(BIN)/python workshop/start_hub.py

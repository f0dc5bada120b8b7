# Two commands do everything: `make lab` (start the course) and `make test` (run the test suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test setup assets outputs benchmark lint book clean-book help hub

help:
	@echo "make lab      set up (venv, packages, assets) and start JupyterLab on notebooks/"
	@echo "make test     set up, then run the whole test suite"
	@echo "make outputs NB=notebooks/01_x.ipynb   re-run a notebook offline and save its outputs"
	@echo "make benchmark  time every notebook (default parameters, offline profile)"
	@echo "make book     build the course site offline into book/_build/html (needs npm)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

setup: $(STAMP) assets

# Builds the offline pack if it is missing or damaged (idempotent, fast when present).
assets: $(STAMP)
	$(BIN)/python data_scripts/ensure_assets.py

lab: setup
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

test: setup
	# One torch thread per kernel: on busy shared cores two threads can crawl 10x slower.
	COURSE_PROFILE=offline COURSE_QUICK=1 COURSE_THREADS=$${COURSE_THREADS:-1} $(BIN)/python -m pytest --durations=25 $(PYTEST_ARGS)

outputs: $(STAMP)
	$(BIN)/python benchmarks/run_notebooks.py --inplace $(NB)

benchmark: setup
	$(BIN)/python benchmarks/run_notebooks.py

lint: $(STAMP)
	$(BIN)/ruff check course_utils data_scripts tests benchmarks book

# The course site: pinned JS from npm, a clean book/_build, jupyter-book -W (book/README.md).
book: setup
	$(BIN)/python book/build_book.py

clean-book:
	rm -rf book/_build book/_vendor book/_generated book/notebooks

# A workshop room on JupyterHub (workshop/, book/instructor_guide.md): checks every piece, names
# the fix for a missing one, starts the hub and prints the address to hand out.
hub: $(STAMP)
	$(BIN)/python workshop/start_hub.py

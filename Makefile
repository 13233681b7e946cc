# The two commands of the README: `make book` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin

.PHONY: setup book test sync clean

setup:
	@bash scripts/setup.sh

## Build the HTML book into _build/html (executes the chapters; cached when nothing changed).
book: setup sync
	@DEPMAP_BOOK_QUIET=1 $(BIN)/python scripts/build_book.py

## Unit tests, the book built with warnings as errors and its pages checked in headless Chromium;
## then every chapter under nbmake, two at a time (pytest-xdist: one per core).
test:
	@bash scripts/setup.sh --with-browser
	@$(MAKE) --no-print-directory sync
	DEPMAP_BOOK_QUIET=1 $(BIN)/python -m pytest tests
	DEPMAP_BOOK_QUIET=1 $(BIN)/python -m pytest --nbmake -n 2 notebooks

## Pair every chapter's MyST markdown (the source of truth) with its .ipynb twin.
sync: setup
	@$(BIN)/jupytext --quiet --sync notebooks/*.md

clean:
	rm -rf _build .pytest_cache notebooks/*.ipynb

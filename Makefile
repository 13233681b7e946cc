# The two commands of the README: `make book` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin

.PHONY: setup book test sync clean sweep

setup:
	@bash scripts/setup.sh

## Build the HTML book into _build/html (executes the chapters; cached when nothing changed).
book: setup sync
	@DEPMAP_BOOK_QUIET=1 $(BIN)/python scripts/build_book.py

## Every chapter under nbmake, two at a time (pytest-xdist: one per core), keeping the outputs
## in the .ipynb twins (chapters that fit the same model to the same data share one fit,
## sampling.fit); then unit tests, and the book built from those outputs (each chapter
## executes once) with warnings as errors, its pages checked in headless Chromium.
test:
	@bash scripts/setup.sh --with-browser
	@$(MAKE) --no-print-directory sync
	@rm -rf _build/fits-nbmake
	DEPMAP_BOOK_QUIET=1 DEPMAP_FIT_CACHE=$(CURDIR)/_build/fits-nbmake \
	  $(BIN)/python -m pytest --nbmake --overwrite -n 2 notebooks; \
	  status=$$?; rm -rf _build/fits-nbmake; exit $$status
	DEPMAP_BOOK_QUIET=1 DEPMAP_BOOK_REUSE_EXECUTED=1 $(BIN)/python -m pytest tests

## Pair every chapter's MyST markdown (the source of truth) with its .ipynb twin.
sync: setup
	@$(BIN)/jupytext --quiet --sync notebooks/*.md

clean:
	rm -rf _build .pytest_cache notebooks/*.ipynb

## Execute every chapter under ten sampler seeds and with numba compiling for a generic CPU;
## prints each chapter's pass/fail per seed and each claim's range beside its bounds.
sweep: setup
	$(BIN)/python benchmarks/claim_robustness.py --n-seeds 10 --generic

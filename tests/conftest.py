"""Shared fixtures: the book is built once per test session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_script():
    return _load_build_script()


@pytest.fixture(scope="session")
def built_book(build_script) -> Path:
    """Build the book with warnings as errors (the same script as `make book`)."""
    return build_script.build().parent


@pytest.fixture(autouse=True)
def no_shared_results(monkeypatch):
    """Unit tests compute their own results: none shared through ``DEPMAP_FIT_CACHE``."""
    monkeypatch.delenv("DEPMAP_FIT_CACHE", raising=False)

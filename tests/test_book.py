"""The book builds with warnings as errors, from one source per chapter, never stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_toc_entry_exists_and_chapters_are_paired():
    for entry in toc_files():
        assert (ROOT / f"{entry}.md").exists(), entry
        if entry.startswith("notebooks/"):
            text = (ROOT / f"{entry}.md").read_text()
            assert "formats: ipynb,md:myst" in text, f"{entry} is not jupytext-paired"
            assert re.search(r"^\(ch-[a-z-]+\)=$", text, re.M), f"{entry} has no MyST target"
            assert ":tags: [remove-cell]" in text, f"{entry} has no hidden check cell"


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-e ")):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), line


@pytest.mark.book
def test_book_builds_every_page(built_book):
    for entry in toc_files():
        page = built_book / f"{entry}.html"
        assert page.exists(), f"{page} was not built"
    # The chapters were executed: their pages carry outputs, images among them.
    chapter1 = (built_book / "notebooks" / "01-single-gene.html").read_text()
    assert "cell_output" in chapter1 and "<img" in chapter1


def test_helper_change_invalidates_the_execution_cache(build_script, tmp_path, monkeypatch):
    """A change in src/depmap_models must clear the cache so no stale output is shown."""
    cache = tmp_path / ".jupyter_cache"
    monkeypatch.setattr(build_script, "BUILD", tmp_path)
    monkeypatch.setattr(build_script, "CACHE", cache)
    monkeypatch.setattr(build_script, "FINGERPRINT", tmp_path / ".helpers-fingerprint")
    cache.mkdir()
    assert build_script.clear_stale_cache(), "no fingerprint yet: the cache is not trusted"
    assert not cache.exists()
    cache.mkdir()
    assert not build_script.clear_stale_cache(), "nothing changed: the cache must be kept"
    assert cache.exists()
    real = build_script.helpers_fingerprint()
    monkeypatch.setattr(build_script, "helpers_fingerprint", lambda: real + "-changed")
    assert build_script.clear_stale_cache()
    assert not cache.exists(), "a helper change must drop the cache"


def test_fingerprint_changes_with_any_helper_or_pin(build_script, tmp_path, monkeypatch):
    package = tmp_path / "src" / "depmap_models"
    package.mkdir(parents=True)
    (package / "simulate.py").write_text("A = 1\n")
    (tmp_path / "requirements.txt").write_text("numpy==2.0.0\n")
    monkeypatch.setattr(build_script, "ROOT", tmp_path)
    before = build_script.helpers_fingerprint()
    assert build_script.helpers_fingerprint() == before
    (package / "simulate.py").write_text("A = 2\n")
    after_helper = build_script.helpers_fingerprint()
    assert after_helper != before
    (tmp_path / "requirements.txt").write_text("numpy==2.0.1\n")
    assert build_script.helpers_fingerprint() != after_helper

"""Every random step of a chapter that is not the simulated data goes through the package.

The seed switch (``DEPMAP_SAMPLER_SEED``) only reaches what passes through
``depmap_models.sampling``; a chapter that called PyMC's or nutpie's samplers, or seeded
a generator itself, would escape it (and the convergence standard with it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*-*.md"))

#: Calls a chapter must leave to ``depmap_models.sampling``.
FORBIDDEN = {
    r"\bpm\.sample\(": "sampling.sample",
    r"\bpm\.sample_prior_predictive\(": "sampling.prior_predictive",
    r"\bpm\.sample_posterior_predictive\(": "sampling.posterior_predictive",
    r"\bnutpie\.(sample|compile_pymc_model)\(": "sampling.sample / sampling.compile_model",
    r"\bmodels\.sample_timed\(": "sampling.sample",
}
#: A seeded generator is allowed only where it feeds a simulator (the data stay fixed).
SEEDED = re.compile(r"(RandomState|default_rng)\(|random_state=|random_seed=")


def code_lines(chapter: Path) -> list[tuple[int, str]]:
    """(line number, text) of every line inside a code cell."""
    lines, inside = [], False
    for number, line in enumerate(chapter.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```{code-cell}"):
            inside = True
        elif line.startswith("```") and inside:
            inside = False
        elif inside:
            lines.append((number, line))
    return lines


def test_there_are_chapters():
    assert len(CHAPTERS) >= 10


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_samples_only_through_the_package(chapter):
    found = [
        f"{chapter.name}:{number}: {text.strip()} (use {use})"
        for number, text in code_lines(chapter)
        for pattern, use in FORBIDDEN.items()
        if re.search(pattern, text)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_seeds_only_its_simulators(chapter):
    lines = code_lines(chapter)
    # depmap_models.crossval passes its seed on to sampling.sample and sampling.sampler_seed;
    # so do the chapter's own subclasses of its wrappers.
    sinks = ["simulate.", "sampling.", "crossval."] + [
        f"{name}(" for _, text in lines
        for name in re.findall(r"class\s+(\w+)\(\s*crossval\.", text)
    ]
    found = []
    for i, (number, text) in enumerate(lines):
        if not SEEDED.search(text) or "sampling." in text:
            continue
        # The call this argument belongs to starts on this line or up to three lines above.
        context = " ".join(t for _, t in lines[max(0, i - 3) : i + 1])
        if any(sink in context for sink in sinks):
            continue
        found.append(f"{chapter.name}:{number}: {text.strip()}")
    assert not found, "seeded outside depmap_models.sampling:\n" + "\n".join(found)

"""Helpers for the book on hierarchical Bayesian models of CRISPR knock-out screens.

``simulate`` holds the generative processes, ``plots`` the theme and shared
figures, ``diagnostics`` the recovery tables and sampler-health summaries, ``data``
the real screen (the DepMap Avana sample committed in ``data/avana/``).

``PROGRESSBAR`` is what chapters pass to PyMC's samplers: True when a person
runs a chapter, False when the book is built or tested (the Makefile and the
tests set ``DEPMAP_BOOK_QUIET=1``), because a progress bar in a static page is
debris. In that quiet mode PyMC's informational log lines ("Sampling: [...]")
are silenced too; its warnings still show.
"""

import logging
import os

from depmap_models import data, diagnostics, plots, simulate

__all__ = ["PROGRESSBAR", "data", "diagnostics", "plots", "simulate"]
__version__ = "0.1.0"

QUIET = bool(os.environ.get("DEPMAP_BOOK_QUIET"))
PROGRESSBAR = not QUIET
if QUIET:
    # PyMC sets its own logger to INFO when it is first imported, so import it before quieting.
    import pymc  # noqa: F401

    logging.getLogger("pymc").setLevel(logging.WARNING)

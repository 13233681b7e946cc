"""Helpers for the book on hierarchical Bayesian models of CRISPR knock-out screens.

``simulate`` holds the generative processes, ``plots`` the theme and shared
figures, ``diagnostics`` the recovery tables and sampler-health summaries, ``data``
the real screen (the DepMap Avana sample committed in ``data/avana/``).

``PROGRESSBAR`` is what chapters pass to PyMC's samplers: True when a person
runs a chapter, False when the book is built or tested (the Makefile and the
tests set ``DEPMAP_BOOK_QUIET=1``), because a progress bar in a static page is
debris. In that quiet mode PyMC's informational log lines ("Sampling: [...]")
are silenced too; its warnings still show.

numba compiles each model at LLVM's optimisation level 3 unless told otherwise. Importing the
package sets ``NUMBA_OPT=1`` if the environment does not set a level: compilation is most of a
small fit's time, and with the compile caches warm, level 1 does it faster (on our 2-core
machine the book's cold build took 434 s, against 506 s at level 3), while sampling takes as
long. The draws differ from level
3's in the last bits, and so do the trajectories after that, as on another machine: the claims
hold for both (``benchmarks/numba_opt.py`` compares the levels). numba reads the variable when
it is first imported, which PyMC and nutpie do only on a first compilation, so a chapter that
imports this package first gets the quicker level.
"""

import logging
import os

os.environ.setdefault("NUMBA_OPT", "1")  # before numba is imported: see the docstring

from depmap_models import data, diagnostics, plots, simulate

__all__ = ["PROGRESSBAR", "data", "diagnostics", "plots", "simulate"]
__version__ = "0.1.0"

QUIET = bool(os.environ.get("DEPMAP_BOOK_QUIET"))
PROGRESSBAR = not QUIET
if QUIET:
    # PyMC sets its own logger to INFO when it is first imported, so import it before quieting.
    import pymc  # noqa: F401

    logging.getLogger("pymc").setLevel(logging.WARNING)

"""Generative processes for the book's synthetic CRISPR knock-out screens.

One function per process. Each takes a random generator ``rng`` (a
:class:`numpy.random.Generator` or a legacy :class:`numpy.random.RandomState`)
and keyword-only sizes and true parameter values, whose defaults are those of
the original analysis. Each returns a :class:`Simulation`: tidy data with one
row per logFC measurement, and the true parameter values keyed by the names of
the model's variables.

Passing ``np.random.RandomState(103)`` reproduces the original analysis's data
value for value: the original notebooks seeded NumPy's legacy global generator
with 103 (``np.random.seed``) and drew in the order reproduced here (vectorised
legacy draws give the same numbers as the original one-at-a-time loops).

=========================  =============================================================
function                   process
=========================  =============================================================
``single_gene``            Model 1: one gene, logFC linear in RNA expression
``genes_with_rna``         Model 2: several genes, varying intercepts and slopes
``rna_at_gene_level``      Model 3: repeated logFC, RNA placed at the gene level
``genes_and_cell_lines``   Model 4: gene and cell-line intercepts, gene slope on RNA
``sgrna_and_cell_lines``   Model 5: sgRNA intercepts nested in genes, cell-line intercepts
``two_intercepts``         the forum's data: gene and cell-line intercepts only
``cell_line_noise``        Model C: Model 5 with a residual standard deviation per cell line
``lineages``               cell lines within lineages, one gene
``realistic_screen``       Model A: guides in genes, cell lines in lineages, RNA, copy
                           number, missing measurements by design
``mutation_screen``        Model B: the realistic screen plus each gene's mutation status
=========================  =============================================================

The package is split by topic:

- :mod:`~depmap_models.simulate.core`: :class:`Simulation` and :func:`labels`;
- :mod:`~depmap_models.simulate.original`: the original analysis's processes (Models 1
  to 5, the forum's data), which reproduce its data;
- :mod:`~depmap_models.simulate.extensions`: the processes of the extension chapters
  (Models A to C, lineages), in chapter 6's identified parameterization;
- ``_helpers``: the validation and drawing blocks the two share (private).

Import everything from here (``from depmap_models import simulate``;
``simulate.realistic_screen(rng)``): the split is no part of the API.
"""

from depmap_models.simulate._helpers import Rng as Rng
from depmap_models.simulate.core import Simulation, labels
from depmap_models.simulate.extensions import (
    MISSING,
    SCREEN_DEFAULTS,
    cell_line_noise,
    lineages,
    mutation_screen,
    realistic_screen,
)
from depmap_models.simulate.original import MODEL5_ALPHA_S as MODEL5_ALPHA_S
from depmap_models.simulate.original import (
    genes_and_cell_lines,
    genes_with_rna,
    rna_at_gene_level,
    sgrna_and_cell_lines,
    single_gene,
    two_intercepts,
)

__all__ = [
    "MISSING",
    "SCREEN_DEFAULTS",
    "Simulation",
    "cell_line_noise",
    "genes_and_cell_lines",
    "genes_with_rna",
    "labels",
    "lineages",
    "mutation_screen",
    "realistic_screen",
    "rna_at_gene_level",
    "sgrna_and_cell_lines",
    "single_gene",
    "two_intercepts",
]

"""The package's layout: no module reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "depmap_models"


MODULES = {path.stem for path in SRC.glob("*.py")} | {"simulate"}


def _private_imports(source: str) -> list[str]:
    """Private names imported from the package, or read as ``module._name``, in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in MODULES):
            found.append(f"{node.value.id}.{node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("depmap_models"):
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if alias.name.startswith("_")]
        if isinstance(node, ast.ImportFrom) and node.level and node.module is None:
            found += [alias.name for alias in node.names if alias.name.startswith("_")]
    return found


def test_no_module_imports_another_modules_private_names():
    offending = {str(path.relative_to(SRC)): names for path in sorted(SRC.rglob("*.py"))
                 if (names := _private_imports(path.read_text(encoding="utf-8")))}
    assert not offending, offending


def test_the_check_sees_a_private_import():
    source = "from depmap_models.design import _codes\nimport plots\nplots._draws(1)\n"
    assert sorted(_private_imports(source)) == ["depmap_models.design._codes", "plots._draws"]


def test_no_chapter_reads_the_packages_private_names():
    import jupytext

    offending = {}
    for page in sorted((SRC.parent.parent / "notebooks").glob("*.md")):
        cells = jupytext.read(page).cells
        code = "\n".join(
            line for cell in cells if cell.cell_type == "code"
            for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        if names := _private_imports(code):
            offending[page.name] = names
    assert not offending, offending

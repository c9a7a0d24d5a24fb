"""pyodemo imports only the Python standard library (it must run in Pyodide without numpy).

Two checks, both over every module found in pyodemo/ (so they cover modules added later):
a static one (every ``import`` in the source names a standard-library module or pyodemo
itself) and a live one (each module imports in a fresh interpreter where any module outside
the standard library and pyodemo is refused).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pyodemo"
MODULE_FILES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_top_names(tree: ast.AST) -> set[str]:
    """Top-level names of every absolute import anywhere in the module (also inside functions)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                names.add(str(node.args[0].value).split(".")[0])
    return names


def test_the_package_has_modules():
    names = {module_name(p) for p in MODULE_FILES}
    assert {"pyodemo", "pyodemo.image", "pyodemo.hog", "pyodemo.convolve"} <= names


@pytest.mark.parametrize("path", MODULE_FILES, ids=module_name)
def test_imports_are_standard_library_only(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    outside = sorted(
        name for name in imported_top_names(tree) if name != "pyodemo" and name not in sys.stdlib_module_names
    )
    assert not outside, f"{path.relative_to(ROOT)} imports non-standard-library modules: {outside}"


GUARD = """
import sys
from importlib.abc import MetaPathFinder

class OnlyStandardLibrary(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top != "pyodemo" and top not in sys.stdlib_module_names:
            raise ImportError(f"blocked non-standard-library import: {name}")
        return None

sys.meta_path.insert(0, OnlyStandardLibrary())
sys.modules["numpy"] = None  # even if something tried to reach an already-loaded numpy
sys.path.insert(0, sys.argv[1])
import importlib
module = importlib.import_module(sys.argv[2])
print("imported", module.__name__)
"""


@pytest.mark.parametrize("path", MODULE_FILES, ids=module_name)
def test_module_imports_without_numpy(path):
    name = module_name(path)
    result = subprocess.run(
        [sys.executable, "-c", GUARD, str(ROOT), name],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert f"imported {name}" in result.stdout

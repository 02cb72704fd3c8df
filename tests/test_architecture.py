"""The layers stay as ARCHITECTURE.md draws them: packages never import the app module, files
stay readable, and nothing uses pyplot's process-wide state in a threaded server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forum", "moderation", "analysis")
SOURCES = sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_package_module_imports_the_app_module_or_pyplot(path):
    imported = _imports(path)
    assert "app" not in imported and not any(n.startswith("app.") for n in imported)
    assert not any("pyplot" in name for name in imported)


def test_every_package_module_is_under_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in SOURCES
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) >= 400
    }
    assert long == {}

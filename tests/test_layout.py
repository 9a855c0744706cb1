"""The shape of the code (issue 10): the ingest package never imports Streamlit, ui/ never
imports a page, and every dashboard module is small and says what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 700
DASHBOARD = [ROOT / "dashboard.py", *sorted((ROOT / "app_pages").glob("*.py")),
             *sorted((ROOT / "ui").glob("*.py"))]  # fmt: skip


def imported(path: Path) -> set[str]:
    """Every module name ``path`` imports, at any depth (lazy imports inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize(
    "path", sorted((ROOT / "ingest").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_ingest_never_imports_streamlit(path: Path) -> None:
    assert not {n for n in imported(path) if n.split(".")[0] == "streamlit"}


@pytest.mark.parametrize(
    "path", sorted((ROOT / "ui").glob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_ui_never_imports_a_page(path: Path) -> None:
    pages = {"dashboard", "app_pages"}
    assert not {n for n in imported(path) if n.split(".")[0] in pages}


@pytest.mark.parametrize("path", DASHBOARD, ids=lambda p: str(p.relative_to(ROOT)))
def test_dashboard_modules_are_small_and_say_what_they_are_for(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_LINES
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring and len(docstring.split()) >= 5, "a module docstring says what it is for"


@pytest.mark.parametrize("path", DASHBOARD, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_is_drawn_by_ui_tables(path: Path) -> None:
    """Issue 14: a table drawn with st.dataframe directly would have every column grow alike at
    1920 px; ui.tables.table sizes its columns from the one table of widths."""
    if path == ROOT / "ui" / "tables.py":
        return
    calls = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("dataframe", "data_editor", "table")
        and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "tables")
    ]
    assert not calls, f"st.dataframe at lines {calls}: draw it with ui.tables.table"

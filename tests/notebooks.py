"""Executing a notebook of notebooks/ from top to bottom, for the notebook tests."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def execute(name: str, timeout: int = 600, cwd: Path = NOTEBOOKS) -> list:
    """Run ``notebooks/NAME`` in a fresh kernel (working folder ``cwd``); return its code cells, run."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return [c for c in nb.cells if c.cell_type == "code"]


def text(cell) -> str:
    """A cell's printed and displayed text, in order."""
    parts = []
    for o in cell.outputs:
        if o.output_type == "stream":
            parts.append(o.text)
        elif "text/plain" in o.get("data", {}):
            parts.append(o["data"]["text/plain"])
    return "\n".join(parts)

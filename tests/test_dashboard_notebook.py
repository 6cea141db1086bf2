"""notebooks/03_classroom.ipynb runs from top to bottom: the dashboard displays inline and
the guided exercise's paired runs come out."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "03_classroom.ipynb"


def test_classroom_notebook_executes_with_the_dashboard_inline():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent.parent)}}
                   ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    # the dashboard cell shows a widget (the page itself, not an error or a text repr)
    shown = [o for o in code[0].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(shown) == 1
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    # the exercise's table: one row per matching ratio, charity raised grows with the ratio
    summary = code[1].outputs[-1]["data"]["text/plain"].splitlines()
    rows = {float(line.split()[0]): [float(x) for x in line.split()[1:]] for line in summary[2:]}
    assert sorted(rows) == [0.0, 1.0, 2.0]
    raised = [rows[r][-1] for r in (0.0, 1.0, 2.0)]
    assert raised[0] < raised[1] < raised[2]
    assert "ratio 1 − baseline" in code[2].outputs[-1]["data"]["text/plain"]

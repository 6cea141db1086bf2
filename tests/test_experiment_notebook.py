"""notebooks/01_quickstart.ipynb runs from top to bottom: a single run, a small experiment with
the local executor, and a resume that runs nothing."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_quickstart.ipynb"


def _text(cell) -> str:
    parts = []
    for o in cell.outputs:
        if o.output_type == "stream":
            parts.append(o.text)
        elif "text/plain" in o.get("data", {}):
            parts.append(o["data"]["text/plain"])
    return "\n".join(parts)


def test_quickstart_notebook_executes():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    experiment = next(c for c in code if "exp.run(out" in c.source and "report =" in c.source)
    assert "16 runs done (16 ok, 0 failed)" in _text(experiment)
    resume = next(c for c in code if "again = exp.run" in c.source)
    assert "0 runs done (0 ok, 0 failed), 16 already in the store" in _text(resume)
    attainment = next(c for c in code if "groupby(\"scenario\"" in c.source and "_met" in c.source)
    table = _text(attainment)
    for scenario in ("baseline", "purchase_3yr", "charity_matching", "fiscal_squeeze_2024"):
        assert scenario in table

"""notebooks/01_quickstart.ipynb runs from top to bottom: a single run, a small experiment with
the local executor, and a resume that runs nothing."""

from __future__ import annotations

from tests.notebooks import execute
from tests.notebooks import text as _text


def test_quickstart_notebook_executes():
    code = execute("01_quickstart.ipynb", timeout=300)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    experiment = next(c for c in code if "exp.run(out" in c.source and "report =" in c.source)
    assert "16 runs done (16 ok, 0 failed)" in _text(experiment)
    resume = next(c for c in code if "again = exp.run" in c.source)
    assert "0 runs done (0 ok, 0 failed), 16 already in the store" in _text(resume)
    attainment = next(c for c in code if "groupby(\"scenario\"" in c.source and "_met" in c.source)
    table = _text(attainment)
    for scenario in ("baseline", "purchase_3yr", "charity_matching", "fiscal_squeeze_2024"):
        assert scenario in table

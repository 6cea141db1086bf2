"""notebooks/04_explore.ipynb runs from top to bottom on the demo county: Morris screening, Sobol
indices, a store that grows, PRIM, the cheapest strategy, EMA and SALib interop."""

from __future__ import annotations

from tests.notebooks import execute
from tests.notebooks import text as _text


def test_explore_notebook_executes():
    code = execute("04_explore.ipynb", timeout=600)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    screening = next(c for c in code if 'morris(screen, "cost")' in c.source and "table =" in c.source)
    assert _text(screening).strip().splitlines()[-1].startswith("direct_share")  # the ignored lever, last
    grown = next(c for c in code if "grow(work" in c.source)
    assert "already in the store" in _text(grown)
    prim = next(c for c in code if "discover(lhs" in c.source)
    assert "coverage" in _text(prim) and "覆盖率" in _text(prim)
    figures = sum(1 for c in code for o in c.outputs if "image/png" in o.get("data", {}))
    assert figures >= 8  # Morris, Sobol, trade-off, front: each in Chinese and English

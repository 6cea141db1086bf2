"""``python -m model.bench [section ...]``: print the benchmarks' figures."""

from . import main

raise SystemExit(main())

"""The classroom dashboard (issue 6): ``wushe dashboard`` or ``Dashboard()`` in a notebook.

>>> from model.dashboard import Dashboard
>>> Dashboard(region="demo", lang="zh")   # the last expression of a cell draws it
"""

from .session import Session

__all__ = ["Dashboard", "Page", "Session"]


def __getattr__(name):  # the widgets load only when the page is asked for
    if name in ("Dashboard", "Page"):
        from . import app

        return getattr(app, name)
    raise AttributeError(name)

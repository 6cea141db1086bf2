"""Chinese text in matplotlib figures: find a CJK font, or fall back without crashing.

``use_fonts("zh")`` puts the first CJK font found first in matplotlib's sans-serif
list (Latin text too is then drawn in it, so a figure reads as one typeface);
``use_fonts("en")`` keeps DejaVu Sans first and the CJK font as a fallback for any
Chinese glyph. Where no CJK font is installed, ``use_fonts("zh")`` warns once and
returns ``"en"``: the caller draws English labels rather than empty boxes.

Fonts come from the system (Debian's ``fonts-noto-cjk``, which ``make`` installs when
it can) or any of the families in ``CJK_FAMILIES``; ``WUSHE_CJK_FONT=/path/to/font``
names a file to use instead.
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from pathlib import Path

__all__ = ["CJK_FAMILIES", "cjk_font", "use_fonts"]

# Families that cover simplified Chinese, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei", "Noto Sans CJK JP",
    "Noto Sans CJK TC", "Noto Serif CJK SC", "AR PL UMing CN", "Droid Sans Fallback",
)
_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"),
         str(Path.home() / ".fonts"), "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")
_warned = False


def _families() -> set[str]:
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    custom = os.environ.get("WUSHE_CJK_FONT")
    if custom and Path(custom).is_file():
        font_manager.fontManager.addfont(custom)
        return font_manager.FontProperties(fname=custom).get_name()
    names = _families()
    for family in CJK_FAMILIES:
        if family in names:
            return family
    # fonts installed after matplotlib built its cache: look for the files themselves
    for folder in _DIRS:
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            low = path.name.lower()
            if path.suffix.lower() in (".ttc", ".otf", ".ttf") and any(
                    k in low for k in ("cjk", "sourcehan", "wqy", "simhei", "msyh", "pingfang", "droidsansfallback")):
                try:
                    font_manager.fontManager.addfont(str(path))
                except (OSError, RuntimeError, ValueError):
                    continue
    names = _families()
    return next((f for f in CJK_FAMILIES if f in names), None)


def use_fonts(lang: str = "en") -> str:
    """Set matplotlib's fonts for ``lang``; return the language the figure should be drawn in."""
    import matplotlib as mpl

    global _warned
    font = cjk_font()
    base = [f for f in mpl.rcParams["font.sans-serif"] if f not in CJK_FAMILIES]
    if font is None:
        if lang == "zh":
            if not _warned:
                warnings.warn("no Chinese (CJK) font found: figures are drawn with English labels; install one "
                              "(Debian: apt-get install fonts-noto-cjk) or set WUSHE_CJK_FONT=/path/to/font",
                              stacklevel=2)
                _warned = True
            return "en"
        return lang
    order = [font, *base] if lang == "zh" else [*[f for f in base if f == "DejaVu Sans"], font, *base]
    order = list(dict.fromkeys(order))
    # explicit families, not the generic "sans-serif": matplotlib falls back glyph by glyph only
    # across the families named in font.family
    mpl.rcParams["font.family"] = order[:2]
    mpl.rcParams["font.sans-serif"] = order
    mpl.rcParams["axes.unicode_minus"] = False
    return lang

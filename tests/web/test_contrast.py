"""WCAG AA contrast of the pages' colours, read from the style sheet's custom properties.

Every pair the style sheet puts text on (and the focus ring against its backgrounds) is
listed here; a colour changed in ``app.css`` is checked the next run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2
from coloraide import Color

import argmap.web

CSS = Path(argmap.web.__file__).parent / "static" / "app.css"

TEXT_PAIRS = [  # (text, background): 4.5:1 (AA, normal text)
    *[(fg, bg) for fg in ("fg", "muted", "link", "support", "attack", "undercut")
      for bg in ("bg", "panel-bg")],
    ("fg", "mark-bg"), ("link", "current-bg"), ("fg", "current-bg"),
    ("in", "in-bg"), ("out", "out-bg"), ("undec", "undec-bg"),
    ("#ffffff", "link"),  # the buttons
]
NON_TEXT_PAIRS = [("focus", "bg"), ("focus", "panel-bg"), ("focus", "current-bg")]  # 3:1 (1.4.11)


def custom_properties() -> dict[str, str]:
    rules = tinycss2.parse_stylesheet(CSS.read_text(), skip_whitespace=True, skip_comments=True)
    (root,) = [r for r in rules if r.type == "qualified-rule" and tinycss2.serialize(r.prelude).strip() == ":root"]
    out = {}
    for d in tinycss2.parse_declaration_list(root.content, skip_whitespace=True, skip_comments=True):
        if d.type == "declaration" and d.name.startswith("--"):
            out[d.name[2:]] = tinycss2.serialize(d.value).strip()
    return out


def colour(props: dict[str, str], name: str) -> Color:
    return Color(name if name.startswith("#") else props[name])


@pytest.mark.parametrize("minimum, pairs", [(4.5, TEXT_PAIRS), (3.0, NON_TEXT_PAIRS)], ids=["text", "focus"])
def test_colours_pass_wcag_aa(minimum, pairs):
    props = custom_properties()
    low = {f"{fg} on {bg}": round(ratio, 2) for fg, bg in pairs
           if (ratio := colour(props, fg).contrast(colour(props, bg), method="wcag21")) < minimum}
    assert low == {}


def test_every_colour_the_pairs_name_is_defined():
    props = custom_properties()
    named = {n for pair in TEXT_PAIRS + NON_TEXT_PAIRS for n in pair if not n.startswith("#")}
    assert named <= props.keys()

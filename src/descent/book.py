"""Numbers computed in a chapter, handed to its text.

A chapter's prose never types a number: a code cell computes it and calls
``remember("adam_ratio", ratio)``, and the text shows it with myst-nb's role
``{glue:text}`adam_ratio:.2f```. The calls sit in cells the site does not show
(tagged ``remove-cell``), and the learner and instructor editions of the notebooks
drop them (tools/editions), so a reader and a learner see only the lesson's code.
"""

from __future__ import annotations

import numbers

import numpy as np

SIGNIFICANT_DIGITS = 8


def remember(name: str, value) -> None:
    """Glue ``value`` under ``name`` for the text of the notebook being executed.

    A number is stored as a Python ``int`` or ``float`` (a numpy scalar's text,
    ``np.float64(0.5)``, cannot be formatted by ``{glue:text}`name:.2f```), and a
    float is rounded to 8 significant digits: its last digits can differ from one
    machine to another (BLAS, processor), and nbval compares the stored value.
    Anything else (a string, ``IPython.display.Markdown``) is glued as it is.
    """
    from myst_nb import glue  # only the book needs it; the package does not

    # The text writes {glue:text}`name:format`: a name cannot hold a colon, a backtick or a space.
    if not isinstance(name, str) or not name or any(c in name for c in ":` \t\n"):
        raise ValueError(f"name must be a non-empty string without ':', '`' or spaces (the text refers to it), got {name!r}")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        pass
    elif isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real):
        value = float(f"{float(value):.{SIGNIFICANT_DIGITS}g}")
    glue(name, value, display=False)

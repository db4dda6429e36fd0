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
# Where myst-nb looks for glued values in a cell's outputs (myst_nb.ext.glue.GLUE_PREFIX,
# the scrapbook/papermill convention); tests/test_book_glue.py checks it is still myst-nb's.
GLUE_PREFIX = "application/papermill.record/"


def remember(name: str, value) -> None:
    """Glue ``value`` under ``name`` for the text of the notebook being executed.

    A number is stored as a Python ``int`` or ``float`` (a numpy scalar's text,
    ``np.float64(0.5)``, cannot be formatted by ``{glue:text}`name:.2f```), and a
    float is rounded to 8 significant digits: its last digits can differ from one
    machine to another (BLAS, processor), and nbval compares the stored value.
    Anything else (a string, ``IPython.display.Markdown``) is glued as it is.
    """
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
    _glue(name, value)


def _glue(name: str, value) -> None:
    """What ``myst_nb.glue(name, value, display=False)`` does, without importing myst_nb.ext.glue.

    That module imports nbformat, and so jsonschema and its format checkers: in the
    course's environment rfc3987_syntax builds a parser when imported, 2 to 6 seconds
    that the first ``remember`` of every notebook paid, twice per test run. The output
    is the same display message (tests/test_book_glue.py compares the two).
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)

"""descent.book.remember: the one way a chapter hands a computed number to its text."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("myst_nb", reason="myst-nb is in requirements.txt")

import descent.book
from descent.book import remember


def glued(monkeypatch):
    seen = {}
    # what was glued, and whether it was displayed (never: the text shows it)
    monkeypatch.setattr(descent.book, "_glue", lambda name, value: seen.setdefault(name, (value, False)))
    return seen


def displayed(monkeypatch, module, attribute):
    """Record the display() calls made through `module.attribute`."""
    calls = []
    monkeypatch.setattr(module, attribute, lambda *objs, **kwargs: calls.append((objs, kwargs)))
    return calls


@pytest.mark.parametrize("value", [0.33333333, 12, True, "| a |"])
def test_remember_displays_what_myst_nb_glue_displays(monkeypatch, value):
    # descent.book glues without importing myst_nb.ext.glue (its nbformat import costs seconds):
    # the display message must stay the one myst-nb's glue sends and its build reads.
    import IPython.display
    import myst_nb.ext.glue

    assert descent.book.GLUE_PREFIX == myst_nb.ext.glue.GLUE_PREFIX
    ours = displayed(monkeypatch, IPython.display, "display")
    descent.book._glue("name", value)
    theirs = displayed(monkeypatch, myst_nb.ext.glue, "ipy_display")
    myst_nb.ext.glue.glue("name", value, display=False)
    assert ours == theirs and len(ours) == 1


def test_numbers_are_stored_as_python_numbers_rounded_to_8_digits(monkeypatch):
    seen = glued(monkeypatch)
    remember("ratio", np.float64(1 / 3))
    remember("steps", np.int64(12))
    remember("flag", np.bool_(True))
    remember("adam_gap_1e-3", 2.0)
    assert seen["ratio"] == (0.33333333, False) and type(seen["ratio"][0]) is float
    assert seen["steps"] == (12, False) and type(seen["steps"][0]) is int
    assert seen["flag"] == (True, False) and type(seen["flag"][0]) is bool
    assert seen["adam_gap_1e-3"] == (2.0, False)


def test_other_values_are_glued_as_they_are(monkeypatch):
    seen = glued(monkeypatch)
    remember("table", "| a |")
    assert seen["table"] == ("| a |", False)


@pytest.mark.parametrize("name", ["", "a:b", "a b", "a`b", 3])
def test_a_name_the_text_cannot_refer_to_is_refused(name):
    with pytest.raises(ValueError, match="name must be a non-empty string without"):
        remember(name, 1.0)


def test_remember_does_not_import_nbformat():
    """The first remember of a notebook used to cost 2-6 s: myst_nb.ext.glue imports nbformat, jsonschema and
    rfc3987_syntax, which builds a parser when imported."""
    import subprocess
    import sys

    code = ("import sys\nfrom descent.book import remember\nremember('x', 1.0)\n"
            "print(sorted({'nbformat', 'jsonschema', 'myst_nb.ext.glue'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout

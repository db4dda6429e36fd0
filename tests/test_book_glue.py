"""descent.book.remember: the one way a chapter hands a computed number to its text."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("myst_nb", reason="myst-nb is in requirements.txt")

from descent.book import remember


def glued(monkeypatch):
    seen = {}
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: seen.setdefault(name, (value, display)))
    return seen


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

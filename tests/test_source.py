"""show_source: the book shows the package's own lines, never a copy."""

import inspect

import pytest

from descent import Adam
from descent.source import show_source


def test_shows_the_lines_of_the_method_as_they_are_in_the_file():
    source = show_source(Adam.update)
    lines, first = inspect.getsourcelines(Adam.update)
    assert source.code.splitlines()[0] == "def update(self, grads, state, params=None):"
    assert len(source.code.splitlines()) == len(lines)
    assert "c1, c2 = 1 - b1**t, 1 - b2**t" in source.code
    assert source._repr_markdown_().startswith("```python\ndef update")


def test_builtins_have_no_source():
    with pytest.raises(TypeError, match="show_source needs a function, method or class defined in a file"):
        show_source(len)

"""Show the package's own code in the book, so the text never keeps a second copy.

A chapter that explains an update rule calls ``show_source(Adam.update)``: the
page shows the lines that the tests check, and when they change, nbval fails
until the notebook is re-executed with the new lines.
"""

from __future__ import annotations

import inspect
import textwrap


class Source:
    """Source code that renders highlighted in Jupyter and as plain text elsewhere."""

    def __init__(self, code: str, name: str):
        self.code, self.name = code, name

    def __repr__(self) -> str:
        return self.code

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}\n```"


def show_source(obj) -> Source:
    """The source of a function, method or class of ``descent``, ready to display.

    >>> from descent import GradientDescent
    >>> print(show_source(GradientDescent.update))  # doctest: +ELLIPSIS
    def update(self, grads, state, params=None):
    ...
    """
    try:
        code = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(f"show_source needs a function, method or class defined in a file, got {obj!r}") from error
    return Source(textwrap.dedent(code).rstrip(), getattr(obj, "__qualname__", repr(obj)))

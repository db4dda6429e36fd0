"""show_source: the book shows the package's own lines, never a copy, and the lines it shows read as the math."""

import inspect

import pytest

from descent import Adam
from descent.optimizers.adagrad import adagrad_rule
from descent.optimizers.adam import adam_rule
from descent.optimizers.gradient_descent import gd_rule
from descent.optimizers.momentum import momentum_rule
from descent.optimizers.rmsprop import rmsprop_rule
from descent.source import show_source

RULES = [gd_rule, momentum_rule, adagrad_rule, rmsprop_rule, adam_rule]


def test_shows_the_lines_of_the_method_as_they_are_in_the_file():
    source = show_source(Adam.update)
    lines, first = inspect.getsourcelines(Adam.update)
    assert source.code.splitlines()[0] == "def update(self, grads, state, params=None):"
    assert len(source.code.splitlines()) == len(lines)
    assert source._repr_markdown_().startswith("```python\ndef update")


def test_adam_rule_reads_as_algorithm_1():
    code = show_source(adam_rule).code
    for line in (
        "m = beta1 * m + (1 - beta1) * g",
        "v = beta2 * v + (1 - beta2) * g * g",
        "c1, c2 = 1 - beta1**t, 1 - beta2**t",
        "m_hat = m / c1",
        "v_hat = v / c2",
        "step = -lr * (m_hat / (np.sqrt(v_hat) + eps))",
    ):
        assert line in code


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_shown_rules_hold_only_the_arithmetic(rule):
    """What issue 10 found unexplained on the pages: the input checks, the dict walk, a three-argument divide."""
    code = show_source(rule).code
    for machinery in ("_check_grads", "tree_map", "leafwise", "divide(", "self."):
        assert machinery not in code, f"{rule.__name__} shows {machinery}"
    assert len(code.splitlines()) <= 25


def test_builtins_have_no_source():
    with pytest.raises(TypeError, match="show_source needs a function, method or class defined in a file"):
        show_source(len)

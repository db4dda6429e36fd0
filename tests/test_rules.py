"""The update rules the chapters show (gd_rule … adam_rule): pure functions of arrays, and how update runs them.

The optimizers' own tests (test_optimizers, test_identities, test_against_pytorch)
check the rules through ``update``; these check what only the rules and
``leafwise`` do: nothing is modified, and ε = 0 reads 0/0 as a step of 0.
"""

import warnings

import numpy as np
import pytest

from descent import AdaGrad, Adam, RMSProp, adagrad_rule, adam_rule, gd_rule, momentum_rule, rmsprop_rule
from descent.optimizers.leafwise import leafwise


def test_rules_by_hand():
    g = np.array([2.0])
    np.testing.assert_array_equal(gd_rule(g, 0.5), [-1.0])
    # momentum, average form, β = 0.5: m_1 = 0.5·2 + 0.5·2 = 2 from m_0 = 2
    step, m = momentum_rule(g, np.array([2.0]), 1.0, 0.5)
    np.testing.assert_array_equal(m, [2.0])
    np.testing.assert_array_equal(step, [-2.0])
    # AdaGrad: s = 5 + 4 = 9, step = −1·2/3
    step, s = adagrad_rule(g, np.array([5.0]), 1.0, 0.0)
    np.testing.assert_allclose((step, s), ([-2 / 3], [9.0]))
    # RMSProp, β = 0.5: v = 0.5·0 + 0.5·4 = 2; bias-corrected v̂ = 2/(1 − 0.5) = 4 → step −2/2
    step, v = rmsprop_rule(g, np.zeros(1), 1, 1.0, 0.5, 0.0, bias_correction=True)
    np.testing.assert_allclose((step, v), ([-1.0], [2.0]))
    # Adam's first step is −α·sign(g) (ε = 0), and AMSGrad keeps the larger v
    step, m, v, v_max = adam_rule(g, np.zeros(1), np.zeros(1), 1, 0.1, 0.9, 0.999, 0.0)
    np.testing.assert_allclose(step, [-0.1], rtol=1e-12)
    assert v_max is None
    _, _, v, v_max = adam_rule(np.array([0.0]), m, v, 2, 0.1, 0.9, 0.999, 0.0, v_max=np.array([7.0]))
    np.testing.assert_array_equal(v_max, [7.0])


def test_rules_modify_nothing():
    g, m, v = np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([1.0, 1.0])
    before = [a.copy() for a in (g, m, v)]
    adam_rule(g, m, v, 3, 0.1, 0.9, 0.999, 1e-8, v_max=v)
    momentum_rule(g, m, 0.1, 0.9, nesterov=True)
    rmsprop_rule(g, v, 3, 0.1, 0.9, 1e-8, eps_inside_sqrt=True)
    for a, b in zip((g, m, v), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", [AdaGrad(lr=0.1, eps=0.0), RMSProp(lr=0.1, eps=0.0),
                                       RMSProp(lr=0.1, eps=0.0, eps_inside_sqrt=True, bias_correction=True),
                                       Adam(lr=0.1, eps=0.0), Adam(lr=0.1, eps=0.0, amsgrad=True)], ids=repr)
def test_with_eps_zero_a_coordinate_without_gradient_takes_a_step_of_zero(optimizer):
    """0/0 (no gradient yet, ε = 0) is read as 0, and 1e-200² underflowing to 0 too; no warning, no NaN."""
    g = np.array([0.0, 1e-200, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step, _ = optimizer.update(g, optimizer.init(np.zeros(3)))
    assert step[0] == 0.0 and np.signbit(step[0])  # −α·0, as the former divide gave
    assert step[1] == 0.0 and step[2] < 0


def test_leafwise_returns_one_tree_per_output():
    rule = lambda a, b: (a + b, a * b)  # noqa: E731
    total, product = leafwise(rule, {"x": np.array(2.0), "y": np.array(3.0)}, {"x": np.array(4.0), "y": np.array(5.0)})
    assert total == {"x": 6.0, "y": 8.0} and product == {"x": 8.0, "y": 15.0}
    total, product = leafwise(rule, np.array(2.0), np.array(4.0))
    assert (total, product) == (6.0, 8.0)

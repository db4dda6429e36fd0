"""replay: the one loop that feeds a fixed stream of gradients through an optimizer."""

import numpy as np
import pytest

from descent import Adam, AdamW, GradientDescent, Momentum, RMSProp
from descent.replay import replay


def test_records_points_steps_and_states_by_hand():
    # Momentum, average form, β = 0.5, α = 1: m_1 = 1, m_2 = 0.5·1 + 0.5·4 = 2.5
    record = replay(Momentum(lr=1.0, beta=0.5), [[2.0], [4.0]], params0=[10.0])
    np.testing.assert_array_equal(record.steps, [[-1.0], [-2.5]])
    np.testing.assert_array_equal(record.points, [[10.0], [9.0], [6.5]])
    assert [s.velocity[0] for s in record.states] == [1.0, 2.5]
    assert record.steps_taken == 2 and record.final_point[0] == 6.5


def test_params0_defaults_to_zeros_and_grads_may_be_an_array():
    grads = np.arange(6.0).reshape(3, 2)
    record = replay(GradientDescent(lr=0.5), grads)
    np.testing.assert_array_equal(record.points[0], [0.0, 0.0])
    np.testing.assert_array_equal(record.points[-1], -0.5 * grads.sum(axis=0))
    assert record.points.shape == (4, 2) and record.steps.shape == (3, 2)


def test_the_optimizer_sees_the_replayed_path():
    """AdamW decays θ_{t−1}, so its second step depends on where the first one went."""
    opt = AdamW(lr=0.1, eps=0.0, weight_decay=0.5)
    record = replay(opt, [[1.0], [1.0]], params0=[2.0])
    # Step 1: −0.1·sign(g) − 0.1·0.5·2 = −0.2, so θ_1 = 1.8; step 2 (m̂/√v̂ = 1): −0.1 − 0.05·1.8
    np.testing.assert_allclose(np.ravel(record.steps), [-0.2, -0.1 - 0.05 * 1.8], rtol=1e-12)
    assert abs(record.steps[1, 0] - (-0.2)) > 1e-3   # not the step from a θ held at θ_0


def test_dict_parameters_are_replayed_key_by_key():
    rng = np.random.default_rng(0)
    grads = [{"w": rng.normal(size=(2, 2)), "b": rng.normal(size=2)} for _ in range(5)]
    record = replay(Adam(lr=0.1), grads)
    assert isinstance(record.points, list) and len(record.points) == 6
    for key in ("w", "b"):
        alone = replay(Adam(lr=0.1), [g[key] for g in grads])
        np.testing.assert_array_equal(record.points[-1][key], alone.points[-1])


def test_nothing_passed_in_changes_and_float32_stays_float32():
    grads = np.ones((3, 2), dtype=np.float32)
    x0 = np.ones(2, dtype=np.float32)
    record = replay(RMSProp(lr=0.1), grads, x0)
    np.testing.assert_array_equal(grads, 1.0)
    np.testing.assert_array_equal(x0, 1.0)
    assert record.points.dtype == np.float32 and record.steps.dtype == np.float32


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match=r"optimizer must be an optimizer instance such as Adam\(lr=0.1\), not the class Adam itself"):
        replay(Adam, [[1.0]])
    with pytest.raises(TypeError, match=r"optimizer must have methods init\(params\) and update"):
        replay("adam", [[1.0]])
    with pytest.raises(ValueError, match="grads is empty"):
        replay(Adam(), [])
    with pytest.raises(TypeError, match="grads must be a sequence of gradients"):
        replay(Adam(), {"w": np.ones(2)})


def test_zero_steps_with_params0():
    record = replay(Adam(), [], params0=np.ones(2))
    assert record.steps_taken == 0 and record.points.shape == (1, 2)

"""Each optimizer against values worked out by hand, and the contract they share.

The hand computations use small numbers (β = 0.5, g = 2, ...) so each line can
be checked on paper; the arithmetic is written out rather than precomputed.
"""

import math

import numpy as np
import pytest

import descent
from descent import AdaGrad, Adam, AdamW, GradientDescent, Momentum, RMSProp
from descent.replay import replay


def steps_for(optimizer, grads, params=None):
    """The steps an optimizer takes for a fixed stream of gradients, and its last state."""
    record = replay(optimizer, np.asarray(grads, dtype=float), params)
    return list(record.steps), record.states[-1]


def test_gradient_descent_by_hand():
    (step,), state = steps_for(GradientDescent(lr=0.1), [[0.5, 1.0]])
    np.testing.assert_allclose(step, [-0.05, -0.1])
    assert state.t == 1


def test_momentum_ewa_by_hand():
    # v1 = 0.5·0 + 0.5·2 = 1;  v2 = 0.5·1 + 0.5·4 = 2.5
    steps, state = steps_for(Momentum(lr=1.0, beta=0.5, form="ewa"), [[2.0], [4.0]])
    np.testing.assert_allclose(np.ravel(steps), [-1.0, -2.5])
    np.testing.assert_allclose(state.velocity, [2.5])


def test_momentum_heavy_ball_by_hand():
    # v1 = 0.5·0 + 2 = 2;  v2 = 0.5·2 + 4 = 5
    steps, _ = steps_for(Momentum(lr=1.0, beta=0.5, form="heavy_ball"), [[2.0], [4.0]])
    np.testing.assert_allclose(np.ravel(steps), [-2.0, -5.0])


def test_momentum_nesterov_by_hand():
    # heavy ball: v1 = 2, step1 = −(0.5·2 + 2) = −3;  v2 = 5, step2 = −(0.5·5 + 4) = −6.5
    steps, _ = steps_for(Momentum(lr=1.0, beta=0.5, form="heavy_ball", nesterov=True), [[2.0], [4.0]])
    np.testing.assert_allclose(np.ravel(steps), [-3.0, -6.5])
    # ewa: v1 = 1, step1 = −(0.5·1 + 0.5·2) = −1.5;  v2 = 2.5, step2 = −(0.5·2.5 + 0.5·4) = −3.25
    steps, _ = steps_for(Momentum(lr=1.0, beta=0.5, form="ewa", nesterov=True), [[2.0], [4.0]])
    np.testing.assert_allclose(np.ravel(steps), [-1.5, -3.25])


def test_adagrad_by_hand():
    # s1 = 9, step1 = −3/√9 = −1;  s2 = 9 + 16 = 25, step2 = −4/√25 = −0.8
    steps, state = steps_for(AdaGrad(lr=1.0, eps=0.0), [[3.0], [4.0]])
    np.testing.assert_allclose(np.ravel(steps), [-1.0, -0.8])
    np.testing.assert_allclose(state.s, [25.0])


def test_rmsprop_by_hand():
    # v1 = 0.5·4 = 2, step1 = −2/√2;  v2 = 0.5·2 + 0.5·4 = 3, step2 = −2/√3
    steps, state = steps_for(RMSProp(lr=1.0, beta=0.5, eps=0.0), [[2.0], [2.0]])
    np.testing.assert_allclose(np.ravel(steps), [-2 / math.sqrt(2), -2 / math.sqrt(3)])
    assert state.t == 2


def test_rmsprop_eps_inside_and_outside_the_root_by_hand():
    # v1 = 0.5·4 = 2; ε = 1 outside: −2/(√2 + 1); inside: −2/√(2 + 1)
    (outside,), _ = steps_for(RMSProp(lr=1.0, beta=0.5, eps=1.0), [[2.0]])
    (inside,), _ = steps_for(RMSProp(lr=1.0, beta=0.5, eps=1.0, eps_inside_sqrt=True), [[2.0]])
    np.testing.assert_allclose(outside, [-2 / (math.sqrt(2) + 1)])
    np.testing.assert_allclose(inside, [-2 / math.sqrt(3)])


def test_rmsprop_bias_correction_by_hand():
    # v1 = 0.5·4 = 2, v̂1 = 2/(1 − 0.5) = 4, step1 = −2/√4 = −1
    (step,), _ = steps_for(RMSProp(lr=1.0, beta=0.5, eps=0.0, bias_correction=True), [[2.0]])
    np.testing.assert_allclose(step, [-1.0])


def test_adam_by_hand():
    opt = Adam(lr=1.0, beta1=0.5, beta2=0.75, eps=0.0)
    steps, state = steps_for(opt, [[2.0], [4.0]])
    # t=1: m = 0.5·2 = 1, v = 0.25·4 = 1, m̂ = 1/0.5 = 2, v̂ = 1/0.25 = 4, step = −2/2 = −1
    # t=2: m = 0.5·1 + 0.5·4 = 2.5, v = 0.75·1 + 0.25·16 = 4.75,
    #      m̂ = 2.5/(1 − 0.25), v̂ = 4.75/(1 − 0.5625)
    m_hat, v_hat = 2.5 / 0.75, 4.75 / 0.4375
    np.testing.assert_allclose(np.ravel(steps), [-1.0, -m_hat / math.sqrt(v_hat)])
    np.testing.assert_allclose(state.m, [2.5])
    np.testing.assert_allclose(state.v, [4.75])
    assert state.t == 2 and state.v_max is None


def test_adam_without_bias_correction_first_step_is_too_large():
    # m1 = 0.1·g, v1 = 0.001·g²: the uncorrected step is 0.1/√0.001 ≈ 3.16 times lr
    (step,), _ = steps_for(Adam(lr=0.01, eps=0.0, bias_correction=False), [[5.0]])
    np.testing.assert_allclose(step, [-0.01 * 0.1 / math.sqrt(0.001)])
    (step,), _ = steps_for(Adam(lr=0.01, beta2=0.9999, eps=0.0, bias_correction=False), [[5.0]])
    np.testing.assert_allclose(step, [-0.01 * 10.0])


def test_amsgrad_by_hand():
    # β1 = β2 = 0.5. t=1, g=2: m = 1, v = 2, v_max = 2, step = −(1/0.5)/√(2/0.5) = −1
    # t=2, g=0: m = 0.5, v = 1, v_max = 2; m̂ = 0.5/0.75, v̂ = 2/0.75 (Adam: 1/0.75)
    grads = [[2.0], [0.0]]
    steps, state = steps_for(Adam(lr=1.0, beta1=0.5, beta2=0.5, eps=0.0, amsgrad=True), grads)
    np.testing.assert_allclose(np.ravel(steps), [-1.0, -(0.5 / 0.75) / math.sqrt(2 / 0.75)])
    np.testing.assert_allclose(state.v_max, [2.0])
    plain, _ = steps_for(Adam(lr=1.0, beta1=0.5, beta2=0.5, eps=0.0), grads)
    np.testing.assert_allclose(plain[1], [-(0.5 / 0.75) / math.sqrt(1 / 0.75)])


def test_adamw_by_hand():
    # First Adam step is −lr·sign(g) = −0.1; decay −lr·λ·θ = −0.1·0.5·2 = −0.1
    (step,), _ = steps_for(AdamW(lr=0.1, eps=0.0, weight_decay=0.5), [[1.0]], params=np.array([2.0]))
    np.testing.assert_allclose(step, [-0.2])


def test_adamw_positional_order_matches_pytorch():
    assert AdamW(0.1, 0.8, 0.99, 1e-6, 0.05) == AdamW(lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.05)


def test_paper_defaults():
    assert repr(Adam()) == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, bias_correction=True, amsgrad=False)"


ALL = [
    GradientDescent(lr=0.1),
    Momentum(lr=0.1, beta=0.9),
    Momentum(lr=0.1, beta=0.9, form="heavy_ball", nesterov=True),
    AdaGrad(lr=0.1),
    RMSProp(lr=0.1),
    RMSProp(lr=0.1, eps_inside_sqrt=True, bias_correction=True),
    Adam(lr=0.1),
    Adam(lr=0.1, amsgrad=True, bias_correction=False),
    AdamW(lr=0.1, weight_decay=0.1),
]


@pytest.mark.parametrize("optimizer", ALL, ids=repr)
def test_update_is_pure_and_works_on_dicts(optimizer):
    """A dict of arrays is updated key by key exactly as the arrays alone; nothing passed in changes."""
    rng = np.random.default_rng(0)
    params = {"weights": rng.normal(size=(3, 2)), "bias": rng.normal(size=2)}
    grads = {"weights": rng.normal(size=(3, 2)), "bias": rng.normal(size=2)}
    before = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in grads.items()}
    state = optimizer.init(params)
    _, new_state = optimizer.update(grads, state, params)
    assert new_state is not state
    record = replay(optimizer, [grads, grads], params)
    for key in params:
        np.testing.assert_array_equal(params[key], before[0][key])
        np.testing.assert_array_equal(grads[key], before[1][key])
        alone, _ = steps_for(optimizer, [grads[key], grads[key]], params=params[key])
        np.testing.assert_allclose(record.steps[1][key], alone[1], rtol=1e-15)


@pytest.mark.parametrize("optimizer", ALL, ids=repr)
def test_float32_stays_float32(optimizer):
    params = np.ones((4,), dtype=np.float32)
    state = optimizer.init(params)
    for _ in range(3):
        step, state = optimizer.update(np.full(4, 0.5, dtype=np.float32), state, params)
        params = params + step
    assert step.dtype == np.float32 and params.dtype == np.float32
    for field in state:
        if isinstance(field, np.ndarray):
            assert field.dtype == np.float32


@pytest.mark.parametrize("optimizer", ALL, ids=repr)
def test_mismatched_shapes_and_keys_are_errors(optimizer):
    state = optimizer.init(np.zeros(3))
    with pytest.raises(ValueError, match=r"params has shape \(3,\) but grads has shape \(2,\)"):
        optimizer.update(np.zeros(2), state, np.zeros(3))
    with pytest.raises(ValueError, match="different keys"):
        params = {"w": np.zeros(2)}
        optimizer.update({"b": np.zeros(2)}, optimizer.init(params), params)


@pytest.mark.parametrize("optimizer", [o for o in ALL if not isinstance(o, (GradientDescent, AdamW))], ids=repr)
def test_grads_must_match_the_state(optimizer):
    state = optimizer.init(np.zeros(3))
    with pytest.raises(ValueError, match=r"optimizer state .* has shape \(3,\) but grads has shape \(4,\)"):
        optimizer.update(np.zeros(4), state)


@pytest.mark.parametrize("optimizer", ALL, ids=repr)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradients_raise(optimizer, bad):
    params = np.zeros(2)
    with pytest.raises(FloatingPointError, match="grads contains inf or NaN"):
        optimizer.update(np.array([1.0, bad]), optimizer.init(params), params)


def test_adamw_needs_params():
    opt = AdamW()
    with pytest.raises(ValueError, match="AdamW.update needs params"):
        opt.update(np.ones(2), opt.init(np.zeros(2)))


def test_non_numeric_grads_are_a_type_error():
    opt = Adam()
    with pytest.raises(TypeError, match="grads must be a numeric array"):
        opt.update(np.array(["a", "b"]), opt.init(np.zeros(2)))


BAD_HYPERPARAMETERS = [
    (GradientDescent, {"lr": 0.0}, ValueError, r"lr must be > 0, got 0.0"),
    (GradientDescent, {"lr": -0.1}, ValueError, r"lr must be > 0, got -0.1"),
    (GradientDescent, {"lr": float("nan")}, ValueError, r"lr must be finite"),
    (GradientDescent, {"lr": float("inf")}, ValueError, r"lr must be finite"),
    (GradientDescent, {"lr": "0.1"}, TypeError, r"lr must be a real number, got str '0.1'"),
    (GradientDescent, {"lr": True}, TypeError, r"lr must be a real number, got bool"),
    (Momentum, {"lr": 0.1, "beta": 1.0}, ValueError, r"beta must be in \[0, 1\), got 1.0"),
    (Momentum, {"lr": 0.1, "beta": -0.1}, ValueError, r"beta must be in \[0, 1\), got -0.1"),
    (Momentum, {"lr": 0.1, "form": "pytorch"}, ValueError, r"form must be one of 'ewa', 'heavy_ball'; got 'pytorch'"),
    (Momentum, {"lr": 0.1, "nesterov": "yes"}, TypeError, r"nesterov must be True or False"),
    (AdaGrad, {"eps": -1e-8}, ValueError, r"eps must be >= 0, got -1e-08"),
    (RMSProp, {"beta": 1.5}, ValueError, r"beta must be in \[0, 1\)"),
    (RMSProp, {"eps": None}, TypeError, r"eps must be a real number, got NoneType"),
    (RMSProp, {"eps_inside_sqrt": 1}, TypeError, r"eps_inside_sqrt must be True or False"),
    (Adam, {"lr": -1}, ValueError, r"lr must be > 0, got -1.0"),
    (Adam, {"beta1": 1.0}, ValueError, r"beta1 must be in \[0, 1\), got 1.0"),
    (Adam, {"beta2": 0.9999999999999999 + 1e-16}, ValueError, r"beta2 must be in \[0, 1\)"),
    (Adam, {"eps": -1.0}, ValueError, r"eps must be >= 0"),
    (Adam, {"amsgrad": "no"}, TypeError, r"amsgrad must be True or False"),
    (AdamW, {"weight_decay": -0.01}, ValueError, r"weight_decay must be >= 0, got -0.01"),
    (AdamW, {"beta1": [0.9]}, TypeError, r"beta1 must be a real number, got list"),
]


@pytest.mark.parametrize("cls, kwargs, error, message", BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_are_rejected_with_a_clear_message(cls, kwargs, error, message):
    with pytest.raises(error, match=message):
        cls(**kwargs)


def test_numpy_scalars_are_accepted():
    assert Adam(lr=np.float32(0.01), beta1=np.float64(0.8)).beta1 == 0.8


def test_exported_names():
    for name in ["GradientDescent", "Momentum", "AdaGrad", "RMSProp", "Adam", "AdamW", "AdamState"]:
        assert name in descent.__all__

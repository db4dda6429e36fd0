"""Identities between optimizers: each one is a lesson of the book, checked here.

Paths are run on a rotated, ill-conditioned quadratic f(θ) = ½ θᵀAθ, so the
gradient at each step depends on where the previous steps went: two
optimizers agree only if every step agrees.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from descent import AdaGrad, Adam, GradientDescent, Momentum, RMSProp
from descent.replay import replay

ANGLE = 0.5
ROTATION = np.array([[math.cos(ANGLE), -math.sin(ANGLE)], [math.sin(ANGLE), math.cos(ANGLE)]])
A = ROTATION @ np.diag([1.0, 20.0]) @ ROTATION.T


def path(optimizer, steps=200, x0=(3.0, -2.0)):
    """θ_0 … θ_n of the optimizer on f(θ) = ½ θᵀAθ (gradient Aθ)."""
    x = np.array(x0)
    state = optimizer.init(x)
    points = [x]
    for _ in range(steps):
        step, state = optimizer.update(A @ x, state, x)
        x = x + step
        points.append(x)
    return np.array(points)


def steps_for(optimizer, grads):
    return replay(optimizer, np.asarray(grads, dtype=float)).steps


@pytest.mark.parametrize("form", ["ewa", "heavy_ball"])
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_with_beta_zero_is_gradient_descent(form, nesterov):
    np.testing.assert_array_equal(
        path(Momentum(lr=0.05, beta=0.0, form=form, nesterov=nesterov)), path(GradientDescent(lr=0.05))
    )


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("nesterov", [False, True])
def test_ewa_momentum_is_heavy_ball_with_lr_times_one_minus_beta(beta, nesterov):
    lr = 0.05
    ewa = path(Momentum(lr=lr, beta=beta, form="ewa", nesterov=nesterov))
    heavy_ball = path(Momentum(lr=lr * (1 - beta), beta=beta, form="heavy_ball", nesterov=nesterov))
    np.testing.assert_allclose(ewa, heavy_ball, rtol=1e-12, atol=1e-14)
    # ...and not with the same lr: the two forms are not interchangeable as they stand.
    assert not np.allclose(ewa, path(Momentum(lr=lr, beta=beta, form="heavy_ball", nesterov=nesterov)))


@pytest.mark.parametrize("beta2", [0.9, 0.999])
def test_adam_with_beta1_zero_is_bias_corrected_rmsprop(beta2):
    adam = path(Adam(lr=0.05, beta1=0.0, beta2=beta2, eps=1e-8))
    rmsprop = path(RMSProp(lr=0.05, beta=beta2, eps=1e-8, bias_correction=True))
    np.testing.assert_allclose(adam, rmsprop, rtol=1e-13, atol=1e-15)


def test_rmsprop_with_beta_near_one_differs_from_adagrad_only_by_scale_at_first():
    # After one step both divide g by |g|·const: AdaGrad by |g|, RMSProp by √(1−β)|g|.
    g = np.array([[0.3, -2.0]])
    np.testing.assert_allclose(steps_for(AdaGrad(lr=1.0, eps=0.0), g), -np.sign(g))
    np.testing.assert_allclose(steps_for(RMSProp(lr=1.0, beta=0.99, eps=0.0), g), -np.sign(g) / math.sqrt(0.01))


finite_grads = arrays(
    np.float64,
    st.integers(1, 6),
    elements=st.floats(-1e6, 1e6, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-100),
)


@given(g=finite_grads, lr=st.floats(1e-4, 1.0))
def test_adam_first_step_is_minus_lr_sign_g(g, lr):
    """m̂_1 = g and v̂_1 = g², so with ε = 0 the first step is −lr·g/|g| (0 where g = 0)."""
    np.testing.assert_allclose(steps_for(Adam(lr=lr, eps=0.0), [g])[0], -lr * np.sign(g), rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    grads=arrays(np.float64, (20, 3), elements=st.floats(-10, 10, allow_nan=False).filter(lambda x: abs(x) > 1e-6)),
    scale=st.floats(1e-3, 1e3),
)
def test_adam_step_is_invariant_to_gradient_scale(grads, scale):
    """m̂ scales by c and √v̂ by c, so with ε = 0 the step does not change."""
    opt = Adam(lr=0.01, eps=0.0)
    np.testing.assert_allclose(steps_for(opt, grads * scale), steps_for(opt, grads), rtol=1e-9, atol=1e-15)


def test_eps_breaks_scale_invariance_for_tiny_gradients():
    """With the default ε the step shrinks once √v̂ is comparable to ε."""
    grads = np.full((5, 1), 1e-9)
    assert abs(steps_for(Adam(lr=0.01), grads)[-1, 0]) < 0.01 * 0.2


B1_B2 = [(0.9, 0.999), (0.9, 0.9999), (0.0, 0.99), (0.5, 0.9), (0.9, 0.95)]


def cauchy_schwarz_bound(b1, b2, t):
    """Tight bound on |m̂_t|/√v̂_t over all gradient sequences (Cauchy–Schwarz):

    (1−β₁)/√(1−β₂) · √((1−γᵗ)/(1−γ)) · √(1−β₂ᵗ)/(1−β₁ᵗ), with γ = β₁²/β₂ < 1.
    """
    gamma = b1**2 / b2
    return (1 - b1) / math.sqrt(1 - b2) * math.sqrt((1 - gamma**t) / (1 - gamma)) * math.sqrt(1 - b2**t) / (1 - b1**t)


@pytest.mark.parametrize("b1, b2", B1_B2)
def test_step_bound_in_the_sparse_case_of_section_2_1(b1, b2):
    """Zero gradients then one nonzero: the paper's worst case, |Δ| → α(1−β₁)/√(1−β₂)."""
    t = 2000
    grads = np.zeros((t, 1))
    grads[-1] = 3.0
    last = abs(steps_for(Adam(lr=1.0, beta1=b1, beta2=b2, eps=0.0), grads)[-1, 0])
    exact = (1 - b1) / math.sqrt(1 - b2) * math.sqrt(1 - b2**t) / (1 - b1**t)
    assert last == pytest.approx(exact, rel=1e-12)
    assert last <= (1 - b1) / math.sqrt(1 - b2)


@pytest.mark.parametrize("b1, b2", B1_B2)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_step_never_exceeds_the_cauchy_schwarz_bound(b1, b2, data):
    t = data.draw(st.integers(1, 60))
    grads = data.draw(arrays(np.float64, (t, 1), elements=st.floats(-100, 100, allow_nan=False)))
    last = abs(steps_for(Adam(lr=1.0, beta1=b1, beta2=b2, eps=0.0), grads)[-1, 0])
    assert last <= cauchy_schwarz_bound(b1, b2, t) * (1 + 1e-12)


def test_the_papers_bound_is_a_rule_of_thumb_not_a_theorem():
    """Past gradients that shrink like (β₁/β₂)ᵏ reach the tight bound, above α(1−β₁)/√(1−β₂).

    At the defaults the paper's ≈ 3.16·α is exceeded; the book says so.
    """
    b1, b2, t = 0.9, 0.999, 300
    grads = np.array([[(b1 / b2) ** (t - i)] for i in range(1, t + 1)])
    last = abs(steps_for(Adam(lr=1.0, beta1=b1, beta2=b2, eps=0.0), grads)[-1, 0])
    assert last == pytest.approx(cauchy_schwarz_bound(b1, b2, t), rel=1e-12)
    assert last > (1 - b1) / math.sqrt(1 - b2)


@given(g=st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-3), t=st.integers(1, 50))
def test_constant_gradient_gives_steps_of_exactly_lr(g, t):
    """With a constant gradient m̂_t = g and v̂_t = g² at every t: bias correction is exact."""
    steps = steps_for(Adam(lr=0.1, eps=0.0), np.full((t, 1), g))
    np.testing.assert_allclose(steps[:, 0], -0.1 * np.sign(g), rtol=1e-10)

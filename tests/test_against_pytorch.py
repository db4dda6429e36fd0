"""Every optimizer against torch.optim, on the same path, to ~1e-12 in float64.

Both sides run on the same objective (a rotated quadratic plus a quartic term,
so gradients depend on the path), each computing its own gradients: an error
in any single step would send the two paths apart.
"""

import math

import numpy as np
import pytest

from descent import AdaGrad, Adam, AdamW, GradientDescent, Momentum, RMSProp
from descent.replay import replay

TORCH_MISSING = "PyTorch is not installed: `pip install torch==2.13.0` to run the cross-checks against torch.optim"
torch = None  # imported when the first test runs (torch_imported), not at collection: 2.5 s in every xdist worker


@pytest.fixture(autouse=True, scope="module")
def torch_imported():
    global torch
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)

STEPS = 300
ANGLE = 0.7
R = np.array([[math.cos(ANGLE), -math.sin(ANGLE)], [math.sin(ANGLE), math.cos(ANGLE)]])
A = R @ np.diag([0.5, 8.0, 3.0][:2]) @ R.T
X0 = np.array([1.5, -2.0])


def gradient(x):
    """∇ of ½ xᵀAx + ¼ Σ x⁴ (numpy and torch alike)."""
    return A @ x + x**3


def descent_path(optimizer):
    x = X0.copy()
    state = optimizer.init(x)
    path = [x]
    for _ in range(STEPS):
        step, state = optimizer.update(gradient(x), state, x)
        x = x + step
        path.append(x)
    return np.array(path)


def torch_path(make_optimizer):
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([x])
    a = torch.tensor(A, dtype=torch.float64)
    path = [x.detach().numpy().copy()]
    for _ in range(STEPS):
        opt.zero_grad()
        loss = 0.5 * x @ a @ x + 0.25 * (x**4).sum()
        loss.backward()
        opt.step()
        path.append(x.detach().numpy().copy())
    return np.array(path)


PAIRS = {
    "sgd": (GradientDescent(lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    "heavy_ball": (
        Momentum(lr=0.02, beta=0.9, form="heavy_ball"),
        lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9),
    ),
    "ewa = heavy_ball with lr(1-beta)": (
        Momentum(lr=0.2, beta=0.9, form="ewa"),
        lambda p: torch.optim.SGD(p, lr=0.2 * (1 - 0.9), momentum=0.9),
    ),
    "nesterov": (
        Momentum(lr=0.02, beta=0.8, form="heavy_ball", nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.8, nesterov=True),
    ),
    "adagrad": (AdaGrad(lr=0.3, eps=1e-10), lambda p: torch.optim.Adagrad(p, lr=0.3, eps=1e-10)),
    "rmsprop": (
        RMSProp(lr=0.01, beta=0.99, eps=1e-8),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8),
    ),
    "adam": (Adam(lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    "adam betas": (
        Adam(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    ),
    "amsgrad": (Adam(lr=0.05, amsgrad=True), lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True)),
    "adamw": (
        AdamW(lr=0.05, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1),
    ),
    "adamw amsgrad": (
        AdamW(lr=0.05, weight_decay=0.3, amsgrad=True),
        lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.3, amsgrad=True),
    ),
}


def assert_same_path(mine, reference):
    """The path moved (else agreeing would mean nothing) and equals the reference to ~1e-12."""
    assert np.abs(mine[-1] - mine[0]).max() > 0.1, "the path must actually move for the check to mean anything"
    np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", PAIRS)
def test_same_path_as_torch(name):
    ours, theirs = PAIRS[name]
    assert_same_path(descent_path(ours), torch_path(theirs))


def test_ewa_is_not_torch_dampening():
    """A common mix-up: average-form momentum is NOT torch's SGD with dampening = β.

    Torch's first buffer is g (not (1 − β)g), so the paths differ.
    """
    mine = descent_path(Momentum(lr=0.02, beta=0.9, form="ewa"))
    dampened = torch_path(lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, dampening=0.9))
    assert np.abs(mine - dampened).max() > 1e-3


def test_adam_with_l2_in_the_gradient_is_torch_adam_weight_decay():
    """torch.optim.Adam(weight_decay=λ) adds λθ to g: Adam on the L2-regularised loss, not AdamW."""
    lam = 0.1
    x = X0.copy()
    opt = Adam(lr=0.05)
    state = opt.init(x)
    path = [x]
    for _ in range(STEPS):
        step, state = opt.update(gradient(x) + lam * x, state, x)
        x = x + step
        path.append(x)
    reference = torch_path(lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=lam))
    np.testing.assert_allclose(np.array(path), reference, rtol=1e-12, atol=1e-12)
    assert np.abs(np.array(path) - descent_path(AdamW(lr=0.05, weight_decay=lam))).max() > 1e-3


@pytest.mark.parametrize("name", PAIRS)
def test_same_steps_as_torch_on_a_fixed_gradient_stream(name):
    """Open loop: the same random gradients fed to both, so no error can be amplified by the path.

    Gradients of mixed scale (1e-3 to 1e3) exercise ε and the accumulators.
    """
    ours, theirs = PAIRS[name]
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(STEPS, 3)) * 10.0 ** rng.uniform(-3, 3, size=(STEPS, 1))
    x0 = np.array([1.0, -1.0, 0.5])
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = theirs([p])
    for x, g in zip(replay(ours, grads, x0).points[1:], grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-12, atol=1e-12)

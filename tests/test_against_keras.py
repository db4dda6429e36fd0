"""Every optimizer Keras shares with the course, against ``keras.optimizers``, in float64.

Keras 3 runs on its PyTorch backend (the CPU torch wheel the torch cross-checks
use). Keras writes three optimizers differently from the papers, and each pair
below is configured through the exact identity that links the two forms (see
/work/shared/reference/optimizer-conventions.md):

- SGD with momentum keeps m = μm − lr·g and adds m: lr sits inside the buffer, which
  for a constant lr is the heavy-ball form, ``Momentum(form="heavy_ball")``.
- RMSprop puts ε inside the square root: ``RMSProp(eps_inside_sqrt=True)``.
- Adam and AdamW use the "ε-hat" form of Kingma & Ba's section 2: the step is
  lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m_t/(√v_t + ε̂), which is Algorithm 1 with
  ε = ε̂/√(1 − β₂ᵗ), a different ε at every step. The descent side therefore
  takes step t with ``Adam(..., eps=ε̂/√(1 − β₂ᵗ))``; a test below shows that a
  constant ε does not match.

Keras is optional, like torch (not in requirements.txt): without it these tests
skip with the reason, and with CI=true they fail instead.
"""

import dataclasses
import math
import os

import numpy as np
import pytest

from book_toc import in_ci
from descent import Adam, AdamW, GradientDescent, Momentum, RMSProp

os.environ.setdefault("KERAS_BACKEND", "torch")  # must be set before keras is imported
INSTALL = "`pip install torch==2.13.0 keras==3.15.1` (Keras 3 runs on its PyTorch backend here)"
# Imported by the module's fixture, when its first test runs, not when pytest collects this file:
# importing Keras takes 5-8 s (it imports torch._dynamo), which every xdist worker would pay
# at collection, and `pytest -k` runs that leave these tests out never need it.
keras = None


def import_keras():
    """Keras on its torch backend; skips with the reason where missing, fails under CI (a broken install)."""
    if in_ci():
        import keras as module  # (CI must have keras: an ImportError here fails the run, not skips it)
    else:
        module = pytest.importorskip("keras", reason=f"Keras is not installed: {INSTALL} to run the cross-checks")
    if module.backend.backend() != "torch":
        pytest.skip(f"these cross-checks use Keras's torch backend, not {module.backend.backend()!r}: "
                    "unset KERAS_BACKEND or set it to torch")
    return module


# The same objective as the torch cross-checks: a rotated quadratic plus a quartic term.
from test_against_pytorch import STEPS, X0, assert_same_path, descent_path, gradient  # noqa: E402

KERAS_EPS = 1e-7  # Keras's default ε̂ for Adam, AdamW and RMSprop


@pytest.fixture(autouse=True, scope="module")
def float64_keras():
    """Keras, imported; in float64: Keras keeps lr in a variable of its floatx (float32 would round lr = 0.05 at 1e-9)."""
    global keras
    keras = import_keras()
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield
    keras.config.set_floatx(previous)


class KerasEpsHat:
    """A descent Adam (or AdamW) stepping as Keras does: at step t its ε is ε̂/√(1 − β₂ᵗ)."""

    def __init__(self, optimizer, eps_hat=KERAS_EPS):
        self.optimizer, self.eps_hat = optimizer, eps_hat

    def init(self, params):
        return self.optimizer.init(params)

    def update(self, grads, state, params=None):
        t = state.t + 1
        eps = self.eps_hat / math.sqrt(1 - self.optimizer.beta2**t)
        return dataclasses.replace(self.optimizer, eps=eps).update(grads, state, params)


def keras_path(make_optimizer, grads=None):
    """The path of a Keras optimizer from X0; gradients from ``gradient`` or a fixed stream."""
    x = keras.Variable(X0 if grads is None else np.array([1.0, -1.0, 0.5]), dtype="float64")
    opt = make_optimizer()
    path = [x.numpy().copy()]
    for g in (gradient(x.numpy()) for _ in range(STEPS)) if grads is None else grads:
        opt.apply([keras.ops.convert_to_tensor(g, dtype="float64")], [x])
        path.append(x.numpy().copy())
    return np.array(path)


PAIRS = {
    "sgd": (GradientDescent(lr=0.05), lambda: keras.optimizers.SGD(learning_rate=0.05)),
    "sgd momentum = heavy_ball": (
        Momentum(lr=0.02, beta=0.9, form="heavy_ball"),
        lambda: keras.optimizers.SGD(learning_rate=0.02, momentum=0.9),
    ),
    "sgd momentum = ewa with lr/(1-beta)": (
        Momentum(lr=0.02 / (1 - 0.9), beta=0.9, form="ewa"),
        lambda: keras.optimizers.SGD(learning_rate=0.02, momentum=0.9),
    ),
    "sgd nesterov": (
        Momentum(lr=0.02, beta=0.8, form="heavy_ball", nesterov=True),
        lambda: keras.optimizers.SGD(learning_rate=0.02, momentum=0.8, nesterov=True),
    ),
    "rmsprop (eps inside the root)": (
        # lr = 0.005: at 0.01 the path ends hovering at the minimum, where rounding (1e-16) grows to 1e-6
        RMSProp(lr=0.005, beta=0.9, eps=KERAS_EPS, eps_inside_sqrt=True),
        lambda: keras.optimizers.RMSprop(learning_rate=0.005),  # Keras's defaults: ρ = 0.9, ε = 1e-7
    ),
    "adam (eps hat)": (KerasEpsHat(Adam(lr=0.05)), lambda: keras.optimizers.Adam(learning_rate=0.05)),
    "adam betas, large eps hat": (
        KerasEpsHat(Adam(lr=0.02, beta1=0.8, beta2=0.99), eps_hat=1e-2),
        lambda: keras.optimizers.Adam(learning_rate=0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-2),
    ),
    "amsgrad (eps hat)": (
        KerasEpsHat(Adam(lr=0.05, amsgrad=True)),
        lambda: keras.optimizers.Adam(learning_rate=0.05, amsgrad=True),
    ),
    "adamw (eps hat)": (
        KerasEpsHat(AdamW(lr=0.05, weight_decay=0.1)),
        lambda: keras.optimizers.AdamW(learning_rate=0.05, weight_decay=0.1),
    ),
}


@pytest.mark.parametrize("name", PAIRS)
def test_same_path_as_keras(name):
    ours, theirs = PAIRS[name]
    assert_same_path(descent_path(ours), keras_path(theirs))


@pytest.mark.parametrize("name", PAIRS)
def test_same_steps_as_keras_on_a_fixed_gradient_stream(name):
    """Open loop: the same random gradients (1e-3 to 1e3 in scale, so ε matters) fed to both."""
    ours, theirs = PAIRS[name]
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(STEPS, 3)) * 10.0 ** rng.uniform(-3, 3, size=(STEPS, 1))
    x = np.array([1.0, -1.0, 0.5])
    state, mine = ours.init(x), [x]
    for g in grads:
        step, state = ours.update(g, state, x)
        x = x + step
        mine.append(x)
    np.testing.assert_allclose(np.array(mine), keras_path(theirs, grads), rtol=1e-12, atol=1e-12)


def test_keras_adam_is_not_algorithm_1_with_a_constant_eps():
    """With ε̂ comparable to the gradients, the ε-hat form and Algorithm 1 with ε = ε̂ part ways."""
    reference = keras_path(lambda: keras.optimizers.Adam(learning_rate=0.02, epsilon=1e-1))
    constant = descent_path(Adam(lr=0.02, eps=1e-1))
    assert np.abs(constant - reference).max() > 1e-3


def test_keras_defaults_are_the_ones_assumed_above():
    """ε̂ = 1e-7 (at t = 1 it acts as ε = 1e-7/√(1 − 0.999) ≈ 3.16e-6, 316 times PyTorch's 1e-8); ρ = 0.9."""
    adam, rmsprop = keras.optimizers.Adam(), keras.optimizers.RMSprop()
    assert (adam.epsilon, adam.beta_1, adam.beta_2) == (KERAS_EPS, Adam().beta1, Adam().beta2)
    assert (rmsprop.epsilon, rmsprop.rho) == (KERAS_EPS, 0.9)


def test_keras_rmsprop_is_not_eps_outside_the_root():
    """Keras's ε inside the root is not PyTorch's ε outside: with ε = 1e-2 the paths differ."""
    reference = keras_path(lambda: keras.optimizers.RMSprop(learning_rate=0.005, epsilon=1e-2))
    outside = descent_path(RMSProp(lr=0.005, beta=0.9, eps=1e-2))
    assert np.abs(outside - reference).max() > 1e-3

"""Check a learner's own update rule against the package, and say what differs.

An exercise asks the learner to write one step of an optimizer as a plain
function, for instance::

    def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
        ...
        return theta_new, m_new, v_new

and then calls ``check_adam_step(adam_step)``. The checker feeds the function a
stream of gradients (of mixed signs and scales), compares every returned
array with :mod:`descent`'s optimizer, and, when they differ, tries the usual
mistakes (wrong sign, ε inside the square root, no bias correction, t counted
from 0, ...) to name the one the learner made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .optimizers.adagrad import AdaGrad
from .optimizers.adam import Adam
from .optimizers.gradient_descent import GradientDescent
from .optimizers.momentum import Momentum
from .optimizers.rmsprop import RMSProp

RTOL = 1e-9


@dataclass(frozen=True)
class CheckResult:
    """What a check found: ``passed`` and a message written for the learner."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return ("✅ " if self.passed else "❌ ") + self.message


def _gradient_stream(steps: int = 12, size: int = 3, seed: int = 0) -> np.ndarray:
    """Gradients with both signs, a zero and scales from 1e-3 to 1e2, so that ε and signs matter."""
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(steps, size)) * 10.0 ** rng.uniform(-3, 2, size=(steps, 1))
    grads[3, 1] = 0.0
    return grads


def _reference_steps(optimizer, grads, theta0) -> list:
    """Run a descent optimizer and return, per step, θ_t and the state fields the learner returns."""
    theta, state = theta0, optimizer.init(theta0)
    records = []
    for g in grads:
        step, state = optimizer.update(g, state, theta)
        theta = theta + step
        records.append((theta, state))
    return records


def _run_learner(fn, grads, theta0, hyper, state_names, pass_t):
    """Call the learner's step function along the stream; return per-step tuples, or an error message."""
    theta = theta0.copy()
    state = [np.zeros_like(theta0) for _ in state_names]
    outputs = []
    for t, g in enumerate(grads, start=1):
        args = [theta.copy(), g.copy(), *(s.copy() for s in state)]
        if pass_t:
            args.append(t)
        try:
            result = fn(*args, **hyper)
        except Exception as error:  # the learner's code: report, never crash the notebook
            return None, f"your function raised {type(error).__name__}: {error} (at step t = {t})."
        result = result if isinstance(result, tuple) else (result,)
        expected = 1 + len(state_names)
        if len(result) != expected:
            names = ", ".join(["theta_new", *(f"{n}_new" for n in state_names)])
            return None, f"your function returned {len(result)} value(s); it should return {expected}: {names}."
        try:
            result = tuple(np.asarray(r, dtype=float) for r in result)
        except (TypeError, ValueError):
            return None, "your function returned something that is not an array of numbers."
        if any(r.shape != theta0.shape for r in result):
            return None, f"your function returned arrays of shapes {[r.shape for r in result]}; each should have the shape of theta, {theta0.shape}."
        theta, state = result[0], list(result[1:])
        outputs.append(result)
    return outputs, None


def _first_difference(outputs, expected, names):
    """The first (step, name, yours, expected) where the learner differs, or None."""
    for t, (mine, theirs) in enumerate(zip(outputs, expected), start=1):
        for name, a, b in zip(names, mine, theirs):
            if not np.allclose(a, b, rtol=RTOL, atol=1e-12, equal_nan=True):
                return t, name, a, b
    return None


def _check(fn, label, reference, mistakes, hyper, state_names, pass_t) -> CheckResult:
    """Shared engine: compare ``fn`` with ``reference``; on a mismatch, look for a known mistake.

    ``reference`` and every mistake are functions ``grads, theta0 -> list of per-step tuples``.
    """
    if not callable(fn):
        return CheckResult(False, f"expected a function, got {type(fn).__name__}.")
    grads = _gradient_stream()
    theta0 = np.array([0.5, -1.0, 2.0])
    # A wrong rule may divide by zero (t counted from 0); the message below explains it better than a warning.
    with np.errstate(all="ignore"):
        outputs, error = _run_learner(fn, grads, theta0, hyper, state_names, pass_t)
    if error:
        return CheckResult(False, error)
    expected = reference(grads, theta0)
    names = ["theta", *state_names]
    diff = _first_difference(outputs, expected, names)
    if diff is None:
        return CheckResult(True, f"{fn.__name__} matches descent.{label} on all {len(grads)} steps. Well done!")
    for explanation, mistake in mistakes:
        if _first_difference(outputs, mistake(grads, theta0), names) is None:
            return CheckResult(False, f"{fn.__name__} differs from descent.{label}: {explanation}")
    t, name, mine, theirs = diff
    return CheckResult(
        False,
        f"{fn.__name__} differs from descent.{label} first at step t = {t}, in {name}: "
        f"you returned {np.array2string(mine, precision=6)}, expected {np.array2string(theirs, precision=6)}. "
        "Compare your lines with the update rule in the text, one at a time.",
    )


def _from_optimizer(optimizer, fields):
    """A reference (grads, theta0) -> per-step tuples from a descent optimizer and its state fields."""

    def run(grads, theta0):
        return [(theta, *(getattr(state, f) for f in fields)) for theta, state in _reference_steps(optimizer, grads, theta0)]

    return run


def _manual(step_fn, n_state, pass_t=False):
    """A reference from a plain step function (used for the catalogue of mistakes)."""

    def run(grads, theta0):
        theta, state, out = theta0, [np.zeros_like(theta0)] * n_state, []
        for t, g in enumerate(grads, start=1):
            result = step_fn(theta, g, *state, t) if pass_t else step_fn(theta, g, *state)
            theta, state = result[0], list(result[1:])
            out.append(result)
        return out

    return run


def check_gd_step(fn: Callable, lr: float = 0.1) -> CheckResult:
    """Check ``fn(theta, g, lr) -> theta_new`` against θ_t = θ_{t−1} − α g_t."""
    mistakes = [
        ("your step goes uphill: the update subtracts α·g, it does not add it.", _manual(lambda th, g: (th + lr * g,), 0)),
        ("the learning rate is missing: the step is −α·g, not −g.", _manual(lambda th, g: (th - g,), 0)),
    ]
    return _check(fn, f"GradientDescent(lr={lr})", _from_optimizer(GradientDescent(lr), []), mistakes, {"lr": lr}, [], False)


def check_momentum_step(fn: Callable, lr: float = 0.1, beta: float = 0.9) -> CheckResult:
    """Check ``fn(theta, g, v, lr, beta) -> (theta_new, v_new)`` against average-form momentum.

    v_t = β v_{t−1} + (1 − β) g_t,  θ_t = θ_{t−1} − α v_t.
    """
    mistakes = [
        (
            "you wrote the heavy-ball form v = βv + g; this exercise uses the average v = βv + (1 − β)g "
            "(the two differ by a factor 1/(1 − β) on the learning rate).",
            _manual(lambda th, g, v: (th - lr * (beta * v + g), beta * v + g), 1),
        ),
        (
            "β and 1 − β are swapped: the old velocity is weighted by β, the new gradient by 1 − β.",
            _manual(lambda th, g, v: (th - lr * ((1 - beta) * v + beta * g), (1 - beta) * v + beta * g), 1),
        ),
        (
            "the step uses the old velocity v_{t−1}; update v first, then step with the new v_t.",
            _manual(lambda th, g, v: (th - lr * v, beta * v + (1 - beta) * g), 1),
        ),
        (
            "your step goes uphill: θ moves by −α·v.",
            _manual(lambda th, g, v: (th + lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g), 1),
        ),
    ]
    reference = _from_optimizer(Momentum(lr, beta, form="ewa"), ["velocity"])
    return _check(fn, f"Momentum(lr={lr}, beta={beta})", reference, mistakes, {"lr": lr, "beta": beta}, ["v"], False)


def check_adagrad_step(fn: Callable, lr: float = 0.1, eps: float = 1e-8) -> CheckResult:
    """Check ``fn(theta, g, s, lr, eps) -> (theta_new, s_new)``: s_t = s_{t−1} + g_t², θ_t = θ_{t−1} − α g_t/(√s_t + ε)."""
    mistakes = [
        (
            "the square root is missing: divide g by √s + ε, not by s + ε.",
            _manual(lambda th, g, s: (th - lr * g / (s + g * g + eps), s + g * g), 1),
        ),
        (
            "ε is inside the square root; here it goes outside: g/(√s + ε).",
            _manual(lambda th, g, s: (th - lr * g / np.sqrt(s + g * g + eps), s + g * g), 1),
        ),
        (
            "s must add the square g², not g itself.",
            _manual(lambda th, g, s: (th - lr * g / (np.sqrt(np.abs(s + g)) + eps), s + g), 1),
        ),
    ]
    reference = _from_optimizer(AdaGrad(lr, eps), ["s"])
    return _check(fn, f"AdaGrad(lr={lr}, eps={eps})", reference, mistakes, {"lr": lr, "eps": eps}, ["s"], False)


def check_rmsprop_step(fn: Callable, lr: float = 0.01, beta: float = 0.9, eps: float = 1e-8) -> CheckResult:
    """Check ``fn(theta, g, v, lr, beta, eps) -> (theta_new, v_new)`` against RMSProp with ε outside the root.

    v_t = β v_{t−1} + (1 − β) g_t²,  θ_t = θ_{t−1} − α g_t/(√v_t + ε).
    """

    def avg(v, g):
        return beta * v + (1 - beta) * g * g

    mistakes = [
        (
            "ε is inside the square root (the Keras/optax convention); this exercise, like PyTorch and Adam's "
            "Algorithm 1, puts it outside: g/(√v + ε). With ε this small the difference shows on tiny gradients.",
            _manual(lambda th, g, v: (th - lr * g / np.sqrt(avg(v, g) + eps), avg(v, g)), 1),
        ),
        (
            "the square root is missing: divide by √v + ε.",
            _manual(lambda th, g, v: (th - lr * g / (avg(v, g) + eps), avg(v, g)), 1),
        ),
        (
            "the average must be of g², not g.",
            _manual(lambda th, g, v: (th - lr * g / (np.sqrt(np.abs(beta * v + (1 - beta) * g)) + eps), beta * v + (1 - beta) * g), 1),
        ),
        (
            "β and 1 − β are swapped in the average of g².",
            _manual(lambda th, g, v: (th - lr * g / (np.sqrt((1 - beta) * v + beta * g * g) + eps), (1 - beta) * v + beta * g * g), 1),
        ),
        (
            "the step divides by the old average v_{t−1}; update v first.",
            _manual(lambda th, g, v: (th - lr * g / (np.sqrt(v) + eps), avg(v, g)), 1),
        ),
    ]
    reference = _from_optimizer(RMSProp(lr, beta, eps), ["v"])
    hyper = {"lr": lr, "beta": beta, "eps": eps}
    return _check(fn, f"RMSProp(lr={lr}, beta={beta}, eps={eps})", reference, mistakes, hyper, ["v"], False)


def check_adam_step(fn: Callable, lr: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> CheckResult:
    """Check ``fn(theta, g, m, v, t, lr, beta1, beta2, eps) -> (theta_new, m_new, v_new)`` against Algorithm 1.

    ``t`` is the number of the step being taken: 1 on the first call. m and v
    are returned uncorrected; the bias correction is used only for the step.
    """

    def adam_variant(correct=True, eps_inside=False, t_shift=0, sign=-1.0, corrected_state=False):
        def step(th, g, m, v, t):
            t = t + t_shift
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            c1, c2 = (1 - beta1**t, 1 - beta2**t) if correct else (1.0, 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                m_hat, v_hat = m / c1, v / c2
                denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
                new = th + sign * lr * m_hat / denom
            return (new, m_hat, v_hat) if corrected_state else (new, m, v)

        return _manual(step, 2, pass_t=True)

    r1, r2 = (1 - beta1) / math.sqrt(1 - beta2), 1 / (1 - beta1)
    mistakes = [
        (
            f"there is no bias correction: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ before the step. Without it "
            f"the first step is (1 − β₁)/√(1 − β₂) ≈ {r1:.2f} times too large here.",
            adam_variant(correct=False),
        ),
        (
            "t is counted from 0: on the first call t = 1, so the corrections are 1 − β₁¹ and 1 − β₂¹ "
            "(with t = 0 they would divide by zero).",
            adam_variant(t_shift=-1),
        ),
        ("t is one too large: the first step uses t = 1.", adam_variant(t_shift=1)),
        ("ε is inside the square root; Algorithm 1 adds it outside: m̂/(√v̂ + ε).", adam_variant(eps_inside=True)),
        ("your step goes uphill: θ moves by −α·m̂/(√v̂ + ε).", adam_variant(sign=1.0)),
        (
            "you return the bias-corrected m̂ and v̂ as the new state; keep the raw m and v (the correction "
            f"is applied afresh at every step, otherwise m grows by up to {r2:.0f}× over the first steps).",
            adam_variant(corrected_state=True),
        ),
    ]
    reference = _from_optimizer(Adam(lr, beta1, beta2, eps), ["m", "v"])
    hyper = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}
    label = f"Adam(lr={lr}, beta1={beta1}, beta2={beta2}, eps={eps})"
    return _check(fn, label, reference, mistakes, hyper, ["m", "v"], True)

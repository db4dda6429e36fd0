"""Benchmarks (pytest-benchmark). They run once as plain tests in the test suite
(`--benchmark-disable` in pyproject.toml) and are timed with

    pytest tests/test_benchmarks.py --benchmark-enable --benchmark-only

The target, read from the figures and written in README.md, is that
`minimize` costs at most twice the same Adam loop written bare in numpy.
Nothing here asserts a time: a loaded machine must not fail the tests.
"""

import numpy as np
import pytest

from descent import Adam, Rosenbrock, minimize

STEPS = 2000
X0 = (-1.5, 2.0)
LR, B1, B2, EPS = 0.01, 0.9, 0.999, 1e-8
f = Rosenbrock()


def bare_numpy_adam():
    """Algorithm 1 written inline, recording nothing: the floor minimize is compared with."""
    x, m, v = np.array(X0), np.zeros(2), np.zeros(2)
    for t in range(1, STEPS + 1):
        g = f.grad(x)
        m = B1 * m + (1 - B1) * g
        v = B2 * v + (1 - B2) * g * g
        x = x - LR * (m / (1 - B1**t)) / (np.sqrt(v / (1 - B2**t)) + EPS)
        f(x)  # minimize evaluates the loss at every point too
    return x


@pytest.mark.benchmark(group="adam-rosenbrock-2000-steps")
def test_minimize(benchmark):
    run = benchmark(minimize, f, X0, Adam(lr=LR), STEPS)
    np.testing.assert_allclose(run.final_point, bare_numpy_adam(), rtol=1e-12)


@pytest.mark.benchmark(group="adam-rosenbrock-2000-steps")
def test_bare_numpy_loop(benchmark):
    x = benchmark(bare_numpy_adam)
    assert f(x) < f(np.array(X0))


@pytest.mark.benchmark(group="adam-rosenbrock-2000-steps")
def test_torch_optim_adam(benchmark):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: pip install torch==2.13.0")

    def torch_loop():
        x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([x], lr=LR)
        for _ in range(STEPS):
            opt.zero_grad()
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            opt.step()
        return x.detach().numpy()

    np.testing.assert_allclose(benchmark(torch_loop), bare_numpy_adam(), rtol=1e-9)


@pytest.mark.benchmark(group="one-update-1e6-parameters")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adam_update_of_a_million_parameters(benchmark, dtype):
    rng = np.random.default_rng(0)
    params = rng.normal(size=1_000_000).astype(dtype)
    grads = rng.normal(size=1_000_000).astype(dtype)
    opt = Adam()
    state = opt.init(params)
    step, new_state = benchmark(opt.update, grads, state, params)
    assert step.dtype == dtype and new_state.t == 1
    # First step: m̂ = g and √v̂ = |g|, so the step is −α g/(|g| + ε).
    np.testing.assert_allclose(step, -opt.lr * grads / (np.abs(grads) + opt.eps), rtol=1e-5)

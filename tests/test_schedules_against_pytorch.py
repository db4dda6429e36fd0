"""Scheduled optimizers against torch.optim with torch.optim.lr_scheduler.LambdaLR, in float64."""

import numpy as np
import pytest

from descent import Adam, AdamW, GradientDescent, Momentum
from descent.schedules import Cosine, InverseTime, LinearWarmup, Scheduled, StepDecay

from test_against_pytorch import TORCH_MISSING

torch = None  # imported when the first test runs (torch_imported), not at collection: 2.5 s in every xdist worker


@pytest.fixture(autouse=True, scope="module")
def torch_imported():
    global torch
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)

A = np.array([[3.0, 1.0], [1.0, 0.5]])
X0 = np.array([1.5, -2.0])
STEPS = 120


def descent_path(optimizer):
    x, path = X0.copy(), [X0.copy()]
    state = optimizer.init(x)
    for _ in range(STEPS):
        step, state = optimizer.update(A @ x + x**3, state, x)
        x = x + step
        path.append(x)
    return np.array(path)


def torch_path(make_optimizer, schedule):
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([x])
    # LambdaLR multiplies the initial lr by lambda(epoch), epoch = 0 before the first step: η_{epoch+1}.
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: schedule(epoch + 1))
    a = torch.tensor(A, dtype=torch.float64)
    path = [X0.copy()]
    for _ in range(STEPS):
        opt.zero_grad()
        (0.5 * x @ a @ x + 0.25 * (x**4).sum()).backward()
        opt.step()
        scheduler.step()
        path.append(x.detach().numpy().copy())
    return np.array(path)


CASES = {
    "sgd, step decay": (GradientDescent(0.05), lambda p: torch.optim.SGD(p, lr=0.05), StepDecay(30, 0.5)),
    "momentum, 1/t": (Momentum(0.02, 0.9, form="heavy_ball"), lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9),
                      InverseTime(20.0)),
    "adam, warmup + cosine": (Adam(0.05), lambda p: torch.optim.Adam(p, lr=0.05), LinearWarmup(10, Cosine(100))),
    "adamw, cosine": (AdamW(0.05, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1),
                      Cosine(STEPS, floor=0.1)),
}


@pytest.mark.parametrize("name", CASES)
def test_same_path_as_torch_with_lambda_lr(name):
    optimizer, make_torch, schedule = CASES[name]
    np.testing.assert_allclose(descent_path(Scheduled(optimizer, schedule)), torch_path(make_torch, schedule),
                               rtol=1e-10, atol=1e-12)


def test_cosine_equals_torch_cosine_annealing():
    x = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([x], lr=1.0)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40, eta_min=0.1)
    ours = Cosine(40, floor=0.1)
    for t in range(1, 41):
        assert opt.param_groups[0]["lr"] == pytest.approx(ours(t), abs=1e-12)
        opt.step()
        scheduler.step()

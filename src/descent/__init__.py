"""descent: gradient descent to Adam, written to be read and tested against the math.

The optimizers follow one contract (see :mod:`descent.optimizers.base`)::

    state = optimizer.init(params)
    step, state = optimizer.update(grads, state, params)
    params = params + step
"""

from .checks import (
    CheckResult,
    check_adagrad_step,
    check_adam_step,
    check_gd_step,
    check_momentum_step,
    check_rmsprop_step,
)
from .optimizers.adagrad import AdaGrad, AdaGradState, adagrad_rule
from .optimizers.adam import Adam, AdamState, AdamW, adam_rule
from .optimizers.gradient_descent import GradientDescent, GradientDescentState, gd_rule
from .optimizers.momentum import Momentum, MomentumState, momentum_rule
from .optimizers.rmsprop import RMSProp, RMSPropState, rmsprop_rule
from .tree import tree_add, tree_map
from .objectives import Beale, Himmelblau, LinearRegressionMSE, Objective, Quadratic, Rosenbrock, Saddle
from .run import Run, minimize
from .replay import Replay, replay
from .plots import plot_contours, plot_losses, plot_moments
from .models import MLP, LinearRegression, SoftmaxRegression
from .training import History, train

__all__ = [
    "CheckResult",
    "check_adagrad_step",
    "check_adam_step",
    "check_gd_step",
    "check_momentum_step",
    "check_rmsprop_step",
    "AdaGrad",
    "AdaGradState",
    "Adam",
    "AdamState",
    "AdamW",
    "Momentum",
    "MomentumState",
    "RMSProp",
    "RMSPropState",
    "GradientDescent",
    "GradientDescentState",
    "gd_rule",
    "momentum_rule",
    "adagrad_rule",
    "rmsprop_rule",
    "adam_rule",
    "tree_add",
    "tree_map",
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "Saddle",
    "Himmelblau",
    "Beale",
    "LinearRegressionMSE",
    "Run",
    "minimize",
    "Replay",
    "replay",
    "plot_contours",
    "plot_losses",
    "plot_moments",
    "LinearRegression",
    "SoftmaxRegression",
    "MLP",
    "History",
    "train",
]

"""descent: gradient descent to Adam, written to be read and tested against the math.

The optimizers follow one contract (see :mod:`descent.optimizers.base`)::

    state = optimizer.init(params)
    step, state = optimizer.update(grads, state, params)
    params = params + step
"""

from .optimizers.adagrad import AdaGrad, AdaGradState
from .optimizers.adam import Adam, AdamState, AdamW
from .optimizers.gradient_descent import GradientDescent, GradientDescentState
from .optimizers.momentum import Momentum, MomentumState
from .optimizers.rmsprop import RMSProp, RMSPropState
from .tree import tree_add, tree_map
from .models import MLP, LinearRegression, SoftmaxRegression
from .training import History, train

__all__ = [
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
    "tree_add",
    "tree_map",
    "LinearRegression",
    "SoftmaxRegression",
    "MLP",
    "History",
    "train",
]

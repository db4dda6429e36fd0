"""Models with hand-derived gradients, for the optimizers to train.

Every model has the same interface, so :func:`descent.train` works with any::

    params = model.init_params(n_features, seed)       # dict of arrays
    loss = model.loss(params, X, y)                     # float
    loss, grads = model.loss_and_grad(params, X, y)     # grads: same keys and shapes
    predictions = model.predict(params, X)

The classifiers also have ``predict_proba`` and ``accuracy``.
"""

from .cross_entropy import log_softmax, softmax
from .linear_regression import LinearRegression
from .mlp import MLP
from .softmax_regression import SoftmaxRegression

__all__ = ["LinearRegression", "MLP", "SoftmaxRegression", "log_softmax", "softmax"]

r"""Linear regression with the mean squared error, gradients derived by hand.

Model and loss for n samples xᵢ ∈ ℝᵈ with real targets yᵢ, parameters
θ = (w, b) with w ∈ ℝᵈ and b ∈ ℝ:

.. math::

    \hat y_i = w^\top x_i + b, \qquad
    f(w, b) = \frac{1}{n} \sum_{i=1}^n (\hat y_i - y_i)^2 .

There is no ½ in front, to match :class:`descent.objectives.LinearRegressionMSE`
and scikit-learn's ``mean_squared_error``; so the gradient carries a 2:

.. math::

    \nabla_w f = \frac{2}{n} X^\top r, \qquad
    \frac{\partial f}{\partial b} = \frac{2}{n} \sum_i r_i, \qquad r = Xw + b - y .

The gradient vanishes exactly at the least-squares solution (the normal
equations), which is what the tests compare training to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..loops import rng_from_seed
from ..validation import require_positive_int
from ._inputs import require_float_dtype, require_params_and_features, require_targets


@dataclass(frozen=True)
class LinearRegression:
    """ŷ = w·x + b fitted by mean squared error; params ``{"weights": (d,), "bias": ()}``."""

    @staticmethod
    def param_shapes(n_features: int) -> dict:
        """The shape of each parameter for inputs with ``n_features`` columns."""
        return {"weights": (n_features,), "bias": ()}

    def init_params(self, n_features: int, seed=0, *, dtype=np.float64) -> dict:
        """Small random weights w ~ N(0, 0.01²) and b = 0.

        The loss is convex, so the start changes the path but not where it
        ends; starting near zero (not at exactly zero) lets ``seed`` give
        different paths to plot.
        """
        n_features = require_positive_int("n_features", n_features)
        dtype = require_float_dtype(dtype)
        rng = rng_from_seed(seed)
        return {
            "weights": (0.01 * rng.standard_normal(n_features)).astype(dtype),
            "bias": np.zeros((), dtype=dtype),
        }

    def predict(self, params: dict, X) -> np.ndarray:
        """ŷ = Xw + b, one prediction per row of X."""
        params, X = require_params_and_features(params, X, self.param_shapes)
        return X @ params["weights"] + params["bias"]

    def _residual(self, params: dict, X, y) -> tuple[np.ndarray, np.ndarray]:
        """The checked X (in the params' dtype) and the residual r = Xw + b − y."""
        params, X = require_params_and_features(params, X, self.param_shapes)
        y = require_targets(y, len(X), X.dtype)
        return X, X @ params["weights"] + params["bias"] - y

    def loss(self, params: dict, X, y) -> float:
        """f = mean((Xw + b − y)²), no ½."""
        _, residual = self._residual(params, X, y)
        return float(np.mean(residual**2))

    def loss_and_grad(self, params: dict, X, y) -> tuple[float, dict]:
        """f and ∇f = {"weights": (2/n) Xᵀr, "bias": (2/n) Σ rᵢ} with r = Xw + b − y."""
        X, residual = self._residual(params, X, y)
        n = len(X)
        grads = {
            "weights": (2 / n) * (X.T @ residual),
            # A 0-d array (not a numpy scalar), with the residual's dtype so float32 stays float32.
            "bias": np.asarray((2 / n) * residual.sum(), dtype=residual.dtype),
        }
        return float(np.mean(residual**2)), grads

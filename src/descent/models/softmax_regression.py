r"""Multinomial logistic (softmax) regression with an L2 penalty, gradients by hand.

For n samples xᵢ ∈ ℝᵈ with class labels yᵢ ∈ {0, …, K−1} and parameters
θ = (W, b), W ∈ ℝ^{d×K}, b ∈ ℝᴷ, the logits are Z = XW + b and

.. math::

    f(W, b) = \frac{1}{n} \sum_{i=1}^n \Bigl(\log \sum_k e^{Z_{ik}} - Z_{i y_i}\Bigr)
              + \frac{\lambda}{2} \lVert W \rVert_F^2 .

The penalty (λ = ``l2``) covers the weights only, not the bias: shrinking b
would pull the predicted class frequencies towards uniform without making the
decision boundaries any simpler. With P = softmax(Z) and Y the one-hot labels,

.. math::

    \nabla_W f = \tfrac{1}{n} X^\top (P - Y) + \lambda W, \qquad
    \nabla_b f = \tfrac{1}{n} \textstyle\sum_i (P_i - Y_i).

Each row of P − Y sums to zero, so ∇_b f sums to zero over the classes (and
so does each row of ∇_W f when λ = 0): adding the same constant to every
class's logit changes no probability, so the loss is flat in that direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..loops import rng_from_seed
from ..validation import require_nonnegative, require_positive_int
from ._inputs import require_float_dtype, require_labels, require_params_and_features
from .cross_entropy import cross_entropy, cross_entropy_and_grad, softmax


@dataclass(frozen=True)
class SoftmaxRegression:
    """Linear classifier over ``n_classes`` classes; params ``{"weights": (d, K), "bias": (K,)}``.

    ``l2`` is λ in the penalty (λ/2)‖W‖²; the bias is not penalised.
    Labels are integer class indices 0 .. n_classes − 1, not one-hot rows.
    """

    n_classes: int
    l2: float = 0.0

    def __post_init__(self):
        n_classes = require_positive_int("n_classes", self.n_classes)
        object.__setattr__(self, "n_classes", n_classes)
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2 (one class leaves nothing to predict), got {n_classes}")
        object.__setattr__(self, "l2", require_nonnegative("l2", self.l2))

    def param_shapes(self, n_features: int) -> dict:
        """The shape of each parameter for inputs with ``n_features`` columns."""
        return {"weights": (n_features, self.n_classes), "bias": (self.n_classes,)}

    def init_params(self, n_features: int, seed=0, *, dtype=np.float64) -> dict:
        """Small random weights W ~ N(0, 0.01²) and b = 0.

        The loss is convex, so any start reaches the same minimum (unique when
        λ > 0); near zero every class starts equally likely.
        """
        n_features = require_positive_int("n_features", n_features)
        dtype = require_float_dtype(dtype)
        rng = rng_from_seed(seed)
        return {
            "weights": (0.01 * rng.standard_normal((n_features, self.n_classes))).astype(dtype),
            "bias": np.zeros(self.n_classes, dtype=dtype),
        }

    def _logits(self, params: dict, X) -> tuple[dict, np.ndarray, np.ndarray]:
        params, X = require_params_and_features(params, X, self.param_shapes)
        return params, X, X @ params["weights"] + params["bias"]

    def _penalty(self, weights: np.ndarray) -> float:
        return 0.5 * self.l2 * float(np.sum(weights**2))

    def predict_proba(self, params: dict, X) -> np.ndarray:
        """P = softmax(XW + b), shape (n, K); each row sums to 1."""
        return softmax(self._logits(params, X)[2])

    def predict(self, params: dict, X) -> np.ndarray:
        """The most probable class of each row, argmax_k Z_ik."""
        return np.argmax(self._logits(params, X)[2], axis=1)

    def accuracy(self, params: dict, X, y) -> float:
        """The fraction of rows whose predicted class equals y."""
        predicted = self.predict(params, X)
        return float(np.mean(predicted == require_labels(y, len(predicted), self.n_classes)))

    def loss(self, params: dict, X, y) -> float:
        """Mean cross-entropy + (λ/2)‖W‖²."""
        params, X, logits = self._logits(params, X)
        y = require_labels(y, len(X), self.n_classes)
        return cross_entropy(logits, y) + self._penalty(params["weights"])

    def loss_and_grad(self, params: dict, X, y) -> tuple[float, dict]:
        """The loss and {"weights": Xᵀ(P − Y)/n + λW, "bias": Σᵢ(Pᵢ − Yᵢ)/n}."""
        params, X, logits = self._logits(params, X)
        y = require_labels(y, len(X), self.n_classes)
        data_loss, dlogits = cross_entropy_and_grad(logits, y)
        grads = {
            "weights": X.T @ dlogits + self.l2 * params["weights"],
            "bias": dlogits.sum(axis=0),
        }
        return data_loss + self._penalty(params["weights"]), grads

r"""A one-hidden-layer neural network (multilayer perceptron) with backpropagation by hand.

For inputs X ∈ ℝ^{n×d}, a hidden layer of h units with activation σ (ReLU or
tanh) and a softmax output over K classes:

.. math::

    A = X W_1 + b_1, \quad H = \sigma(A), \quad Z = H W_2 + b_2, \quad P = \operatorname{softmax}(Z),

    f(\theta) = \frac{1}{n} \sum_i -\log P_{i y_i}
                + \frac{\lambda}{2}\bigl(\lVert W_1 \rVert_F^2 + \lVert W_2 \rVert_F^2\bigr),

with θ = (W₁, b₁, W₂, b₂) stored as ``hidden_weights`` (d, h), ``hidden_bias``
(h,), ``output_weights`` (h, K), ``output_bias`` (K,). As in
:mod:`descent.models.softmax_regression`, λ (``l2``) penalises weights, not biases.

Backpropagation is the chain rule applied from the loss backwards, reusing
each intermediate result of the forward pass:

.. math::

    \delta_Z = (P - Y)/n, \qquad
    \nabla_{W_2} f = H^\top \delta_Z + \lambda W_2, \qquad \nabla_{b_2} f = \textstyle\sum_i \delta_{Z,i},

    \delta_A = (\delta_Z W_2^\top) \odot \sigma'(A), \qquad
    \nabla_{W_1} f = X^\top \delta_A + \lambda W_1, \qquad \nabla_{b_1} f = \textstyle\sum_i \delta_{A,i},

where σ'(a) = [a > 0] for ReLU (taking 0 at the kink a = 0, a valid
subgradient) and σ'(a) = 1 − tanh²(a) for tanh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..loops import rng_from_seed
from ..validation import require_choice, require_nonnegative, require_positive_int
from ._inputs import require_float_dtype, require_labels, require_params_and_features
from .cross_entropy import cross_entropy, cross_entropy_and_grad, softmax

ACTIVATIONS = ("relu", "tanh")


@dataclass(frozen=True)
class MLP:
    """Input → ``n_hidden`` units (``activation``) → softmax over ``n_classes``.

    ``l2`` is λ in the penalty (λ/2)(‖W₁‖² + ‖W₂‖²); biases are not penalised.
    Labels are integer class indices 0 .. n_classes − 1.
    """

    n_hidden: int
    n_classes: int
    activation: str = "relu"
    l2: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "n_hidden", require_positive_int("n_hidden", self.n_hidden))
        n_classes = require_positive_int("n_classes", self.n_classes)
        object.__setattr__(self, "n_classes", n_classes)
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2 (one class leaves nothing to predict), got {n_classes}")
        object.__setattr__(self, "activation", require_choice("activation", self.activation, ACTIVATIONS))
        object.__setattr__(self, "l2", require_nonnegative("l2", self.l2))

    def param_shapes(self, n_features: int) -> dict:
        """The shape of each parameter for inputs with ``n_features`` columns."""
        return {
            "hidden_weights": (n_features, self.n_hidden),
            "hidden_bias": (self.n_hidden,),
            "output_weights": (self.n_hidden, self.n_classes),
            "output_bias": (self.n_classes,),
        }

    def init_params(self, n_features: int, seed=0, *, dtype=np.float64) -> dict:
        """Random weights scaled to the layer's fan-in/fan-out, zero biases.

        Unlike the convex models, an MLP cannot start at zero: every hidden
        unit would compute the same thing and receive the same gradient
        forever. The scale keeps activations from shrinking or exploding
        layer by layer:

        * ReLU hidden layer: He et al. (2015), W₁ ~ N(0, 2/d), since ReLU
          zeroes about half of its inputs and so halves their variance;
        * tanh hidden layer and the (linear) output layer: Glorot & Bengio
          (2010), W ~ N(0, 2/(fan_in + fan_out)).
        """
        n_features = require_positive_int("n_features", n_features)
        dtype = require_float_dtype(dtype)
        rng = rng_from_seed(seed)
        if self.activation == "relu":
            hidden_std = np.sqrt(2 / n_features)
        else:
            hidden_std = np.sqrt(2 / (n_features + self.n_hidden))
        output_std = np.sqrt(2 / (self.n_hidden + self.n_classes))
        return {
            "hidden_weights": (hidden_std * rng.standard_normal((n_features, self.n_hidden))).astype(dtype),
            "hidden_bias": np.zeros(self.n_hidden, dtype=dtype),
            "output_weights": (output_std * rng.standard_normal((self.n_hidden, self.n_classes))).astype(dtype),
            "output_bias": np.zeros(self.n_classes, dtype=dtype),
        }

    def _forward(self, params: dict, X):
        """The checked params and X, and A (pre-activation), H (hidden) and Z (logits)."""
        params, X = require_params_and_features(params, X, self.param_shapes)
        pre_activation = X @ params["hidden_weights"] + params["hidden_bias"]
        if self.activation == "relu":
            hidden = np.maximum(pre_activation, 0)
        else:
            hidden = np.tanh(pre_activation)
        logits = hidden @ params["output_weights"] + params["output_bias"]
        return params, X, pre_activation, hidden, logits

    def _penalty(self, params: dict) -> float:
        squared_norms = np.sum(params["hidden_weights"] ** 2) + np.sum(params["output_weights"] ** 2)
        return 0.5 * self.l2 * float(squared_norms)

    def predict_proba(self, params: dict, X) -> np.ndarray:
        """P = softmax(Z), shape (n, K); each row sums to 1."""
        return softmax(self._forward(params, X)[-1])

    def predict(self, params: dict, X) -> np.ndarray:
        """The most probable class of each row."""
        return np.argmax(self._forward(params, X)[-1], axis=1)

    def accuracy(self, params: dict, X, y) -> float:
        """The fraction of rows whose predicted class equals y."""
        predicted = self.predict(params, X)
        return float(np.mean(predicted == require_labels(y, len(predicted), self.n_classes)))

    def loss(self, params: dict, X, y) -> float:
        """Mean cross-entropy + (λ/2)(‖W₁‖² + ‖W₂‖²)."""
        params, X, _, _, logits = self._forward(params, X)
        y = require_labels(y, len(X), self.n_classes)
        return cross_entropy(logits, y) + self._penalty(params)

    def loss_and_grad(self, params: dict, X, y) -> tuple[float, dict]:
        """The loss and its gradient for every parameter, by backpropagation (see the module docstring)."""
        params, X, pre_activation, hidden, logits = self._forward(params, X)
        y = require_labels(y, len(X), self.n_classes)
        data_loss, d_logits = cross_entropy_and_grad(logits, y)

        # Output layer: Z = H W₂ + b₂.
        grad_output_weights = hidden.T @ d_logits + self.l2 * params["output_weights"]
        grad_output_bias = d_logits.sum(axis=0)

        # Back through W₂ to the hidden units, then through the activation.
        d_hidden = d_logits @ params["output_weights"].T
        if self.activation == "relu":
            d_pre_activation = d_hidden * (pre_activation > 0)
        else:
            d_pre_activation = d_hidden * (1 - hidden**2)  # tanh' = 1 − tanh², reusing H

        # Hidden layer: A = X W₁ + b₁.
        grad_hidden_weights = X.T @ d_pre_activation + self.l2 * params["hidden_weights"]
        grad_hidden_bias = d_pre_activation.sum(axis=0)

        grads = {
            "hidden_weights": grad_hidden_weights,
            "hidden_bias": grad_hidden_bias,
            "output_weights": grad_output_weights,
            "output_bias": grad_output_bias,
        }
        return data_loss + self._penalty(params), grads

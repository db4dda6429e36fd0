r"""Softmax and the cross-entropy loss, computed without overflow.

For logits z ∈ ℝᴷ of one sample with true class y,

.. math::

    \operatorname{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, \qquad
    \ell(z, y) = -\log \operatorname{softmax}(z)_y = \log \sum_j e^{z_j} - z_y,

and the gradient with respect to the logits is the famous "prediction minus
truth": ∂ℓ/∂z_k = softmax(z)_k − [k = y]. Its entries sum to zero over k,
because both the probabilities and the one-hot vector sum to one.
"""

from __future__ import annotations

import numpy as np


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax(z) along the last axis, stable for large |z|.

    Subtracting m = max_k z_k first changes nothing mathematically (the factor
    e^{−m} cancels between numerator and denominator) but the largest exponent
    becomes e⁰ = 1, so ``exp`` cannot overflow and the sum is at least 1, so
    ``log`` never sees 0.
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities softmax(z) along the last axis; each row sums to 1."""
    return np.exp(log_softmax(logits))


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean over samples of −log softmax(z_i)_{y_i}; ``logits`` has shape (n, K)."""
    rows = np.arange(len(labels))
    return float(-log_softmax(logits)[rows, labels].mean())


def cross_entropy_and_grad(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean cross-entropy and its gradient with respect to ``logits``.

    The gradient of the mean is (softmax(Z) − Y)/n, where Y holds the one-hot
    rows of ``labels``: the 1/n comes from averaging over the n samples.
    """
    n = len(labels)
    rows = np.arange(n)
    log_probs = log_softmax(logits)
    loss = float(-log_probs[rows, labels].mean())
    dlogits = np.exp(log_probs)
    dlogits[rows, labels] -= 1
    return loss, dlogits / n

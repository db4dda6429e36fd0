"""Flat vectors for SciPy: the round trip, the gradient, and the L-BFGS optimum."""

import numpy as np
import pytest

from descent import LinearRegression, MLP, SoftmaxRegression
from descent.lbfgs import Flattener, flat_loss_and_grad, lbfgs_minimum


def classification_data(n=80, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.argmax(X @ rng.standard_normal((d, k)) + 0.5 * rng.standard_normal((n, k)), axis=1)
    return X, y


def test_round_trip_of_a_dict_keeps_keys_order_shapes_and_values():
    params = {"w": np.arange(6.0).reshape(2, 3), "b": np.array(6.0), "z": np.array([7.0, 8.0])}
    flat = Flattener.like(params)
    z = flat.flatten(params)
    np.testing.assert_array_equal(z, np.arange(9.0))
    back = flat.unflatten(z)
    assert list(back) == ["w", "b", "z"]
    for key in params:
        assert back[key].shape == params[key].shape
        np.testing.assert_array_equal(back[key], params[key])
    assert flat.size == 9


def test_round_trip_of_a_model_and_of_a_plain_array():
    model = MLP(4, 3)
    params = model.init_params(5, seed=1)
    flat = Flattener.like(params)
    back = flat.unflatten(flat.flatten(params))
    for key in params:
        np.testing.assert_array_equal(back[key], params[key])
    array = np.arange(12.0).reshape(3, 4)
    flat_array = Flattener.like(array)
    np.testing.assert_array_equal(flat_array.unflatten(flat_array.flatten(array)), array)


def test_unflatten_returns_copies():
    params = {"a": np.zeros(3)}
    flat = Flattener.like(params)
    z = np.ones(3)
    back = flat.unflatten(z)
    z[0] = 5.0
    assert back["a"][0] == 1.0


def test_wrong_layouts_raise():
    flat = Flattener.like({"a": np.zeros(2), "b": np.zeros((2, 2))})
    with pytest.raises(ValueError, match="length 6"):
        flat.unflatten(np.zeros(5))
    with pytest.raises(ValueError, match="keys"):
        flat.flatten({"b": np.zeros((2, 2)), "a": np.zeros(2)})
    with pytest.raises(ValueError, match="shape"):
        flat.flatten({"a": np.zeros(3), "b": np.zeros((2, 2))})


def test_flat_gradient_is_the_model_gradient_in_order():
    X, y = classification_data()
    model = SoftmaxRegression(3, l2=0.1)
    params = model.init_params(5, seed=0)
    flat = Flattener.like(params)
    loss, grad = flat_loss_and_grad(model, X, y, flat)(flat.flatten(params))
    expected_loss, expected = model.loss_and_grad(params, X, y)
    assert loss == expected_loss
    np.testing.assert_array_equal(grad, np.concatenate([expected["weights"].ravel(), expected["bias"]]))


def test_lbfgs_minimum_of_regularised_softmax_has_zero_gradient_and_beats_nearby_points():
    X, y = classification_data()
    model = SoftmaxRegression(3, l2=0.05)
    result = lbfgs_minimum(model, model.init_params(5, seed=0), X, y)
    _, grads = model.loss_and_grad(result.params, X, y)
    assert max(np.abs(g).max() for g in grads.values()) < 1e-8
    assert result.grad_norm < 1e-8
    assert result.loss == pytest.approx(model.loss(result.params, X, y))
    rng = np.random.default_rng(3)
    for _ in range(5):   # convex: every nearby point is higher
        nearby = {k: v + 1e-3 * rng.standard_normal(v.shape) for k, v in result.params.items()}
        assert model.loss(nearby, X, y) > result.loss


def test_lbfgs_minimum_of_linear_regression_is_least_squares():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.3 + 0.1 * rng.standard_normal(50)
    result = lbfgs_minimum(LinearRegression(), LinearRegression().init_params(3), X, y)
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(50)]), y, rcond=None)[0]
    np.testing.assert_allclose(result.params["weights"], solution[:3], atol=1e-7)
    assert float(result.params["bias"]) == pytest.approx(solution[3], abs=1e-7)

"""The models' losses and hand-derived gradients, checked three ways.

1. Against central finite differences, (f(θ + h e_j) − f(θ − h e_j)) / 2h,
   whose error is O(h²): a wrong factor or a missing term shows up at once.
2. Against values worked out on paper for inputs small enough to check by hand.
3. Against outside references (scikit-learn's metrics and its fitted
   logistic regression), and against properties the math promises (the
   gradient vanishes at the least-squares solution; the softmax gradient sums
   to zero over classes).
"""

import math
import warnings

import numpy as np
import pytest

import descent
from descent import MLP, LinearRegression, SoftmaxRegression
from descent.models import log_softmax, softmax

N_SAMPLES, N_FEATURES, N_CLASSES = 7, 4, 3

MODELS = {
    "linear": LinearRegression(),
    "softmax": SoftmaxRegression(N_CLASSES),
    "softmax-l2": SoftmaxRegression(N_CLASSES, l2=0.3),
    "mlp-relu": MLP(5, N_CLASSES, activation="relu"),
    "mlp-tanh-l2": MLP(5, N_CLASSES, activation="tanh", l2=0.3),
    "mlp-relu-l2": MLP(5, N_CLASSES, activation="relu", l2=0.3),
}


def random_problem(model, seed, dtype=np.float64):
    """Random params of unit scale (not the small init, so every term matters) and data for ``model``."""
    rng = np.random.default_rng(seed)
    params = {
        key: rng.standard_normal(shape).astype(dtype)
        for key, shape in model.param_shapes(N_FEATURES).items()
    }
    X = rng.standard_normal((N_SAMPLES, N_FEATURES)).astype(dtype)
    if isinstance(model, LinearRegression):
        y = rng.standard_normal(N_SAMPLES).astype(dtype)
    else:
        y = rng.integers(0, N_CLASSES, N_SAMPLES)
    return params, X, y


def finite_difference_grad(loss, params, h=1e-6):
    """Central differences of ``loss(params)``, one coordinate at a time."""
    grads = {}
    for key, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[key][index] = value[index] + h
            loss_plus = loss(shifted)
            shifted[key][index] = value[index] - h
            loss_minus = loss(shifted)
            grad[index] = (loss_plus - loss_minus) / (2 * h)
        grads[key] = grad
    return grads


# --- 1. finite differences --------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", MODELS)
def test_gradient_matches_central_differences(name, seed):
    model = MODELS[name]
    params, X, y = random_problem(model, seed)
    loss, grads = model.loss_and_grad(params, X, y)
    assert loss == pytest.approx(model.loss(params, X, y), rel=1e-14)
    numeric = finite_difference_grad(lambda p: model.loss(p, X, y), params)
    assert grads.keys() == params.keys()
    for key in params:
        np.testing.assert_allclose(grads[key], numeric[key], rtol=1e-6, atol=1e-8, err_msg=f"{name}: {key}")


def test_finite_difference_check_can_fail():
    # A gradient off by the factor 2 that a forgotten ½ would cause must be caught.
    model = LinearRegression()
    params, X, y = random_problem(model, 0)
    _, grads = model.loss_and_grad(params, X, y)
    numeric = finite_difference_grad(lambda p: model.loss(p, X, y), params)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(grads["weights"] / 2, numeric["weights"], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", MODELS)
def test_grads_have_the_keys_shapes_and_dtype_of_params(name, dtype):
    model = MODELS[name]
    params, X, y = random_problem(model, 0, dtype)
    # float64 data with float32 params: the computation follows the params.
    loss, grads = model.loss_and_grad(params, X.astype(np.float64), y)
    assert isinstance(loss, float)
    for key, value in params.items():
        assert isinstance(grads[key], np.ndarray), key
        assert grads[key].shape == value.shape, key
        assert grads[key].dtype == dtype, key


@pytest.mark.parametrize("name", MODELS)
def test_init_params_is_seeded_and_keeps_dtype(name):
    model = MODELS[name]
    a = model.init_params(N_FEATURES, seed=3)
    b = model.init_params(N_FEATURES, seed=3)
    c = model.init_params(N_FEATURES, seed=4)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not all(np.array_equal(a[k], c[k]) for k in a)
    assert {k: v.shape for k, v in a.items()} == model.param_shapes(N_FEATURES)
    single = model.init_params(N_FEATURES, seed=np.random.default_rng(0), dtype=np.float32)
    assert all(v.dtype == np.float32 for v in single.values())


@pytest.mark.parametrize("name", ["softmax-l2", "mlp-tanh-l2", "mlp-relu-l2"])
def test_l2_penalty_is_half_lambda_squared_weights_and_skips_biases(name):
    model = MODELS[name]
    params, X, y = random_problem(model, 0)
    unpenalised = type(model)(**{**model.__dict__, "l2": 0.0})
    weights = [v for k, v in params.items() if k.endswith("weights")]
    expected = 0.5 * model.l2 * sum(np.sum(w**2) for w in weights)
    assert model.loss(params, X, y) - unpenalised.loss(params, X, y) == pytest.approx(expected, rel=1e-12)
    # Moving a bias changes the data term only, never the penalty.
    moved = {k: v + 5.0 if k.endswith("bias") else v for k, v in params.items()}
    assert model.loss(moved, X, y) - unpenalised.loss(moved, X, y) == pytest.approx(expected, rel=1e-12)


# --- 2. by hand ---------------------------------------------------------------


def test_linear_regression_by_hand():
    # X = [[1], [2]], y = [1, 3], w = 0, b = 0: residuals r = [−1, −3].
    # f = (1 + 9)/2 = 5;  ∂f/∂w = (2/2)(1·(−1) + 2·(−3)) = −7;  ∂f/∂b = (2/2)(−1 − 3) = −4.
    params = {"weights": np.array([0.0]), "bias": np.array(0.0)}
    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 3.0])
    loss, grads = LinearRegression().loss_and_grad(params, X, y)
    assert loss == 5.0
    np.testing.assert_allclose(grads["weights"], [-7.0])
    np.testing.assert_allclose(grads["bias"], -4.0)
    assert grads["bias"].shape == ()
    np.testing.assert_allclose(LinearRegression().predict({"weights": np.array([2.0]), "bias": np.array(1.0)}, X), [3.0, 5.0])


def test_linear_regression_gradient_vanishes_at_least_squares_solution():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.7 + 0.1 * rng.standard_normal(30)
    solution, residual_ss, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(30)]), y, rcond=None)
    params = {"weights": solution[:3], "bias": np.array(solution[3])}
    loss, grads = LinearRegression().loss_and_grad(params, X, y)
    np.testing.assert_allclose(grads["weights"], 0, atol=1e-12)
    np.testing.assert_allclose(grads["bias"], 0, atol=1e-12)
    assert loss == pytest.approx(residual_ss[0] / 30, rel=1e-12)  # no ½: f is the mean squared residual
    # Away from the solution the gradient is not zero (the check above can fail).
    _, grads = LinearRegression().loss_and_grad({**params, "bias": np.array(0.0)}, X, y)
    assert abs(grads["bias"]) > 1


def test_linear_regression_is_the_contour_plot_objective_with_one_feature():
    # The same loss (no ½) as descent.objectives.LinearRegressionMSE, θ = (a, b), so the
    # 2-D pictures of the early chapters and the trained model agree.
    from descent.objectives import LinearRegressionMSE

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(12), rng.standard_normal(12)
    objective = LinearRegressionMSE(x, y)
    theta = np.array([0.8, -0.3])
    params = {"weights": theta[:1], "bias": np.array(theta[1])}
    loss, grads = LinearRegression().loss_and_grad(params, x[:, None], y)
    assert loss == pytest.approx(objective(theta), rel=1e-14)
    np.testing.assert_allclose([grads["weights"][0], grads["bias"]], objective.grad(theta), rtol=1e-14)


def test_softmax_loss_by_hand_two_samples_two_classes():
    # X = [[1], [−1]], W = [[1, −1]], b = 0: logits [1, −1] and [−1, 1].
    X = np.array([[1.0], [-1.0]])
    params = {"weights": np.array([[1.0, -1.0]]), "bias": np.zeros(2)}
    model = SoftmaxRegression(2)
    # Both right: each −log(e¹/(e¹ + e⁻¹)) = log(1 + e⁻²).
    assert model.loss(params, X, np.array([0, 1])) == pytest.approx(math.log(1 + math.exp(-2)), rel=1e-14)
    # Second one wrong: it costs log(1 + e²).
    both = (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(2))) / 2
    assert model.loss(params, X, np.array([0, 0])) == pytest.approx(both, rel=1e-14)
    # λ = 0.5 adds (0.5/2)(1² + (−1)²) = 0.5.
    assert SoftmaxRegression(2, l2=0.5).loss(params, X, np.array([0, 0])) == pytest.approx(both + 0.5, rel=1e-14)
    # Zero weights: every class equally likely, loss log K.
    zero = {"weights": np.zeros((1, 2)), "bias": np.zeros(2)}
    assert model.loss(zero, X, np.array([0, 1])) == pytest.approx(math.log(2), rel=1e-14)
    assert model.accuracy(params, X, np.array([0, 0])) == 0.5
    np.testing.assert_array_equal(model.predict(params, X), [0, 1])


def test_softmax_gradient_by_hand():
    # One sample x = [2], W = 0, b = 0, y = 1: P = [½, ½], P − Y = [½, −½];
    # ∇_W = x (P − Y) = [[1, −1]], ∇_b = [½, −½]; with λ = 1 and W = 0 nothing is added.
    _, grads = SoftmaxRegression(2, l2=1.0).loss_and_grad(
        {"weights": np.zeros((1, 2)), "bias": np.zeros(2)}, np.array([[2.0]]), np.array([1])
    )
    np.testing.assert_allclose(grads["weights"], [[1.0, -1.0]])
    np.testing.assert_allclose(grads["bias"], [0.5, -0.5])


def test_mlp_by_hand_relu_one_hidden_unit():
    # W₁ = [[1]], W₂ = [[1, −1]], zero biases, y = 0.
    # x = 2: H = relu(2) = 2, Z = [2, −2], loss log(1 + e⁻⁴).  x = −2: H = 0, Z = [0, 0], loss log 2.
    params = {
        "hidden_weights": np.array([[1.0]]),
        "hidden_bias": np.zeros(1),
        "output_weights": np.array([[1.0, -1.0]]),
        "output_bias": np.zeros(2),
    }
    model = MLP(1, 2)
    assert model.loss(params, np.array([[2.0]]), np.array([0])) == pytest.approx(math.log(1 + math.exp(-4)), rel=1e-14)
    assert model.loss(params, np.array([[-2.0]]), np.array([0])) == pytest.approx(math.log(2), rel=1e-14)
    # At x = −2 the ReLU is off, so no gradient reaches the hidden layer.
    _, grads = model.loss_and_grad(params, np.array([[-2.0]]), np.array([0]))
    np.testing.assert_array_equal(grads["hidden_weights"], 0)
    np.testing.assert_array_equal(grads["hidden_bias"], 0)
    # tanh(2) instead: Z = [tanh 2, −tanh 2].
    t = math.tanh(2)
    expected = math.log(1 + math.exp(-2 * t))
    assert MLP(1, 2, activation="tanh").loss(params, np.array([[2.0]]), np.array([0])) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_with_zero_output_weights_is_uniform_and_passes_no_gradient_back(activation):
    model = MLP(6, 4, activation=activation)
    params, X, _ = random_problem(model, 0)
    y = np.array([0, 1, 2, 3, 0, 1, 2])
    params["output_weights"] = np.zeros_like(params["output_weights"])
    params["output_bias"] = np.zeros_like(params["output_bias"])
    loss, grads = model.loss_and_grad(params, X, y)
    assert loss == pytest.approx(math.log(4), rel=1e-14)
    np.testing.assert_array_equal(grads["hidden_weights"], 0)
    assert np.abs(grads["output_weights"]).max() > 0.01  # the output layer still learns


# --- 3. properties and outside references -------------------------------------


@pytest.mark.parametrize("name", ["softmax", "softmax-l2", "mlp-relu", "mlp-tanh-l2"])
def test_softmax_gradient_sums_to_zero_over_classes(name):
    # Adding c to every logit changes no probability, so the loss is flat along
    # (1, …, 1) in logit space: the output-bias gradient sums to zero, and so do
    # the rows of the output-weight gradient when nothing else (λW) is added.
    model = MODELS[name]
    params, X, y = random_problem(model, 1)
    _, grads = model.loss_and_grad(params, X, y)
    weights, bias = ("weights", "bias") if "weights" in grads else ("output_weights", "output_bias")
    assert abs(grads[bias].sum()) < 1e-15 * N_SAMPLES * 10
    row_sums = grads[weights].sum(axis=1)
    if model.l2 == 0:
        np.testing.assert_allclose(row_sums, 0, atol=1e-14)
    else:
        np.testing.assert_allclose(row_sums, model.l2 * params[weights].sum(axis=1), atol=1e-14)
        assert np.abs(row_sums).max() > 1e-3  # the penalty term does break the symmetry


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e6])
def test_log_softmax_is_stable(scale):
    logits = scale * np.array([[1.0, 2.0, 3.0], [-5.0, 0.0, 5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_probs = log_softmax(logits)
        probs = softmax(logits)
    assert np.isfinite(log_probs).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    np.testing.assert_allclose(log_probs, expected)
    if scale == 1.0:  # where the textbook formula does not overflow, they agree
        np.testing.assert_allclose(log_probs, np.log(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)))


def test_softmax_loss_stays_finite_for_huge_logits():
    model = SoftmaxRegression(2)
    params = {"weights": np.array([[1e4, -1e4]]), "bias": np.zeros(2)}
    # Confidently wrong: −log softmax = log(1 + e^{2·10⁴}) ≈ 2·10⁴, not inf.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grads = model.loss_and_grad(params, np.array([[1.0]]), np.array([1]))
    assert loss == pytest.approx(2e4, rel=1e-12)
    np.testing.assert_allclose(grads["bias"], [1.0, -1.0])


def test_two_class_softmax_is_logistic_regression():
    # With W = [0, w] the class-1 probability is e^{z}/(1 + e^{z}) = σ(z), z = w·x + b,
    # and the cross-entropy is the logistic loss log(1 + e^{−z}) for y = 1, log(1 + e^{z}) for y = 0.
    rng = np.random.default_rng(0)
    X, w, b = rng.standard_normal((9, 3)), rng.standard_normal(3), 0.4
    y = rng.integers(0, 2, 9)
    params = {"weights": np.column_stack([np.zeros(3), w]), "bias": np.array([0.0, b])}
    z = X @ w + b
    logistic = np.mean(np.where(y == 1, np.log1p(np.exp(-z)), np.log1p(np.exp(z))))
    assert SoftmaxRegression(2).loss(params, X, y) == pytest.approx(logistic, rel=1e-13)


def test_losses_match_scikit_learn_metrics():
    from sklearn.metrics import log_loss, mean_squared_error

    params, X, y = random_problem(MODELS["softmax"], 0)
    model = SoftmaxRegression(N_CLASSES)
    expected = log_loss(y, model.predict_proba(params, X), labels=range(N_CLASSES))
    assert model.loss(params, X, y) == pytest.approx(expected, rel=1e-12)
    params, X, y = random_problem(MODELS["linear"], 0)
    expected = mean_squared_error(y, LinearRegression().predict(params, X))
    assert LinearRegression().loss(params, X, y) == pytest.approx(expected, rel=1e-12)


def test_gradient_vanishes_at_scikit_learn_logistic_regression_optimum():
    # scikit-learn minimises C·Σᵢ CEᵢ + ½‖W‖², the same minimiser as
    # mean CE + (λ/2)‖W‖² when C = 1/(nλ); the bias is unpenalised in both.
    from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

    rng = np.random.default_rng(0)
    n, lam = 60, 0.05
    X = rng.standard_normal((n, 4))
    y = np.argmax(X @ rng.standard_normal((4, 3)) + 0.5 * rng.standard_normal((n, 3)), axis=1)
    fitted = SklearnLogisticRegression(C=1 / (n * lam), tol=1e-12, max_iter=10_000).fit(X, y)
    params = {"weights": fitted.coef_.T.copy(), "bias": fitted.intercept_.copy()}
    _, grads = SoftmaxRegression(3, l2=lam).loss_and_grad(params, X, y)
    np.testing.assert_allclose(grads["weights"], 0, atol=1e-6)
    np.testing.assert_allclose(grads["bias"], 0, atol=1e-6)


@pytest.mark.parametrize(
    "activation, expected_hidden_std",
    [("relu", math.sqrt(2 / 400)), ("tanh", math.sqrt(2 / (400 + 300)))],
)
def test_mlp_init_scales_he_for_relu_glorot_for_tanh(activation, expected_hidden_std):
    params = MLP(300, 10, activation=activation).init_params(400, seed=0)
    assert params["hidden_weights"].std() == pytest.approx(expected_hidden_std, rel=0.02)
    assert params["output_weights"].std() == pytest.approx(math.sqrt(2 / 310), rel=0.05)
    np.testing.assert_array_equal(params["hidden_bias"], 0)
    np.testing.assert_array_equal(params["output_bias"], 0)


def test_classifier_predictions():
    model = MLP(5, N_CLASSES)
    params, X, y = random_problem(model, 0)
    probs = model.predict_proba(params, X)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(params, X), probs.argmax(axis=1))
    assert model.accuracy(params, X, y) == np.mean(probs.argmax(axis=1) == y)


def test_models_are_exported():
    assert descent.LinearRegression is LinearRegression
    assert {"LinearRegression", "SoftmaxRegression", "MLP"} <= set(descent.__all__)


# --- bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: SoftmaxRegression(1), ValueError, r"n_classes must be >= 2"),
        (lambda: SoftmaxRegression(2.5), TypeError, r"n_classes must be an integer"),
        (lambda: SoftmaxRegression(3, l2=-0.1), ValueError, r"l2 must be >= 0"),
        (lambda: MLP(0, 3), ValueError, r"n_hidden must be >= 1"),
        (lambda: MLP(4, 3, activation="sigmoid"), ValueError, r"activation must be one of 'relu', 'tanh'"),
        (lambda: MLP(4, 3, l2=float("nan")), ValueError, r"l2 must be finite"),
        (lambda: LinearRegression().init_params(0), ValueError, r"n_features must be >= 1"),
        (lambda: LinearRegression().init_params(3, seed=-1), ValueError, r"seed must be an integer >= 0 or a numpy Generator, got -1"),
        (lambda: LinearRegression().init_params(3, seed="a"), TypeError, r"seed must be an integer"),
        (lambda: MLP(4, 3).init_params(3, dtype=np.int64), ValueError, r"dtype must be np.float32 or np.float64"),
    ],
)
def test_bad_hyperparameters_raise(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_data_and_params_raise():
    model = SoftmaxRegression(3)
    params, X, y = random_problem(model, 0)
    with pytest.raises(TypeError, match=r"y must hold integer class indices 0..2 \(not one-hot"):
        model.loss(params, X, y.astype(float))
    with pytest.raises(ValueError, match=r"class indices in 0..2 \(n_classes=3\), got values from 0 to 3"):
        model.loss(params, X, np.array([0, 1, 2, 3, 0, 1, 2]))
    with pytest.raises(ValueError, match=r"y must have shape \(7,\)"):
        model.loss(params, X, y[:5])
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        model.loss(params, X[0], y[:1])
    with pytest.raises(ValueError, match=r"params\['weights'\] has shape \(4, 3\) but the model and data need \(5, 3\)"):
        model.loss(params, np.ones((7, 5)), y)
    with pytest.raises(ValueError, match=r"params has keys .* but this model needs"):
        model.loss(MLP(5, 3).init_params(4), X, y)
    with pytest.raises(TypeError, match=r"params must be a dict"):
        model.loss(np.zeros(3), X, y)
    with pytest.raises(ValueError, match=r"y must have shape \(7,\), one target per row"):
        LinearRegression().loss(LinearRegression().init_params(4), X, y[:3].astype(float))

"""The objectives: gradients against finite differences, minima checked, values by hand."""

from __future__ import annotations

import numpy as np
import pytest

from descent import Beale, Himmelblau, LinearRegressionMSE, Quadratic, Rosenbrock, Saddle

ALL_OBJECTIVES = {
    "quadratic 1-D": lambda: Quadratic((3.0,)),
    "quadratic": lambda: Quadratic((1.0, 10.0)),
    "quadratic rotated": lambda: Quadratic((1.0, 10.0), angle=0.7),
    "quadratic 3-D": lambda: Quadratic((1.0, 2.0, 5.0)),
    "rosenbrock": lambda: Rosenbrock(),
    "rosenbrock a=-1.5 b=3": lambda: Rosenbrock(a=-1.5, b=3.0),
    "saddle": lambda: Saddle(),
    "himmelblau": lambda: Himmelblau(),
    "beale": lambda: Beale(),
    "linear regression": lambda: LinearRegressionMSE.noisy_line(n=50, seed=3),
}
TWO_D = [name for name in ALL_OBJECTIVES if name not in ("quadratic 1-D", "quadratic 3-D")]


def random_points(f, count: int, seed: int = 0) -> np.ndarray:
    """Points spread over the plotting window (or around 0 without one)."""
    rng = np.random.default_rng(seed)
    if f.window is None:
        return rng.normal(size=(count, f.dim))
    (x_lo, x_hi), (y_lo, y_hi) = f.window
    return np.column_stack([rng.uniform(x_lo, x_hi, count), rng.uniform(y_lo, y_hi, count)])


def central_differences(f, theta: np.ndarray) -> np.ndarray:
    grad = np.empty_like(theta)
    for i in range(theta.size):
        h = 1e-6 * max(1.0, abs(theta[i]))
        e = np.zeros_like(theta)
        e[i] = h
        grad[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return grad


@pytest.fixture(params=list(ALL_OBJECTIVES), ids=list(ALL_OBJECTIVES))
def objective(request):
    return ALL_OBJECTIVES[request.param]()


# -- what every objective promises ---------------------------------------------------------


def test_gradient_matches_central_differences(objective):
    for theta in random_points(objective, 6):
        numeric = central_differences(objective, theta)
        scale = max(1.0, abs(objective(theta)))  # rounding error of the differences grows with |f|
        np.testing.assert_allclose(objective.grad(theta), numeric, rtol=1e-6, atol=1e-6 * scale)


def test_value_is_a_float_and_gradient_has_the_shape_of_theta(objective):
    theta = random_points(objective, 1)[0]
    assert isinstance(objective(theta), float)
    assert objective.grad(theta).shape == theta.shape


def test_known_minimizers_have_zero_gradient_and_the_stated_value(objective):
    assert objective.minimizers.ndim == 2 and objective.minimizers.shape[1] == objective.dim
    assert len(objective.minimizers) >= 1
    for theta in objective.minimizers:
        np.testing.assert_allclose(objective.grad(theta), 0.0, atol=1e-10)
        assert objective(theta) == pytest.approx(objective.minimum, abs=1e-12)


def test_no_random_point_is_below_the_stated_minimum(objective):
    values = [objective(theta) for theta in random_points(objective, 500, seed=1)]
    assert min(values) >= objective.minimum - 1e-12


@pytest.mark.parametrize("name", TWO_D)
def test_evaluation_on_a_stack_of_points_matches_point_by_point(name):
    f = ALL_OBJECTIVES[name]()
    (x_lo, x_hi), (y_lo, y_hi) = f.window
    X, Y = np.meshgrid(np.linspace(x_lo, x_hi, 5), np.linspace(y_lo, y_hi, 4))
    values, grads = f(np.stack([X, Y])), f.grad(np.stack([X, Y]))
    assert values.shape == X.shape and grads.shape == (2,) + X.shape
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            point = np.array([X[i, j], Y[i, j]])
            assert values[i, j] == pytest.approx(f(point), rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(grads[:, i, j], f.grad(point), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", TWO_D)
def test_window_contains_the_minimizers(name):
    f = ALL_OBJECTIVES[name]()
    (x_lo, x_hi), (y_lo, y_hi) = f.window
    assert x_lo < x_hi and y_lo < y_hi
    for x, y in f.minimizers:
        assert x_lo < x < x_hi and y_lo < y < y_hi


def test_wrong_shape_is_rejected_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"theta must have shape \(2,\) for one point or \(2, \.\.\.\)"):
        Rosenbrock()(np.zeros(3))
    with pytest.raises(ValueError, match=r"theta must have shape \(1,\)"):
        Quadratic((2.0,)).grad(1.0)


# -- Quadratic -----------------------------------------------------------------------------


def test_quadratic_by_hand_axis_aligned():
    f = Quadratic((1.0, 10.0))
    assert f((2.0, 1.0)) == pytest.approx(0.5 * (1 * 4 + 10 * 1))
    np.testing.assert_allclose(f.grad((2.0, 1.0)), [2.0, 10.0])
    assert (f.L, f.mu, f.condition_number) == (10.0, 1.0, 10.0)
    np.testing.assert_allclose(f.hessian(), np.diag([1.0, 10.0]))


def test_quadratic_rotated_by_45_degrees_by_hand():
    # R diag(1, 10) Rᵀ with R the rotation by π/4: the eigenvector (1, 1)/√2
    # has eigenvalue 1, the eigenvector (−1, 1)/√2 eigenvalue 10, so
    # A = ½[[1, 1], [1, 1]] + 10·½[[1, −1], [−1, 1]] = [[5.5, −4.5], [−4.5, 5.5]].
    f = Quadratic((1.0, 10.0), angle=np.pi / 4)
    np.testing.assert_allclose(f.hessian(), [[5.5, -4.5], [-4.5, 5.5]], atol=1e-14)
    assert f((1.0, 1.0)) == pytest.approx(0.5 * 1.0 * 2)  # along the flat axis: ½·λ₁·|θ|²
    assert f((-1.0, 1.0)) == pytest.approx(0.5 * 10.0 * 2)  # along the steep axis


@pytest.mark.parametrize("angle", [0.3, 1.0, -2.0])
def test_quadratic_rotation_turns_the_principal_axes(angle):
    f = Quadratic((2.0, 7.0), angle=angle)
    flat = np.array([np.cos(angle), np.sin(angle)])
    steep = np.array([-np.sin(angle), np.cos(angle)])
    np.testing.assert_allclose(f.hessian() @ flat, 2.0 * flat, atol=1e-13)
    np.testing.assert_allclose(f.hessian() @ steep, 7.0 * steep, atol=1e-13)
    np.testing.assert_allclose(f.hessian(), f.hessian().T)
    # A rotation changes neither the eigenvalues nor the condition number.
    np.testing.assert_allclose(np.linalg.eigvalsh(f.hessian()), [2.0, 7.0])
    assert f.condition_number == pytest.approx(3.5)


def test_quadratic_rotation_by_half_a_turn_swaps_the_axes():
    np.testing.assert_allclose(Quadratic((1.0, 10.0), angle=np.pi / 2).hessian(), np.diag([10.0, 1.0]), atol=1e-14)


def test_quadratic_in_one_dimension():
    f = Quadratic((3.0,))
    assert f([2.0]) == pytest.approx(6.0)  # ½·3·2²
    np.testing.assert_allclose(f.grad([2.0]), [6.0])
    assert f.condition_number == 1.0 and f.window is None


def test_quadratic_with_condition_number():
    f = Quadratic.with_condition_number(25.0, angle=0.5)
    assert (f.mu, f.L, f.condition_number, f.angle) == (1.0, 25.0, 25.0, 0.5)


def test_quadratic_hessian_is_a_copy():
    f = Quadratic((1.0, 10.0))
    f.hessian()[0, 0] = 1000.0
    assert f((1.0, 0.0)) == pytest.approx(0.5)


@pytest.mark.parametrize("eigenvalues", [(1.0, 0.0), (1.0, -2.0), (np.inf, 1.0)])
def test_quadratic_rejects_eigenvalues_that_are_not_positive(eigenvalues):
    with pytest.raises(ValueError, match=r"eigenvalues must all be finite and > 0"):
        Quadratic(eigenvalues)


def test_quadratic_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"eigenvalues must be a non-empty 1-D sequence"):
        Quadratic(())
    with pytest.raises(ValueError, match=r"eigenvalues must be a non-empty 1-D sequence"):
        Quadratic(5.0)
    with pytest.raises(TypeError, match=r"eigenvalues must be a sequence of real numbers"):
        Quadratic(("one", "ten"))
    with pytest.raises(ValueError, match=r"angle must be 0 unless there are 2 eigenvalues"):
        Quadratic((1.0,), angle=0.5)
    with pytest.raises(TypeError, match=r"angle must be a real number"):
        Quadratic((1.0, 2.0), angle="45°")
    with pytest.raises(ValueError, match=r"kappa must be >= 1"):
        Quadratic.with_condition_number(0.5)


# -- the 2-D test functions ---------------------------------------------------------------


def test_rosenbrock_by_hand():
    f = Rosenbrock()
    assert f((0.0, 0.0)) == 1.0  # (1 − 0)² + 100·0²
    np.testing.assert_allclose(f.grad((0.0, 0.0)), [-2.0, 0.0])
    assert f((-1.0, 1.0)) == 4.0  # on the valley floor y = x²: only (a − x)² is left
    np.testing.assert_allclose(Rosenbrock(a=2.0).minimizers, [[2.0, 4.0]])


def test_rosenbrock_rejects_b_that_is_not_positive():
    with pytest.raises(ValueError, match=r"b must be > 0"):
        Rosenbrock(b=0.0)


def hessian_by_differences(f, theta, h=1e-5):
    columns = [(f.grad(theta + h * e) - f.grad(theta - h * e)) / (2 * h) for e in np.eye(len(theta))]
    return np.column_stack(columns)


def test_saddle_point_is_a_saddle_and_the_minima_are_minima():
    f = Saddle()
    np.testing.assert_allclose(f.grad(f.saddle_point), 0.0)
    assert f(f.saddle_point) == 0.0
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian_by_differences(f, f.saddle_point)), [-2.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(f.minimizers, [[0.0, np.sqrt(2)], [0.0, -np.sqrt(2)]])
    for minimizer in f.minimizers:
        assert f(minimizer) == pytest.approx(-1.0)  # 0 − 2 + 4/4
        np.testing.assert_allclose(np.linalg.eigvalsh(hessian_by_differences(f, minimizer)), [2.0, 4.0], atol=1e-6)


def test_himmelblau_has_the_four_minima_of_the_literature():
    # Published values, rounded to 6 decimals (Himmelblau 1972).
    published = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    f = Himmelblau()
    assert len(f.minimizers) == 4
    for point in published:
        distances = np.linalg.norm(f.minimizers - point, axis=1)
        assert distances.min() < 1e-6
    np.testing.assert_array_equal(f.minimizers[0], [3.0, 2.0])  # the one with integer coordinates is exact


def test_himmelblau_and_beale_by_hand():
    assert Himmelblau()((0.0, 0.0)) == 170.0  # 11² + 7²
    assert Beale()((0.0, 0.0)) == 1.5**2 + 2.25**2 + 2.625**2
    assert Beale()((3.0, 0.5)) == 0.0


# -- LinearRegressionMSE ------------------------------------------------------------------


def exact_line():
    return LinearRegressionMSE([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])  # y = 2x + 1 exactly


def test_linear_regression_by_hand():
    f = exact_line()
    np.testing.assert_allclose(f.minimizers, [[2.0, 1.0]])
    assert f.minimum == pytest.approx(0.0, abs=1e-25)
    assert f((0.0, 0.0)) == pytest.approx((1 + 9 + 25) / 3)  # mean of y², no factor ½
    # r = −y = (−1, −3, −5); ∇f = (2/3)·(Σ rᵢxᵢ, Σ rᵢ) = (2/3)·(−13, −9)
    np.testing.assert_allclose(f.grad((0.0, 0.0)), [-26 / 3, -6.0])
    np.testing.assert_allclose(f.hessian(), (2 / 3) * np.array([[5.0, 3.0], [3.0, 3.0]]))


def test_linear_regression_minimizer_agrees_with_polyfit():
    f = LinearRegressionMSE.noisy_line(n=200, seed=7)
    np.testing.assert_allclose(f.minimizers[0], np.polyfit(f.x, f.y, 1), rtol=1e-10)


def test_linear_regression_hessian_matches_differences_of_the_gradient():
    f = LinearRegressionMSE.noisy_line(n=30, seed=2)
    np.testing.assert_allclose(f.hessian(), hessian_by_differences(f, np.array([0.3, -0.7])), rtol=1e-7)


def test_batch_gradient_over_all_samples_is_the_gradient():
    f = LinearRegressionMSE.noisy_line(n=40, seed=1)
    theta = np.array([0.5, 0.2])
    np.testing.assert_allclose(f.batch_grad(theta, np.arange(40)), f.grad(theta), rtol=1e-12)


def test_batch_gradients_of_a_partition_average_to_the_gradient():
    f = LinearRegressionMSE.noisy_line(n=40, seed=1)
    theta = np.array([0.5, 0.2])
    parts = np.array_split(np.random.default_rng(0).permutation(40), [7, 20, 21])
    weighted = sum(len(p) * f.batch_grad(theta, p) for p in parts) / 40
    np.testing.assert_allclose(weighted, f.grad(theta), rtol=1e-12)


def test_batch_gradient_of_one_sample_by_hand():
    f = exact_line()
    # sample 2: x = 2, y = 5; at θ = (0, 0) the residual is −5, the gradient 2·(−5)·(2, 1).
    np.testing.assert_allclose(f.batch_grad((0.0, 0.0), [2]), [-20.0, -10.0])


def test_batch_gradient_rejects_empty_batches():
    with pytest.raises(ValueError, match=r"indices must be a non-empty 1-D array"):
        exact_line().batch_grad((0.0, 0.0), [])


def test_noisy_line_is_reproducible_and_recovers_the_line():
    first, again = LinearRegressionMSE.noisy_line(seed=4), LinearRegressionMSE.noisy_line(seed=4)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.y, LinearRegressionMSE.noisy_line(seed=5).y)
    assert first.n_samples == 100
    big = LinearRegressionMSE.noisy_line(a=2.0, b=-1.0, n=20_000, noise=0.5, seed=0)
    # Standard errors of the fit are ~0.012 (slope) and ~0.007 (intercept).
    np.testing.assert_allclose(big.minimizers[0], [2.0, -1.0], atol=0.06)
    # Without noise the line is recovered exactly and the minimum is 0.
    clean = LinearRegressionMSE.noisy_line(a=-0.5, b=3.0, noise=0.0)
    np.testing.assert_allclose(clean.minimizers[0], [-0.5, 3.0])
    assert clean.minimum == pytest.approx(0.0, abs=1e-20)


def test_linear_regression_rejects_bad_data():
    with pytest.raises(ValueError, match=r"x and y must have the same length"):
        LinearRegressionMSE([0.0, 1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"x must contain at least two distinct values"):
        LinearRegressionMSE([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"y contains inf or NaN"):
        LinearRegressionMSE([0.0, 1.0], [1.0, np.nan])
    with pytest.raises(ValueError, match=r"x must be a 1-D array of at least 2 samples"):
        LinearRegressionMSE([[0.0, 1.0]], [[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"y must be a 1-D array of real numbers"):
        LinearRegressionMSE([0.0, 1.0], ["a", "b"])
    with pytest.raises(ValueError, match=r"noise must be >= 0"):
        LinearRegressionMSE.noisy_line(noise=-1.0)
    with pytest.raises(ValueError, match=r"n must be >= 2"):
        LinearRegressionMSE.noisy_line(n=1)
    with pytest.raises(ValueError, match=r"x_range must be \(low, high\) with low < high"):
        LinearRegressionMSE.noisy_line(x_range=(1.0, 0.0))


@pytest.mark.parametrize("f", [Quadratic((1.0, 10.0), angle=0.3), Quadratic((1.0, 2.0, 5.0)), Rosenbrock(),
                               Rosenbrock(a=0.5, b=3.0), Saddle(), Himmelblau(), Beale(),
                               LinearRegressionMSE.noisy_line(n=20)], ids=repr)
def test_exact_hessians_match_central_differences_of_the_gradient(f):
    rng = np.random.default_rng(3)
    for theta in [*rng.uniform(-2, 2, size=(4, f.dim)), *f.minimizers]:
        exact = f.hessian(theta)
        assert exact.shape == (f.dim, f.dim)
        np.testing.assert_allclose(exact, exact.T, atol=1e-12)
        np.testing.assert_allclose(exact, hessian_by_differences(f, theta), rtol=1e-6, atol=1e-5)


def test_rosenbrock_curvatures_at_its_minimum_are_not_200_and_1():
    # The issue-11 erratum: at (1, 1) the eigenvalues are about 0.40 and 1001.6 (κ ≈ 2500).
    low, high = np.linalg.eigvalsh(Rosenbrock().hessian([1.0, 1.0]))
    assert low == pytest.approx(0.3994, abs=1e-4) and high == pytest.approx(1001.6, abs=0.1)


def test_hessian_takes_one_point_and_turned_turns_like_quadratic_axes():
    with pytest.raises(ValueError, match=r"hessian takes one point of shape \(2,\)"):
        Rosenbrock().hessian(np.zeros((2, 3)))
    from descent.objectives import turned

    f = Quadratic((1.0, 10.0), angle=0.7)
    start = np.array([1.0, 0.5])
    # The turned start lies on the turned valley as the start lies on the axis-aligned one.
    assert f(turned(0.7, start)) == pytest.approx(Quadratic((1.0, 10.0))(start), rel=1e-14)
    np.testing.assert_allclose(turned(np.pi / 2, [1.0, 0.0]), [0.0, 1.0], atol=1e-15)
    with pytest.raises(ValueError, match="point must be one 2-D point"):
        turned(0.1, [1.0, 2.0, 3.0])

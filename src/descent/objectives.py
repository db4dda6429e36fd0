"""Test functions to minimise, each with its analytic gradient and known minima.

An objective is a callable ``f(θ) -> float`` with a method ``f.grad(θ)`` that
returns ∇f(θ) with the shape of θ. It also says what is known about it:

- ``minimizers``: array of shape (k, d), the k known global minimisers
  (k = 0 when none is known);
- ``minimum``: f at a minimiser, or ``None`` when unknown;
- ``window``: ((x_min, x_max), (y_min, y_max)), a plotting window for 2-D ones;
- ``name``: a short label for titles and legends;
- ``dim``: d, the number of parameters;
- ``axis_labels``: names of the two coordinates, for plot axes.

Evaluation over a grid (for contour plots) uses one convention everywhere:
**the leading axis of θ indexes the coordinates**. A point is an array of
shape (d,); a stack of points is an array of shape (d, ...), and ``f`` returns
an array of shape (...)::

    X, Y = np.meshgrid(xs, ys)
    Z = f(np.stack([X, Y]))        # Z.shape == X.shape

``grad`` follows the same convention: shape (d, ...) in, (d, ...) out.
Nothing else (hidden state, caching) is involved, so ``f(θ)`` and
``f.grad(θ)`` can be called in any order.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import require_real, require_nonnegative, require_positive, require_positive_int

__all__ = [
    "rotation",
    "turned",
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "Saddle",
    "Himmelblau",
    "Beale",
    "LinearRegressionMSE",
]


def rotation(angle: float) -> np.ndarray:
    """R(angle), the 2×2 matrix that turns a point counter-clockwise by ``angle`` radians."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def turned(angle: float, point) -> np.ndarray:
    """``point`` (x, y) turned counter-clockwise by ``angle`` radians: R(angle) @ point.

    Turning a start point with the same angle as ``Quadratic(..., angle=angle)``
    turns its axes puts it in the same place relative to the valley.
    """
    point = np.asarray(point, dtype=float)
    if point.shape != (2,):
        raise ValueError(f"point must be one 2-D point (x, y), got shape {point.shape}")
    return rotation(require_real("angle", angle)) @ point


def _scalar_or_array(value):
    """A 0-d result as a float (one point in, one number out), else the array."""
    return float(value) if np.ndim(value) == 0 else value


def _coordinates(theta: np.ndarray):
    """(x, y) of θ: Python floats for one point, arrays for a stack of points.

    The formulas below are written once with + − * only, so they work on
    both. For one point, Python floats are several times faster than numpy
    scalars, and that matters: an optimizer step on a 2-D problem costs a few
    microseconds, no more than numpy's overhead per call. (Python float
    multiplication overflows to inf without raising, like numpy; ``**`` would
    raise OverflowError, so squares are written x * x.)
    """
    return theta.tolist() if theta.ndim == 1 else theta


class Objective:
    """What every objective shares: the point-stack convention and ``__repr__``.

    Subclasses set ``dim``, ``name``, ``minimizers``, ``minimum`` and
    ``window`` in ``__init__`` and define ``_value(θ)`` and ``_grad(θ)`` for θ
    of shape (d, ...), already checked and converted to float.
    """

    dim: int
    name: str
    minimizers: np.ndarray
    minimum: float | None = None
    window: tuple | None = None
    axis_labels: tuple = ("x", "y")  # names of θ's two coordinates in the formulas, for plots

    def __call__(self, theta) -> float | np.ndarray:
        """f(θ): a float for θ of shape (d,), an array of shape (...) for (d, ...)."""
        return _scalar_or_array(self._value(self._points(theta)))

    def grad(self, theta) -> np.ndarray:
        """∇f(θ), an array with the shape of θ."""
        return self._grad(self._points(theta))

    def hessian(self, theta) -> np.ndarray:
        """∇²f(θ), the d×d matrix of second derivatives at one point θ of shape (d,), exact.

        Its eigenvalues are the curvatures at θ: all > 0 at a minimum, some
        < 0 at a saddle point.
        """
        theta = self._points(theta)
        if theta.ndim != 1:
            raise ValueError(f"hessian takes one point of shape ({self.dim},), got shape {theta.shape}")
        return np.array(self._hessian(theta), dtype=float)

    def _hessian(self, theta: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def _points(self, theta) -> np.ndarray:
        theta = np.asarray(theta)
        if theta.dtype.kind not in "iufb":
            raise TypeError(f"theta must be an array of real numbers, got dtype {theta.dtype}")
        theta = theta.astype(float, copy=False)
        if theta.ndim == 0 or theta.shape[0] != self.dim:
            raise ValueError(
                f"theta must have shape ({self.dim},) for one point or ({self.dim}, ...) for a stack of points "
                f"(coordinates on the first axis); got shape {theta.shape}"
            )
        return theta

    def _value(self, theta: np.ndarray):  # pragma: no cover - abstract
        raise NotImplementedError

    def _grad(self, theta: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name

    def __eq__(self, other) -> bool:
        # Two objectives are equal when they are the same function: same class, same parameters
        # (so a record that went through pickle or deepcopy still equals the original).
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = vars(self), vars(other)
        return mine.keys() == theirs.keys() and all(
            np.array_equal(value, theirs[key]) if isinstance(value, np.ndarray) else value == theirs[key]
            for key, value in mine.items())

    def __hash__(self) -> int:
        return hash((type(self), self.name))  # equal objectives have equal names


def _plane_matrix(eigenvalues, angle: float) -> list:
    """R diag(λ₁, λ₂) Rᵀ for the rotation R by ``angle``, symmetrised, in plain float arithmetic.

    The same products and sums as ``rotation @ np.diag(values) @ rotation.T``,
    in a fixed order, so that the result is the same bits on every machine
    (and in the page explorers' JavaScript port).
    """
    c, s = math.cos(angle), math.sin(angle)
    (r00, r01), (r10, r11) = (c, -s), (s, c)
    l1, l2 = eigenvalues
    m00, m01, m10, m11 = r00 * l1, r01 * l2, r10 * l1, r11 * l2  # R diag(λ)
    a = [[m00 * r00 + m01 * r01, m00 * r10 + m01 * r11], [m10 * r00 + m11 * r01, m10 * r10 + m11 * r11]]
    return [[(a[0][0] + a[0][0]) / 2, (a[0][1] + a[1][0]) / 2], [(a[1][0] + a[0][1]) / 2, (a[1][1] + a[1][1]) / 2]]


class Quadratic(Objective):
    """f(θ) = ½ θᵀAθ with A = R diag(λ₁, …, λ_d) Rᵀ, the model of every smooth minimum.

    ∇f(θ) = Aθ, the Hessian is A everywhere, and the only minimiser is θ* = 0
    with f(θ*) = 0. Gradient descent with learning rate α multiplies the
    component of θ along the eigenvector of λᵢ by (1 − αλᵢ) at every step, so
    it converges exactly when α < 2/L, where L = max λᵢ; the slowest
    component shrinks by max(|1 − αL|, |1 − αμ|) per step, μ = min λᵢ, which
    is why the condition number κ = L/μ governs the speed.

    Parameters
    ----------
    eigenvalues:
        The eigenvalues of A, all > 0 (the curvatures along the principal
        axes). Their number is the dimension d.
    angle:
        In 2-D, the angle in radians by which the principal axes are turned
        counter-clockwise from the coordinate axes (R is the rotation by
        ``angle``). Must be 0 in any other dimension.
    """

    def __init__(self, eigenvalues=(1.0, 10.0), angle: float = 0.0):
        values = np.asarray(eigenvalues)
        if values.dtype.kind not in "iuf":
            raise TypeError(f"eigenvalues must be a sequence of real numbers, got {eigenvalues!r}")
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"eigenvalues must be a non-empty 1-D sequence such as (1.0, 10.0), got {eigenvalues!r}")
        values = values.astype(float)
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            # A zero eigenvalue gives a line of minimisers, a negative one no
            # minimum at all: the convergence statements above need all > 0.
            raise ValueError(f"eigenvalues must all be finite and > 0, got {tuple(values.tolist())}")
        angle = require_real("angle", angle)
        if values.size != 2 and angle != 0:
            raise ValueError(f"angle must be 0 unless there are 2 eigenvalues (a rotation in the plane); got angle={angle!r} with {values.size} eigenvalue(s)")

        self.eigenvalues = values
        self.angle = angle
        self.axis_labels = ("θ₁", "θ₂")
        self.dim = values.size
        turn = rotation(angle) if self.dim == 2 else np.eye(self.dim)
        self._A = turn @ np.diag(values) @ turn.T
        self._A = (self._A + self._A.T) / 2  # exactly symmetric despite rounding
        if self.dim == 2:  # the same, in plain float arithmetic: see _plane_matrix
            self._A = np.array(_plane_matrix(values.tolist(), angle))
        self._plane = self._A.tolist() if self.dim == 2 else None
        self.minimizers = np.zeros((1, self.dim))
        self.minimum = 0.0
        self.window = ((-2.0, 2.0), (-2.0, 2.0)) if self.dim == 2 else None
        kappa = f"κ={self.condition_number:g}"
        self.name = f"Quadratic({kappa}, angle={angle:.3g})" if angle else f"Quadratic({kappa})"

    @classmethod
    def with_condition_number(cls, kappa: float, angle: float = 0.0) -> "Quadratic":
        """The 2-D quadratic with eigenvalues (1, κ): μ = 1, L = κ."""
        kappa = require_real("kappa", kappa)
        if kappa < 1:
            raise ValueError(f"kappa must be >= 1 (it is L/μ, largest over smallest eigenvalue), got {kappa!r}")
        return cls((1.0, kappa), angle=angle)

    def hessian(self, theta=None) -> np.ndarray:
        """A, the same at every θ (a copy, so that changing it cannot change f); θ may be omitted."""
        if theta is not None:
            self._points(theta)
        return self._A.copy()

    @property
    def L(self) -> float:
        """The largest eigenvalue: the gradient's Lipschitz constant."""
        return float(self.eigenvalues.max())

    @property
    def mu(self) -> float:
        """The smallest eigenvalue: the strong-convexity constant."""
        return float(self.eigenvalues.min())

    @property
    def condition_number(self) -> float:
        """κ = L/μ."""
        return self.L / self.mu

    def _value(self, theta):
        if theta.ndim == 1 and self.dim == 2:
            (x, y), (gx, gy) = theta.tolist(), self._plane_grad(theta)
            return 0.5 * (x * gx + y * gy)
        if theta.ndim == 1:  # one point: a matrix-vector product is ~10x faster than tensordot
            return 0.5 * (theta @ (self._A @ theta))
        return 0.5 * np.sum(theta * np.tensordot(self._A, theta, axes=1), axis=0)

    def _grad(self, theta):
        if theta.ndim == 1 and self.dim == 2:
            return np.array(self._plane_grad(theta))
        if theta.ndim == 1:
            return self._A @ theta
        return np.tensordot(self._A, theta, axes=1)

    def _plane_grad(self, theta) -> tuple:
        # One 2-D point in plain float arithmetic, as _plane_matrix: numpy's 2×2 products go through
        # BLAS, whose rounding depends on the machine (fused multiply-adds or not); these do not, and
        # the page explorers' JavaScript (descent/static) repeats them operation for operation.
        (a, b), (c, d) = self._plane
        x, y = theta.tolist()
        return a * x + b * y, c * x + d * y


class Rosenbrock(Objective):
    """f(x, y) = (a − x)² + b (y − x²)², the banana-shaped valley (Rosenbrock 1960).

    ∂f/∂x = −2(a − x) − 4bx(y − x²),   ∂f/∂y = 2b(y − x²).

    The only minimiser is (a, a²) with f = 0. The floor of the valley, y = x²,
    is easy to reach and slow to follow. How badly conditioned it is depends on
    where: on the floor at x = 0 the Hessian is diag(2, 2b), curvature 200 across
    and 2 along with the default b = 100; at the minimum (1, 1) it is
    [[2 + 8b, −4b], [−4b, 2b]], with eigenvalues 1001.6 and 0.40 (κ ≈ 2500).
    """

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = require_real("a", a)
        self.b = require_positive("b", b)  # b = 0 would make every (a, y) a minimiser
        self.dim = 2
        self.minimizers = np.array([[self.a, self.a**2]])
        self.minimum = 0.0
        scale = max(1.0, abs(self.a))
        self.window = ((-2 * scale, 2 * scale), (-scale, self.a**2 + 2 * scale))
        self.name = "Rosenbrock" if (self.a, self.b) == (1.0, 100.0) else f"Rosenbrock(a={self.a:g}, b={self.b:g})"

    def _value(self, theta):
        x, y = _coordinates(theta)
        gap, valley = self.a - x, y - x * x
        return gap * gap + self.b * valley * valley

    def _grad(self, theta):
        x, y = _coordinates(theta)
        valley = y - x * x
        return np.array([-2 * (self.a - x) - 4 * self.b * x * valley, 2 * self.b * valley])

    def _hessian(self, theta):
        # ∂²f/∂x² = 2 − 4b(y − x²) + 8bx²,  ∂²f/∂x∂y = −4bx,  ∂²f/∂y² = 2b
        x, y = _coordinates(theta)
        b = self.b
        return [[2 - 4 * b * (y - x * x) + 8 * b * x * x, -4 * b * x], [-4 * b * x, 2 * b]]


class Saddle(Objective):
    """f(x, y) = x² − y² + y⁴/4: a saddle point at the origin between two minima.

    ∇f = (2x, −2y + y³). The gradient vanishes at (0, 0), where the Hessian
    diag(2, −2) has a negative eigenvalue (a saddle, f = 0), and at
    (0, ±√2), where it is diag(2, 4) (the two minima, f = −1).

    Gradient descent started exactly on the line y = 0 converges to the
    saddle, since the gradient there has no y-component; any y ≠ 0 is pushed
    away from it, slowly at first because the escape rate is proportional to y.
    """

    saddle_point = np.array([0.0, 0.0])

    def __init__(self):
        self.dim = 2
        self.minimizers = np.array([[0.0, np.sqrt(2.0)], [0.0, -np.sqrt(2.0)]])
        self.minimum = -1.0
        self.window = ((-2.0, 2.0), (-2.5, 2.5))
        self.name = "Saddle"

    def _value(self, theta):
        x, y = _coordinates(theta)
        y2 = y * y
        return x * x - y2 + y2 * y2 / 4

    def _grad(self, theta):
        x, y = _coordinates(theta)
        return np.array([2 * x, y * (y * y - 2)])

    def _hessian(self, theta):
        _, y = _coordinates(theta)
        return [[2.0, 0.0], [0.0, 3 * y * y - 2]]


def _himmelblau_minimizers() -> np.ndarray:
    # f = 0 exactly where both squares vanish: y = 11 − x² and x + y² = 7.
    # Substituting gives x⁴ − 22x² + x + 114 = (x − 3)(x³ + 3x² − 13x − 38) = 0,
    # whose four real roots are the x-coordinates of the four minima.
    cubic_roots = np.roots([1.0, 3.0, -13.0, -38.0]).real
    xs = np.concatenate([[3.0], np.sort(cubic_roots)[::-1]])
    for _ in range(2):  # Newton's method polishes np.roots to full precision
        q = xs**4 - 22 * xs**2 + xs + 114
        xs = xs - q / (4 * xs**3 - 44 * xs + 1)
    xs[0] = 3.0
    return np.column_stack([xs, 11 - xs**2])


class Himmelblau(Objective):
    """f(x, y) = (x² + y − 11)² + (x + y² − 7)², four minima of equal value (Himmelblau 1972).

    ∂f/∂x = 4x(x² + y − 11) + 2(x + y² − 7),
    ∂f/∂y = 2(x² + y − 11) + 4y(x + y² − 7).

    The minima (f = 0) are where both brackets vanish: (3, 2) and three
    points whose x solves x³ + 3x² − 13x − 38 = 0, with y = 11 − x²,
    approximately (−2.805, 3.131), (−3.779, −3.283) and (3.584, −1.848).
    Which one an optimizer finds depends on where it starts.
    """

    def __init__(self):
        self.dim = 2
        self.minimizers = _himmelblau_minimizers()
        self.minimum = 0.0
        self.window = ((-5.0, 5.0), (-5.0, 5.0))
        self.name = "Himmelblau"

    def _value(self, theta):
        x, y = _coordinates(theta)
        first, second = x * x + y - 11, x + y * y - 7
        return first * first + second * second

    def _grad(self, theta):
        x, y = _coordinates(theta)
        first, second = x * x + y - 11, x + y * y - 7
        return np.array([4 * x * first + 2 * second, 2 * first + 4 * y * second])

    def _hessian(self, theta):
        # With A = x² + y − 11 and B = x + y² − 7: f_xx = 4A + 8x² + 2, f_xy = 4(x + y), f_yy = 4B + 8y² + 2
        x, y = _coordinates(theta)
        first, second = x * x + y - 11, x + y * y - 7
        cross = 4 * (x + y)
        return [[4 * first + 8 * x * x + 2, cross], [cross, 4 * second + 8 * y * y + 2]]


class Beale(Objective):
    """f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)² (Beale 1958).

    With rᵢ = cᵢ − x + x yⁱ (c = 1.5, 2.25, 2.625):
    ∂f/∂x = Σ 2 rᵢ (yⁱ − 1),   ∂f/∂y = Σ 2 rᵢ · i x yⁱ⁻¹.

    The minimum is f(3, 0.5) = 0, at the end of a narrow flat valley; the
    function grows like y⁶ away from it, so gradient sizes span many orders
    of magnitude over the usual window [−4.5, 4.5]².
    """

    def __init__(self):
        self.dim = 2
        self.minimizers = np.array([[3.0, 0.5]])
        self.minimum = 0.0
        self.window = ((-4.5, 4.5), (-4.5, 4.5))
        self.name = "Beale"

    @staticmethod
    def _residuals(x, y):
        y2 = y * y
        return 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y

    def _value(self, theta):
        r1, r2, r3 = self._residuals(*_coordinates(theta))
        return r1 * r1 + r2 * r2 + r3 * r3

    def _grad(self, theta):
        x, y = _coordinates(theta)
        r1, r2, r3 = self._residuals(x, y)
        y2 = y * y
        dx = 2 * (r1 * (y - 1) + r2 * (y2 - 1) + r3 * (y2 * y - 1))
        dy = 2 * x * (r1 + 2 * r2 * y + 3 * r3 * y2)
        return np.array([dx, dy])

    def _hessian(self, theta):
        # f = Σ rᵢ², so ∇²f = 2 Σ (∇rᵢ ∇rᵢᵀ + rᵢ ∇²rᵢ), with ∇rᵢ = (yⁱ − 1, i x yⁱ⁻¹),
        # ∂²rᵢ/∂x² = 0, ∂²rᵢ/∂x∂y = i yⁱ⁻¹, ∂²rᵢ/∂y² = i(i − 1) x yⁱ⁻².
        x, y = _coordinates(theta)
        hxx = hxy = hyy = 0.0
        for i, r in enumerate(self._residuals(x, y), start=1):
            rx, ry = y**i - 1, i * x * y ** (i - 1)
            hxx += 2 * rx * rx
            hxy += 2 * (rx * ry + r * i * y ** (i - 1))
            hyy += 2 * (ry * ry + r * i * (i - 1) * x * (y ** (i - 2) if i >= 2 else 0.0))
        return [[hxx, hxy], [hxy, hyy]]


class LinearRegressionMSE(Objective):
    """Mean squared error of the line y ≈ a·x + b, as a function of θ = (a, b).

    f(θ) = (1/n) Σᵢ (a xᵢ + b − yᵢ)²   (no factor ½: the plain mean of squares)

    With the design matrix X = [x, 1] (one row (xᵢ, 1) per sample) and the
    residuals r = Xθ − y, ∇f(θ) = (2/n) Xᵀr and the Hessian is (2/n) XᵀX, the
    same at every θ: this is a quadratic, so everything said about
    :class:`Quadratic` applies, with L and μ the eigenvalues of the Hessian.
    The minimiser is the least-squares solution (``np.linalg.lstsq``).

    ``batch_grad(θ, indices)`` is the same gradient over a subset B of the
    samples, (2/|B|) X_Bᵀ r_B: an unbiased estimate of ∇f(θ) when B is drawn
    at random, which is what stochastic gradient descent steps along.
    """

    def __init__(self, x, y):
        x = self._data(x, "x")
        y = self._data(y, "y")
        if x.shape != y.shape:
            raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
        if np.ptp(x) == 0:
            # Every line through (x₀, mean y) would fit equally well.
            raise ValueError("x must contain at least two distinct values, or the best line is not unique")
        self.x, self.y = x, y
        self.axis_labels = ("a (slope)", "b (intercept)")
        self._X = np.column_stack([x, np.ones_like(x)])
        self.dim = 2
        self.n_samples = x.size
        best, *_ = np.linalg.lstsq(self._X, y, rcond=None)
        self.minimizers = best[None, :]
        self.minimum = self(best)
        a, b = float(best[0]), float(best[1])
        self.window = ((a - 3.0, a + 3.0), (b - 3.0, b + 3.0))
        self.name = f"LinearRegressionMSE(n={self.n_samples})"

    @staticmethod
    def _data(values, name: str) -> np.ndarray:
        arr = np.asarray(values)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a 1-D array of real numbers, got dtype {arr.dtype}")
        arr = arr.astype(float)
        if arr.ndim != 1 or arr.size < 2:
            raise ValueError(f"{name} must be a 1-D array of at least 2 samples, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains inf or NaN")
        return arr

    @classmethod
    def noisy_line(cls, a: float = 2.0, b: float = -1.0, n: int = 100, noise: float = 0.5, seed=0,
                   *, x_range=(0.0, 1.0)) -> "LinearRegressionMSE":
        """n samples yᵢ = a xᵢ + b + σ εᵢ, xᵢ ~ Uniform(x_range), εᵢ ~ N(0, 1), σ = ``noise``.

        The default x_range (0, 1) is deliberately not centred on 0: then a
        and b are correlated (a steeper line needs a lower intercept), the
        contours of f are tilted ellipses, and the condition number is about
        19, which makes plain gradient descent visibly slow.
        """
        a, b = require_real("a", a), require_real("b", b)
        n = require_positive_int("n", n)
        if n < 2:
            raise ValueError(f"n must be >= 2 to fit a line, got {n}")
        noise = require_nonnegative("noise", noise)
        low, high = (require_real("x_range[0]", x_range[0]), require_real("x_range[1]", x_range[1]))
        if not low < high:
            raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
        rng = np.random.default_rng(seed)
        x = rng.uniform(low, high, size=n)
        y = a * x + b + noise * rng.standard_normal(n)
        return cls(x, y)

    def hessian(self, theta=None) -> np.ndarray:
        """(2/n) XᵀX, the same at every θ; θ may be omitted."""
        if theta is not None:
            self._points(theta)
        return 2.0 / self.n_samples * (self._X.T @ self._X)

    def _residuals(self, theta):
        # θ of shape (2, ...) → residuals of shape (n, ...): one column of the
        # design matrix times each coordinate, broadcast over the stack.
        y = self.y.reshape((-1,) + (1,) * (theta.ndim - 1))
        return np.tensordot(self._X, theta, axes=1) - y

    def _value(self, theta):
        r = self._residuals(theta)
        return np.mean(r * r, axis=0)

    def _grad(self, theta):
        return (2.0 / self.n_samples) * np.tensordot(self._X.T, self._residuals(theta), axes=1)

    def batch_grad(self, theta, indices) -> np.ndarray:
        """(2/|B|) X_Bᵀ (X_B θ − y_B): the gradient of the mean over the samples in ``indices``.

        θ is one point, of shape (2,); ``indices`` is a 1-D integer array (repeats allowed).
        """
        theta = self._points(theta)
        indices = np.asarray(indices)
        if indices.ndim != 1 or indices.size == 0 or indices.dtype.kind not in "iu":
            raise ValueError(f"indices must be a non-empty 1-D array of sample indices, got {indices!r}")
        X = self._X[indices]
        return (2.0 / indices.size) * (X.T @ (X @ theta - self.y[indices]))

"""Check a learner's own update rule against the package, and name the mistakes it makes.

An exercise asks the learner to write one step of an optimizer as a plain
function, for instance::

    def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
        ...
        return theta_new, m_new, v_new

and then calls ``check_adam_step(adam_step)``. The checker reads the
function's parameters, feeds it a stream of gradients (of mixed signs and
scales, so that ε and signs matter), compares every returned array with
:mod:`descent`'s optimizer and, when they differ, replays the mistakes that
learners and tutorials make (wrong sign, ε inside the square root, no bias
correction, t counted from 0, ...), alone and two or three at a time, to name
every one that explains the learner's numbers. It never raises on the
learner's code: whatever goes wrong is said in the :class:`CheckResult`.

Two engines are public, for checkers in other modules: :func:`check_step` for
one step of any optimizer (it runs the search of mistakes), and
:func:`check_function`, which knows nothing about optimizers, for any function
of arrays.
"""

from __future__ import annotations

import inspect
import itertools
import traceback
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from .optimizers.adagrad import AdaGrad, adagrad_rule
from .optimizers.adam import Adam, adam_rule
from .optimizers.gradient_descent import GradientDescent, gd_rule
from .optimizers.momentum import Momentum, momentum_rule
from .optimizers.rmsprop import RMSProp, rmsprop_rule
from .replay import replay

#: Two arrays agree when they are equal to this relative tolerance (and 1e-12 absolute):
#: far above the rounding of a rule written in another order, far below any slip.
RTOL = 1e-9
ATOL = 1e-12
#: At most this many mistakes at once are searched for (about 300 candidates for Adam).
MAX_SLIPS = 3

PASSED, NOT_WRITTEN, FAILED = "passed", "not written", "failed"
# The marks of a result in a notebook: characters every default font draws (DejaVu Sans has
# them). The emoji ✅ ❌ ✏️ showed as empty boxes where no emoji font is installed.
MARKS = {PASSED: "✓", NOT_WRITTEN: "✎", FAILED: "✗"}  # U+2713, U+270E, U+2717


@dataclass(frozen=True)
class CheckResult:
    """What a check found: ``passed``, a message written for the learner, and for a program:

    ``status``: "passed", "not written" (the stub still raises NotImplementedError)
    or "failed"; ``mistakes``: the keys of the mistakes named, e.g.
    ``("no_correction", "uphill")``, or ("mutation",), ("returned_none",), ...
    """

    passed: bool
    message: str
    status: str = ""
    mistakes: tuple = ()

    def __post_init__(self):
        if not self.status:
            object.__setattr__(self, "status", PASSED if self.passed else FAILED)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return f"{MARKS[self.status]} {self.message}"


class _Stop(Exception):
    """Raised inside a run of the learner's function to end the check with ``result``."""

    def __init__(self, result: CheckResult):
        self.result = result


class _Parted(Exception):
    """Raised when a candidate mistake stops giving the learner's numbers."""


# --- calling the learner's function -------------------------------------------------------------


def _name(fn) -> str:
    """The name a learner gave the function (a partial's function, an object's class), else 'your function'."""
    target = getattr(fn, "func", fn)  # functools.partial
    name = getattr(target, "__name__", None) or type(target).__name__
    return "your function" if name in ("<lambda>", "function") else name


def _binder(fn, parameters: tuple) -> tuple:
    """How to call ``fn`` with the expected ``parameters``: (call, names, note, problem).

    Parameters named as expected are passed by name, whatever their order; the
    others take the remaining expected values in the expected order (so that
    ``def step(x, grad, lr)`` still works). ``call(values)`` takes a dict keyed
    by the expected names. ``names`` maps an expected name to the learner's;
    ``note`` says how names were matched when they differ; ``problem`` says why
    ``fn`` cannot be called that way (else None).
    """
    positional = lambda values: fn(*(values[p] for p in parameters))  # noqa: E731
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin or an extension object: call in the expected order
        return positional, {}, "", None
    kinds = inspect.Parameter
    params = list(signature.parameters.values())
    if any(p.kind is kinds.VAR_POSITIONAL for p in params):
        return positional, {}, "", None
    takes_extra = any(p.kind is kinds.VAR_KEYWORD for p in params)
    params = [p for p in params if p.kind is not kinds.VAR_KEYWORD]
    named = {p.name for p in params} & set(parameters)
    left = [name for name in parameters if name not in named]
    plan = []  # (the learner's parameter, the expected name whose value it gets)
    for p in params:
        if p.name in named:
            plan.append((p, p.name))
        elif left and p.kind is not kinds.KEYWORD_ONLY:
            plan.append((p, left.pop(0)))
        elif p.default is kinds.empty:
            return None, {}, "", f"its parameter {p.name!r} is not one the checker can fill"
    if left and not takes_extra:
        return None, {}, "", f"it takes {len(params)} parameter(s), and the checker passes {len(parameters)}"
    extra = list(left)

    def call(values):
        args = [values[name] for p, name in plan if p.kind is kinds.POSITIONAL_ONLY]
        kwargs = {p.name: values[name] for p, name in plan if p.kind is not kinds.POSITIONAL_ONLY}
        kwargs.update({name: values[name] for name in extra})
        return fn(*args, **kwargs)

    renamed = [(p.name, name) for p, name in plan if p.name != name]
    note = ""
    if renamed:
        note = " (The checker matched your parameters by position: " + ", ".join(f"{a} ← {b}" for a, b in renamed) + ".)"
    return call, {name: p.name for p, name in plan}, note, None


def _as_outputs(result, returns: tuple, expected: tuple, fname: str, t: int) -> tuple:
    """The learner's return value as a tuple of float arrays shaped as ``expected``, or _Stop."""
    n = len(returns)
    listing = ", ".join(returns)
    if result is None:
        raise _Stop(CheckResult(False, f"{fname} returned None — did you forget `return`? It should return {listing}.",
                                mistakes=("returned_none",)))
    if n == 1:
        if isinstance(result, (tuple, list)) and len(result) == 1:
            result = result[0]
        elif isinstance(result, (tuple, list)) and any(np.ndim(r) > 0 for r in result) and len(result) != len(expected[0]):
            raise _Stop(CheckResult(False, f"{fname} returned {len(result)} values; it should return one: {listing}.",
                                    mistakes=("wrong_count",)))
        values = [result]
    elif isinstance(result, (tuple, list)):
        values = list(result)
    elif isinstance(result, np.ndarray) and result.ndim == 1 + np.ndim(expected[0]) and len(result) == n:
        values = list(result)  # np.array([theta_new, m_new]): one row per value
    else:
        values = [result]
    if len(values) != n:
        shape = f" (an array of shape {np.shape(result)})" if len(values) == 1 else ""
        raise _Stop(CheckResult(False, f"{fname} returned {len(values)} value{'s' if len(values) != 1 else ''}{shape}; "
                                       f"it should return {n}: {listing}.", mistakes=("wrong_count",)))
    arrays = []
    for name, value, like in zip(returns, values, expected):
        try:
            array = np.asarray(value)
        except Exception:  # an object numpy cannot read
            array = np.asarray(None)
        if array.dtype.kind not in "biuf":
            raise _Stop(CheckResult(False, f"{fname} returned, as {name}, something that is not an array of real numbers "
                                           f"({type(value).__name__}).", mistakes=("not_numbers",)))
        if array.shape != np.shape(like):
            raise _Stop(CheckResult(False, f"{fname} returned {name} with shape {array.shape}; it should have the shape of "
                                           f"theta, {np.shape(like)} (at step t = {t}).", mistakes=("wrong_shape",)))
        arrays.append(array.astype(float))
    return tuple(arrays)


def _raised(error: Exception, fname: str, t: int) -> CheckResult:
    if isinstance(error, NotImplementedError):
        return CheckResult(False, f"{fname} is not written yet: fill in the function, then run this cell again.",
                           status=NOT_WRITTEN, mistakes=("not_written",))
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != __file__]  # skip the checker's calls
    where = ""
    if frames:
        mine = [f for f in frames if f.filename == frames[0].filename and f.line]
        if mine:
            where = f", in the line `{mine[-1].line}`"
    return CheckResult(False, f"{fname} raised {type(error).__name__}: {error} (at step t = {t}{where}).",
                       mistakes=("raised",))


# --- comparing numbers -------------------------------------------------------------------------


def _agree(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))


def _first_difference(outputs: list, expected: list):
    """The first (call number t, index of the output) where ``outputs`` differ from ``expected``, or None."""
    for t, (mine, theirs) in enumerate(zip(outputs, expected), start=1):
        for i, (a, b) in enumerate(zip(mine, theirs)):
            if not _agree(a, b):
                return t, i
    return None


def _two_numbers(mine: np.ndarray, theirs: np.ndarray) -> str:
    """'you returned … , expected …' with just enough digits that the two read differently, and their gap."""
    for digits in range(6, 18):
        a, b = (np.array2string(x, precision=digits, separator=", ") for x in (mine, theirs))
        if a != b:
            break
    with np.errstate(all="ignore"):
        gap = np.abs(mine - theirs) / np.maximum(np.abs(theirs), np.finfo(float).tiny)
    if np.isnan(mine).any() and not np.isnan(theirs).any():
        size = "your values include NaN (a square root of a negative number, or 0/0?)"
    else:
        size = f"largest relative difference {np.nanmax(gap):.2g}"
    return f"you returned {a}, expected {b} ({size})"


# --- the engine -----------------------------------------------------------------------------------


def check_function(
    fn,
    *,
    label: str,
    signature: str,
    parameters: tuple,
    returns: tuple,
    drive: Callable,
    expected: list,
    candidates: Callable[[], Iterable] = lambda: (),
    explain: dict | None = None,
) -> CheckResult:
    """Run the learner's ``fn`` as ``drive`` says, compare with the right answer, and name its mistakes.

    label : what is compared with, e.g. ``"descent.Adam(lr=0.01)"``.
    signature : the function as the exercise asks for it, e.g. ``"gd_step(theta, g, lr) -> theta_new"``.
    parameters, returns : the names ``fn`` should take, in order, and of what it returns.
    drive : ``drive(call)`` calls ``call(values)`` (a dict keyed by ``parameters``) as the
        exercise needs, e.g. once per step, feeding back what came out, and returns the list
        of results, each a tuple of arrays (one per name in ``returns``).
    expected : what ``drive`` gives for the right function: the numbers to match.
    candidates : on a mismatch, an iterable of ``(slips, function)``, ordered by the number of
        slips: a tuple of keys of ``explain`` and a function of the same ``parameters`` (called
        with the dict) that makes exactly those mistakes. Every candidate with the fewest slips
        that reproduces the learner's numbers is named.
    explain : ``{slip: sentence for the learner}``.
    """
    explain = explain or {}
    fname = _name(fn) if callable(fn) else ""
    if not callable(fn):
        return CheckResult(False, f"expected a function {signature}, got {type(fn).__name__}.", mistakes=("not_a_function",))
    call, learner_names, note, problem = _binder(fn, parameters)
    if problem:
        try:
            shown = f"{fname}{inspect.signature(fn)}"
        except (TypeError, ValueError):
            shown = fname
        return CheckResult(False, f"{shown} cannot be called as the exercise asks: {problem}. Write it as {signature}.",
                           mistakes=("signature",))
    with np.errstate(all="ignore"):  # a wrong rule may divide by 0: the message below says more than a warning
        outputs, changed = _run_learner(call, drive, parameters, returns, expected, fname)
        if isinstance(outputs, CheckResult):
            return outputs
        difference = _first_difference(outputs, expected)
        found = () if difference is None else _explain(outputs, drive, candidates)
    mutated = ""
    if changed:
        inputs = " and ".join(f"`{learner_names.get(name, name)}`" for name in changed)
        mutated = (f"{fname} changes its input {inputs} in place (a line such as `theta -= lr * g` or `m *= beta` writes "
                   "into the array it was given, and the caller's array changes with it). The book's loops keep using "
                   "the arrays they pass in, so compute new ones instead: `theta_new = theta - lr * g`.")
    if difference is None:
        if mutated:
            return CheckResult(False, mutated + " Apart from that, your numbers are right.", mistakes=("mutation",))
        n = len(expected)
        return CheckResult(True, f"{fname} matches {label} on all {n} steps. Well done!")
    prefix = (mutated + " Also: ") if mutated else ""
    extra = ("mutation",) if mutated else ()
    if found:
        return CheckResult(False, prefix + _name_mistakes(fname, label, found, explain) + note,
                           mistakes=extra + tuple(dict.fromkeys(s for slips in found for s in slips)))
    t, i = difference
    name = returns[i].removesuffix("_new")
    if learner_names.get(name, name) != name:
        name = f"{learner_names[name]} (the checker's {name})"
    return CheckResult(
        False,
        prefix + f"{fname} differs from {label} first at step t = {t}, in {name}: "
        f"{_two_numbers(outputs[t - 1][i], expected[t - 1][i])}. No mistake the checker knows explains it: "
        "compare your lines with the update rule in the text, one at a time." + note,
        mistakes=extra + ("unexplained",),
    )


def _run_learner(call, drive, parameters, returns, expected, fname):
    """Drive the learner's function on copies of its inputs: (outputs, names of inputs it changed) or a CheckResult."""
    changed = []
    count = itertools.count(1)

    def learner(values):
        t = next(count)
        given = {name: values[name] for name in parameters}
        copies = {name: v.copy() if isinstance(v, np.ndarray) else v for name, v in given.items()}
        try:
            result = call(copies)
        except Exception as error:  # the learner's code: report it, never crash the notebook
            raise _Stop(_raised(error, fname, t))
        for name, value in given.items():
            if isinstance(value, np.ndarray) and not np.array_equal(copies[name], value, equal_nan=True):
                if name not in changed:
                    changed.append(name)
        return _as_outputs(result, returns, expected[t - 1], fname, t)

    try:
        return drive(learner), changed
    except _Stop as stop:
        return stop.result, changed


def _explain(outputs, drive, candidates) -> list:
    """The slips of every candidate with the fewest slips that gives the learner's numbers."""
    found, fewest = [], None
    for slips, candidate in candidates():
        if fewest is not None and len(slips) > fewest:
            break
        try:
            drive(_watched(candidate, outputs))
        except Exception:  # it parted from the learner's numbers (or could not run here): it explains nothing
            continue
        # It gives the learner's numbers, which differ from the expected ones: so do these slips.
        found.append(slips)
        fewest = len(slips)
    return found


def _watched(candidate, outputs):
    """``candidate``, stopped at the first call whose result parts from ``outputs``: most stop at t = 1."""
    count = itertools.count()

    def call(values):
        result = candidate(values)
        if not all(_agree(a, b) for a, b in zip(result, outputs[next(count)])):
            raise _Parted
        return result

    return call


def _name_mistakes(fname: str, label: str, found: list, explain: dict) -> str:
    def sentences(slips):
        return " ".join(f"({k}) {explain[s]}" if len(slips) > 1 else explain[s] for k, s in enumerate(slips, start=1))

    if len(found) == 1 and len(found[0]) == 1:
        return f"{fname} differs from {label}: {explain[found[0][0]]}"
    if len(found) == 1:
        return f"{fname} differs from {label} in {len(found[0])} ways, which together give exactly your numbers: {sentences(found[0])}"
    options = " Or: ".join(sentences(slips) for slips in found)
    return f"{fname} differs from {label}, and your numbers fit more than one explanation: {options}"


# --- optimizer steps --------------------------------------------------------------------------------

#: Mistakes about what the step does with its result, the same for every optimizer.
OUTPUT_SLIPS = {"sign": ("uphill",), "lr": ("lr_missing",), "returned": ("returned_step",)}


def _gradient_stream(steps: int = 12, size: int = 3, seed: int = 0) -> np.ndarray:
    """Gradients with both signs, a zero and scales from 1e-3 to 1e2, so that ε and signs matter."""
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(steps, size)) * 10.0 ** rng.uniform(-3, 2, size=(steps, 1))
    grads[3, 1] = 0.0
    return grads


THETA0 = np.array([0.5, -1.0, 2.0])


def _combinations(dimensions: dict):
    """Every choice of at most MAX_SLIPS non-default options, fewest first: (slips, {dimension: option})."""
    names = list(dimensions)
    for k in range(1, MAX_SLIPS + 1):
        for chosen in itertools.combinations(names, k):
            for options in itertools.product(*(dimensions[d] for d in chosen)):
                yield options, dict(zip(chosen, options))


def check_step(fn, optimizer, *, name: str, state: dict, hyper: dict, pass_t: bool, rule_slips: dict,
               mistaken_rule: Callable, explain: dict, formula: str, label: str | None = None) -> CheckResult:
    """Check the learner's ``fn(theta, g, *state, [t,] *hyper) -> (theta_new, *state_new)`` against ``optimizer``.

    The engine of every ``check_*_step``, for checkers of other optimizers too.
    ``fn`` is run along a fixed stream of 12 gradients from θ_0 (its own outputs
    fed back) and compared with :func:`~descent.replay.replay` of ``optimizer``.

    name : the function the exercise asks for, e.g. ``"adam_step"`` (for the messages).
    state : {the learner's name: the field of the optimizer's state}, e.g. ``{"m": "velocity"}``.
    hyper : {name: value} passed to ``fn`` by name, e.g. ``{"lr": 0.1, "beta": 0.9}``; needs ``lr``.
    pass_t : whether ``fn`` takes t, the number of the step (1 on the first call).
    rule_slips : {dimension: options} of the mistakes inside the rule, e.g.
        ``{"eps": ("eps_inside", "eps_missing")}``: up to MAX_SLIPS dimensions are combined,
        with the slips every optimizer can make (OUTPUT_SLIPS: sign, lr, returning Δ).
    mistaken_rule : ``mistaken_rule(choice)``, with ``choice`` a dict {dimension: option} of
        the rule slips made (empty: none), returns ``rule(g, *state, t) -> (Δ_t, *state_t)``.
    explain : {option: the sentence that names it for the learner}.
    formula : the step in the book's notation, e.g. ``"−α m_t"`` (for the sign and lr sentences).
    label : what the learner is compared with; by default ``descent.<Optimizer>(hyper...)``.
    """
    grads = _gradient_stream()
    parameters = ("theta", "g", *state, *(("t",) if pass_t else ()), *hyper)
    returns = ("theta_new", *(f"{s}_new" for s in state))
    record = replay(optimizer, grads, THETA0)
    right = [(record.points[t], *(getattr(record.states[t - 1], f) for f in state.values())) for t in range(1, len(grads) + 1)]
    lr = hyper["lr"]

    def drive(call):
        theta, memory, results = THETA0, [np.zeros_like(THETA0) for _ in state], []
        for t, g in enumerate(grads, start=1):
            values = {"theta": theta, "g": g, **dict(zip(state, memory)), "t": t, **hyper}
            result = call(values)
            theta, memory = result[0], list(result[1:])
            results.append(result)
        return results

    def candidate(rule, output):
        def step(values):
            delta, *memory = rule(values["g"], *(values[s] for s in state), values["t"])
            if "lr_missing" in output:
                delta = delta / lr
            if "uphill" in output:
                delta = -delta
            return (delta if "returned_step" in output else values["theta"] + delta, *memory)

        return step

    def candidates():
        dims = {**rule_slips, **OUTPUT_SLIPS}
        for slips, choice in _combinations(dims):
            inner = {d: o for d, o in choice.items() if d in rule_slips}
            yield slips, candidate(mistaken_rule(inner), set(choice.values()))

    explain = {
        "uphill": f"your step goes uphill: θ moves by {formula}, so subtract, do not add.",
        "lr_missing": f"the learning rate is missing: the step is {formula}, with the factor α = lr.",
        "returned_step": "you returned the step Δ_t instead of the new point: return θ_t = θ_{t−1} + Δ_t (theta + step).",
        **explain,
    }
    args = ", ".join(parameters)
    signature = f"{name}({args}) -> {returns[0] if len(returns) == 1 else '(' + ', '.join(returns) + ')'}"
    label = label or f"descent.{type(optimizer).__name__}({', '.join(f'{k}={v!r}' for k, v in hyper.items())})"
    return check_function(fn, label=label, signature=signature, parameters=parameters,
                          returns=returns, drive=drive, expected=right, candidates=candidates, explain=explain)


def check_gd_step(fn: Callable, lr: float = 0.1) -> CheckResult:
    """Check ``fn(theta, g, lr) -> theta_new`` against θ_t = θ_{t−1} − α g_t."""
    optimizer = GradientDescent(lr)  # validates lr as the optimizer does
    return check_step(fn, optimizer, name="gd_step", state={}, hyper={"lr": lr}, pass_t=False, rule_slips={},
                       mistaken_rule=lambda choice: lambda g, t: (gd_rule(g, lr),), explain={}, formula="−α g_t")


def check_momentum_step(fn: Callable, lr: float = 0.1, beta: float = 0.9) -> CheckResult:
    """Check ``fn(theta, g, m, lr, beta) -> (theta_new, m_new)`` against average-form momentum.

    m_t = β m_{t−1} + (1 − β) g_t,  θ_t = θ_{t−1} − α m_t.
    """
    optimizer = Momentum(lr, beta, form="ewa")

    def mistaken_rule(choice):
        b = 1 - beta if "swapped" in choice else beta
        form = choice.get("form", "ewa")

        def rule(g, m, t):
            step, m_new = momentum_rule(g, m, lr, b, form)
            return (-lr * m if "velocity" in choice else step), m_new

        return rule

    explain = {
        "heavy_ball": "you wrote the heavy-ball form m = βm + g; this exercise uses the average m = βm + (1 − β)g "
                      "(the two differ by a factor 1/(1 − β) on the learning rate).",
        "swapped": "β and 1 − β are swapped: the old m is weighted by β, the new gradient by 1 − β.",
        "old_velocity": "the step uses the old velocity m_{t−1}; update m first, then step with the new m_t.",
    }
    slips = {"form": ("heavy_ball",), "swapped": ("swapped",), "velocity": ("old_velocity",)}
    return check_step(fn, optimizer, name="momentum_step", state={"m": "velocity"}, hyper={"lr": lr, "beta": beta},
                       pass_t=False, rule_slips=slips, mistaken_rule=mistaken_rule, explain=explain, formula="−α m_t")


def _adaptive_slips(accumulator: str) -> tuple:
    """The mistakes AdaGrad and RMSProp share, with their sentences; ``accumulator`` is s or v."""
    slips = {"squares": ("g_not_squared",), "root": ("no_root",), "eps": ("eps_inside", "eps_missing")}
    explain = {
        "no_root": f"the square root is missing: divide g by √{accumulator} + ε, not by {accumulator} + ε.",
        "eps_missing": f"ε is missing: divide g by √{accumulator} + ε (ε keeps the division away from 0), not by √{accumulator} alone.",
    }
    return slips, explain


def _mistaken_adaptive(g, old, new, choice, lr, eps):
    """Δ = −α g/(√a + ε) from the accumulator a, with the slips of ``choice`` (no root, ε inside or missing, old a)."""
    e = 0.0 if choice.get("eps") == "eps_missing" else eps
    a = old if "old" in choice else new
    if choice.get("eps") == "eps_inside":
        a = a + e
    root = a if "root" in choice else np.sqrt(a)
    return -lr * (g / (root if choice.get("eps") == "eps_inside" else root + e))


def check_adagrad_step(fn: Callable, lr: float = 0.1, eps: float = 1e-8) -> CheckResult:
    """Check ``fn(theta, g, s, lr, eps) -> (theta_new, s_new)``: s_t = s_{t−1} + g_t², θ_t = θ_{t−1} − α g_t/(√s_t + ε)."""
    optimizer = AdaGrad(lr, eps)
    slips, explain = _adaptive_slips("s")

    def mistaken_rule(choice):
        def rule(g, s, t):
            if not choice:
                return adagrad_rule(g, s, lr, eps)
            s_new = s + (g if "squares" in choice else g * g)
            return _mistaken_adaptive(g, s, s_new, choice, lr, eps), s_new

        return rule

    explain.update({
        "g_not_squared": "s must add the square g², not g itself.",
        "eps_inside": "ε is inside the square root; here it goes outside: g/(√s + ε).",
    })
    return check_step(fn, optimizer, name="adagrad_step", state={"s": "s"}, hyper={"lr": lr, "eps": eps}, pass_t=False,
                       rule_slips=slips, mistaken_rule=mistaken_rule, explain=explain, formula="−α g_t/(√s_t + ε)")


def check_rmsprop_step(fn: Callable, lr: float = 0.01, beta: float = 0.9, eps: float = 1e-8) -> CheckResult:
    """Check ``fn(theta, g, v, lr, beta, eps) -> (theta_new, v_new)`` against RMSProp with ε outside the root.

    v_t = β v_{t−1} + (1 − β) g_t²,  θ_t = θ_{t−1} − α g_t/(√v_t + ε).
    """
    optimizer = RMSProp(lr, beta, eps)
    slips, explain = _adaptive_slips("v")
    slips.update({"swapped": ("swapped",), "old": ("old_v",)})

    def mistaken_rule(choice):
        b = 1 - beta if "swapped" in choice else beta

        def rule(g, v, t):
            if set(choice) <= {"swapped", "eps"}:  # the package's own flags cover these
                e = 0.0 if choice.get("eps") == "eps_missing" else eps
                return rmsprop_rule(g, v, t, lr, b, e, eps_inside_sqrt=choice.get("eps") == "eps_inside")
            v_new = b * v + (1 - b) * (g if "squares" in choice else g * g)
            return _mistaken_adaptive(g, v, v_new, choice, lr, eps), v_new

        return rule

    explain.update({
        "g_not_squared": "the average must be of g², not g.",
        "eps_inside": "ε is inside the square root (the Keras/optax convention); this exercise, like PyTorch and Adam's "
                      "Algorithm 1, puts it outside: g/(√v + ε).",
        "swapped": "β and 1 − β are swapped in the average of g²: the old v is weighted by β, the new g² by 1 − β.",
        "old_v": "the step divides by the old average v_{t−1}; update v first.",
    })
    return check_step(fn, optimizer, name="rmsprop_step", state={"v": "v"}, hyper={"lr": lr, "beta": beta, "eps": eps},
                       pass_t=False, rule_slips=slips, mistaken_rule=mistaken_rule, explain=explain,
                       formula="−α g_t/(√v_t + ε)")


def check_adam_step(fn: Callable, lr: float = 0.01, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> CheckResult:
    """Check ``fn(theta, g, m, v, t, lr, beta1, beta2, eps) -> (theta_new, m_new, v_new)`` against Algorithm 1.

    ``t`` is the number of the step being taken: 1 on the first call. m and v
    are returned uncorrected; the bias correction is used only for the step.
    """
    optimizer = Adam(lr, beta1, beta2, eps)
    slips = {
        "correction": ("no_correction", "only_m_hat", "only_v_hat"),
        "t": ("t_from_0", "t_plus_1"),
        "betas": ("betas_swapped",),
        "root": ("no_root",),
        "eps": ("eps_inside", "eps_missing"),
        "state": ("corrected_state",),
    }

    def mistaken_rule(choice):
        b1, b2 = (beta2, beta1) if "betas" in choice else (beta1, beta2)
        shift = {"t_from_0": -1, "t_plus_1": 1}.get(choice.get("t"), 0)
        e = 0.0 if choice.get("eps") == "eps_missing" else eps
        correction = choice.get("correction")
        # The package's own rule covers these: its arguments, and its flag bias_correction=False.
        by_package = set(choice) <= {"betas", "t", "eps", "correction"} and correction in (None, "no_correction") \
            and choice.get("eps") != "eps_inside"

        def rule(g, m, v, t):
            t = t + shift
            if by_package:
                step, m_new, v_new, _ = adam_rule(g, m, v, t, lr, b1, b2, e, bias_correction=correction is None)
                return step, m_new, v_new
            m_new = b1 * m + (1 - b1) * g
            v_new = b2 * v + (1 - b2) * g * g
            m_hat = m_new / (1 - b1**t) if correction in (None, "only_m_hat") else m_new
            v_hat = v_new / (1 - b2**t) if correction in (None, "only_v_hat") else v_new
            inside = choice.get("eps") == "eps_inside"
            a = v_hat + e if inside else v_hat
            root = a if "root" in choice else np.sqrt(a)
            step = -lr * (m_hat / (root if inside else root + e))
            return (step, m_hat, v_hat) if "state" in choice else (step, m_new, v_new)

        return rule

    first = (1 - beta1) / np.sqrt(1 - beta2)
    size = f"≈ {first:.2f} times too large" if first > 1 else f"only ≈ {first:.2f} times the corrected one"
    explain = {
        "no_correction": "there is no bias correction: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ before the step. Without it "
                         f"the first step is (1 − β₁)/√(1 − β₂) {size} here.",
        "only_m_hat": "only m is bias-corrected: divide v by 1 − β₂ᵗ too, and take the root of v̂ = v/(1 − β₂ᵗ).",
        "only_v_hat": "only v is bias-corrected: divide m by 1 − β₁ᵗ too, and step along m̂ = m/(1 − β₁ᵗ).",
        "t_from_0": "t is counted from 0: on the first call t = 1, so the corrections are 1 − β₁¹ and 1 − β₂¹ "
                    "(with t = 0 they would divide by zero).",
        "t_plus_1": "t is one too large: the checker passes t = 1 on the first call; use it as it is.",
        "betas_swapped": f"β₁ and β₂ are swapped: m, the average of g, decays with β₁ = {beta1}; v, the average of g², "
                         f"with β₂ = {beta2}.",
        "no_root": "the square root is missing: divide m̂ by √v̂ + ε, not by v̂ + ε.",
        "eps_inside": "ε is inside the square root; Algorithm 1 adds it outside: m̂/(√v̂ + ε).",
        "eps_missing": "ε is missing: divide m̂ by √v̂ + ε, not by √v̂ alone.",
        "corrected_state": "you return the bias-corrected m̂ and v̂ as the new state; keep the raw m and v (the correction "
                           f"is applied afresh at every step, otherwise m grows by up to {1 / (1 - beta1):.0f}× over the "
                           "first steps).",
    }
    hyper = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}
    return check_step(fn, optimizer, name="adam_step", state={"m": "m", "v": "v"}, hyper=hyper, pass_t=True,
                       rule_slips=slips, mistaken_rule=mistaken_rule, explain=explain, formula="−α m̂_t/(√v̂_t + ε)")

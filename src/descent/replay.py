"""Replay a fixed stream of gradients through an optimizer, and keep every step.

:func:`minimize` computes each gradient where the previous steps went (a closed
loop). To look at what an optimizer does with given gradients, whatever the
path, a notebook, a test or an exercise checker feeds it a stream
g_1, …, g_n fixed in advance (an open loop)::

    state = optimizer.init(θ_0)
    for t = 1, …, n:
        step, state = optimizer.update(g_t, state, θ_{t−1})
        θ_t = θ_{t−1} + step

:func:`replay` is that loop, written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .loops import require_optimizer
from .tree import as_tree, tree_add, zeros_like

__all__ = ["Replay", "replay"]


@dataclass(frozen=True, repr=False)
class Replay:
    """The record of one call to :func:`replay`, with n = ``steps_taken``.

    points : θ_0, θ_1, …, θ_n; ``points[t]`` is θ_t
        An array of shape (n + 1, *shape) when θ is an array, a list of dicts when it is a dict.
    steps : Δ_1, …, Δ_n; ``steps[t − 1]`` is Δ_t = θ_t − θ_{t−1}
        An array of shape (n, *shape), or a list of dicts.
    grads : g_1, …, g_n, as given.
    states : list of n optimizer states
        ``states[t − 1]`` is the state after step t (e.g. ``AdamState(m, v, t, v_max)``).
    optimizer : what was replayed.
    """

    points: Any
    steps: Any
    grads: Any
    states: list
    optimizer: Any

    @property
    def steps_taken(self) -> int:
        return len(self.states)

    @property
    def final_point(self):
        """θ_n."""
        return self.points[-1]

    def __repr__(self) -> str:
        # The default repr would print every state.
        return f"Replay({self.optimizer!r}: {self.steps_taken} steps)"


def replay(optimizer, grads, params0=None) -> Replay:
    """Feed the gradients ``grads`` = g_1, …, g_n to ``optimizer`` from θ_0 = ``params0``.

    ``grads`` is an array whose first axis counts the steps (shape (n, *shape))
    or a sequence of gradients, each an array or a dict of arrays like θ.
    ``params0`` defaults to zeros shaped like g_1. Step t calls
    ``optimizer.update(g_t, state, θ_{t−1})`` and sets θ_t = θ_{t−1} + Δ_t, so
    an optimizer that reads θ (AdamW's decay) sees the replayed path.

    >>> from descent import Adam
    >>> record = replay(Adam(lr=0.1), [[1.0], [-2.0]])
    >>> record.steps_taken, record.points.shape, record.states[-1].t
    (2, (3, 1), 2)
    >>> print(record.steps[0])    # Adam's first step is −α·sign(g_1)
    [-0.1]
    """
    require_optimizer(optimizer)
    if isinstance(grads, dict):
        raise TypeError("grads must be a sequence of gradients g_1, …, g_n (for one step, write [grads])")
    grads = list(grads) if not isinstance(grads, np.ndarray) else grads
    if params0 is None:
        if len(grads) == 0:
            raise ValueError("grads is empty: give at least one gradient, or params0 to start from")
        params0 = zeros_like(as_tree(grads[0], "grads[0]"))
    theta = as_tree(params0, "params0")
    state = optimizer.init(theta)
    points, steps, states = [theta], [], []
    for g in grads:
        step, state = optimizer.update(g, state, theta)
        theta = tree_add(theta, step)
        points.append(theta)
        steps.append(step)
        states.append(state)
    if not isinstance(theta, dict):
        points = np.array(points)
        steps = np.array(steps).reshape((len(steps), *np.shape(theta)))
    return Replay(points=points, steps=steps, grads=grads, states=states, optimizer=optimizer)

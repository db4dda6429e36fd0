"""The loops' shared vocabulary and helpers (descent.loops), tested once for minimize, train and projected_run."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descent import Adam, AdamState, GradientDescent, LinearRegression, LinearRegressionMSE, Quadratic, minimize, train
from descent.loops import epoch_batches, require_optimizer, rng_from_seed, stop_message
from descent.online import CyclicLinear, projected_run


def test_seeds_are_integers_or_generators_everywhere():
    np.testing.assert_array_equal(rng_from_seed(3).permutation(10), np.random.default_rng(3).permutation(10))
    generator = np.random.default_rng(0)
    assert rng_from_seed(generator) is generator
    for bad, error in [(None, TypeError), (1.5, TypeError), (True, TypeError), ("0", TypeError), (-1, ValueError)]:
        with pytest.raises(error, match=r"seed must be an integer >= 0 or a numpy Generator"):
            rng_from_seed(bad)


def test_a_full_batch_is_every_row_in_order_and_leaves_the_generator_unused():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert [b.tolist() for b in epoch_batches(5, 5, rng)] == [[0, 1, 2, 3, 4]]
    assert [b.tolist() for b in epoch_batches(5, 9, rng)] == [[0, 1, 2, 3, 4]]
    assert rng.bit_generator.state == state


def test_stop_message_and_require_optimizer():
    assert stop_message(7, "the loss became non-finite") == "stopped at step 7: the loss became non-finite (diverged)"
    assert stop_message(7, "x", epoch=2) == "stopped at step 7 (epoch 2): x (diverged)"
    require_optimizer(Adam())
    with pytest.raises(TypeError, match=r"not the class Adam itself"):
        require_optimizer(Adam)
    with pytest.raises(TypeError, match=r"object lacks init and update"):
        require_optimizer(object())


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 80), seed=st.integers(0, 2**32))
def test_each_epoch_uses_every_sample_once(n, batch_size, seed):
    # 40 cases: the batches of an epoch partition 0..n−1, none larger than batch_size.
    batches = list(epoch_batches(n, batch_size, rng_from_seed(seed)))
    assert sorted(np.concatenate(batches).tolist()) == list(range(n))
    assert all(1 <= len(b) <= batch_size for b in batches)
    assert len(batches) == math.ceil(n / min(batch_size, n))


# == one vocabulary for the three loops ========================================================

def test_the_three_records_share_one_vocabulary():
    run = minimize(Quadratic(), [1.0, 1.0], Adam(lr=0.1), 10)
    model = LinearRegression()
    history = train(model, model.init_params(1), Adam(lr=0.1), np.ones((4, 1)), np.ones(4), epochs=3)
    online = projected_run(CyclicLinear(), Adam(lr=0.1), 0.0, 10)
    for record, steps in [(run, 10), (history, 3), (online, 10)]:
        assert record.steps_taken == steps
        assert record.stopped is None and record.diverged is False
        assert record.final_loss == float(record.losses[-1])
        assert isinstance(record.final_state, AdamState) and record.final_state.t == steps
        assert record.optimizer == Adam(lr=0.1)
        assert record.final_point is not None
    np.testing.assert_array_equal(run.final_point, run.points[-1])
    np.testing.assert_array_equal(online.final_point, online.points[-1])
    stochastic = train(model, model.init_params(1), Adam(lr=0.1), np.ones((4, 1)), np.ones(4), epochs=2,
                       batch_size=2, seed=5)
    assert (stochastic.batch_size, stochastic.seed, stochastic.steps_taken) == (2, 5, 4)
    assert (history.batch_size, run.batch_size, run.seed) == (None, None, 0)


def test_train_and_minimize_draw_the_same_mini_batches_from_the_same_seed():
    # The same least-squares problem written twice: a model with {"weights", "bias"} for train, an
    # objective of θ = (a, b) for minimize. The same seed must give the same batches, so the same path.
    f = LinearRegressionMSE.noisy_line(n=23, seed=4)
    model = LinearRegression()
    X = f.x[:, None]
    for seed in (0, 7):
        history = train(model, {"weights": np.zeros(1), "bias": np.zeros(())}, GradientDescent(lr=0.3), X, f.y,
                        epochs=3, batch_size=5, seed=seed)
        run = minimize(f, [0.0, 0.0], GradientDescent(lr=0.3), history.steps_taken, batch_size=5, seed=seed)
        got = [float(history.final_point["weights"][0]), float(history.final_point["bias"])]
        np.testing.assert_allclose(got, run.final_point, rtol=1e-12)
    other = minimize(f, [0.0, 0.0], GradientDescent(lr=0.3), history.steps_taken, batch_size=5, seed=1)
    assert not np.allclose(other.final_point, run.final_point, rtol=1e-6)


def test_the_stop_sentence_is_the_same_in_minimize_train_and_projected_run():
    run = minimize(Quadratic(), [1.0, 1.0], GradientDescent(lr=5.0), 100)
    assert run.stopped.startswith("stopped at step ") and run.stopped.endswith("(diverged)")
    model = LinearRegression()
    X = np.arange(8.0)[:, None]
    history = train(model, model.init_params(1), GradientDescent(lr=10.0), X, np.ones(8), epochs=2000)
    assert history.stopped.startswith("stopped at step ") and "(epoch " in history.stopped
    assert history.stopped.endswith("(diverged)") and history.diverged

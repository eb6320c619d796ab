"""Datasets (deterministic, well formed) and the mini-batch trainer."""
import numpy as np
import pytest

from bpviz.core import load_graph, optim
from bpviz.core.data import datasets as ds
from bpviz.core.optimization.trainer import Trainer, hold_out
from bpviz.paths import example_path


@pytest.mark.parametrize("name", sorted(ds.TOY_2D))
def test_toy_sets_are_deterministic_and_balanced(name):
    a, b, c = ds.TOY_2D[name](seed=1), ds.TOY_2D[name](seed=1), ds.TOY_2D[name](seed=2)
    assert a.x.shape == (300, 2) and a.x.dtype == np.float64 and a.y.dtype == np.int64
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, c.x)
    counts = np.bincount(a.y)
    assert len(counts) == len(a.classes) and counts.min() >= 0.8 * 300 / len(a.classes)


@pytest.mark.parametrize("name,shape,classes", [("shapes", (1, 16, 16), 4),
                                                ("imagenet10", (3, 32, 32), 10)])
def test_image_sets(name, shape, classes):
    d = ds.IMAGES[name](n=60, seed=0)
    assert d.x.shape == (60,) + shape and len(d.classes) == classes
    assert np.array_equal(d.x, ds.IMAGES[name](n=60, seed=0).x)
    assert set(d.y) == set(range(classes))
    # classes differ: the mean images of two classes are far apart compared to the noise
    m0, m1 = d.x[d.y == 0].mean(0), d.x[d.y == 1].mean(0)
    assert np.abs(m0 - m1).mean() > 0.05


def test_imagenet10_names_are_the_lectures():
    names = ds.imagenet10(n=10).classes
    assert names[0] == "kit fox" and "lesser panda" in names and len(set(names)) == 10
    assert ds.IMAGENET10[3] == ("n02066245", "grey whale")


def test_split_and_batches():
    d = ds.spirals(n=100)
    train, test = d.split(0.2, seed=0)
    assert len(train) == 80 and len(test) == 20
    assert not set(map(tuple, train.x)) & set(map(tuple, test.x))
    sizes = [len(y) for _, y in train.batches(32, np.random.default_rng(0))]
    assert sizes == [32, 32, 16]


def test_mlp_on_spirals_reaches_95_percent():
    g = load_graph(example_path("spirals_mlp"))
    data = ds.spirals(n=300, seed=0)
    trainer = Trainer(g, optim.Adam(lr=0.01))
    history = trainer.fit(data, epochs=60, batch_size=32)
    loss, acc = trainer.evaluate(data)
    assert acc >= 0.95, acc
    assert history[-1].loss < history[0].loss / 5
    assert len(history) == 60 * 10 and history[-1].step == 600


def test_trainer_callback_can_stop_and_cnn_learns_shapes():
    g = load_graph(example_path("shapes_cnn"))
    data = ds.shapes(n=256, seed=0)
    trainer = Trainer(g, optim.SGD(lr=0.05, momentum=0.9))
    trainer.fit(data, epochs=5, batch_size=32, callback=lambda r: r.step < 30)
    assert trainer.steps == 30
    trainer.fit(data, epochs=4, batch_size=32)
    assert trainer.evaluate(data)[1] >= 0.8


def test_a_csv_field_too_long_for_the_csv_module_is_a_data_error(tmp_path):
    from bpviz.core.errors import DataError
    path = tmp_path / "big.csv"
    path.write_text("1,2,a\n" + "9" * 200_000 + ",1,b\n")
    with pytest.raises(DataError, match="'big.csv' is not a readable CSV file"):
        ds.read_csv(path)


def spirals_trainer(optimizer, seed=0):
    return Trainer(load_graph(example_path("spirals_mlp")), optimizer, seed=seed)


def test_fit_runs_the_same_steps_as_a_hand_written_epoch_loop():
    data = ds.spirals(n=100, seed=0)
    fitted = spirals_trainer(optim.SGD(lr=0.1))
    fitted.fit(data, epochs=2, batch_size=32)
    by_hand = spirals_trainer(optim.SGD(lr=0.1))
    for epoch in range(2):
        for x, y in data.batches(32, by_hand.rng):
            by_hand.train_step(x, y, epoch)
    assert [(r.step, r.epoch) for r in fitted.history] == [(s, (s - 1) // 4)
                                                           for s in range(1, 9)]
    assert [r.loss for r in fitted.history] == [r.loss for r in by_hand.history]


def test_run_stops_after_its_steps_and_draws_only_the_batches_it_uses():
    train, _ = hold_out(ds.spirals(n=100, seed=0))
    trainer = spirals_trainer(optim.Adam(lr=0.01))
    state = trainer.rng.bit_generator.state
    assert trainer.run(trainer.random_batches(train, 32), steps=0).records == []
    assert trainer.run(trainer.random_batches(train, 32), seconds=0).records == []
    assert trainer.rng.bit_generator.state == state and trainer.steps == 0
    progress = trainer.run(trainer.random_batches(train, 32), steps=5, seconds=60)
    assert progress.diverged == "" and progress.records == trainer.history
    assert [r.step for r in progress.records] == [1, 2, 3, 4, 5] and trainer.steps == 5
    sizes = []
    trainer.train_step = lambda x, y, epoch: sizes.append(len(x)) or 1.0
    batches = trainer.random_batches(train, 500)        # more than there are samples
    trainer.run(batches, callback=lambda r: len(sizes) < 3)
    assert sizes == [len(train)] * 3


def test_a_diverging_loss_stops_the_loop_and_stays_off_the_curve():
    data = ds.spirals(n=100, seed=0)
    trainer = spirals_trainer(optim.SGD(lr=1e200))
    history = trainer.fit(data, epochs=50, batch_size=32)
    assert len(history) < 50 * 4 and trainer.diverged
    assert all(np.isfinite(r.loss) for r in history[:-1]) and not np.isfinite(history[-1].loss)
    steps, losses = trainer.loss_curve()
    assert list(steps) == [r.step for r in history[:-1]] and np.isfinite(losses).all()
    again = trainer.run(trainer.random_batches(data, 32), steps=3)
    assert len(again.records) == 1 and again.diverged == (
        f"the loss became {again.records[0].loss} at step {trainer.steps}; "
        f"lower the learning rate")


def test_held_out_history_follows_the_steps():
    from bpviz.core.errors import DataError
    one = ds.Dataset("one", np.zeros((1, 2)), np.zeros(1, np.int64), ["a"])
    with pytest.raises(DataError, match="at least 2 samples"):
        hold_out(one)
    train, held_out = hold_out(ds.spirals(n=100, seed=0))
    assert (len(train), len(held_out)) == (80, 20)
    trainer = spirals_trainer(optim.Adam(lr=0.01))
    assert [len(a) for a in trainer.held_out_curve()] == [0, 0]
    first = trainer.check_held_out(held_out)
    trainer.run(trainer.random_batches(train, 32), steps=200)
    last = trainer.check_held_out(held_out)
    assert last[0] < first[0] / 2 and last[1] > first[1]
    steps, losses = trainer.held_out_curve()
    assert list(steps) == [0, 200] and list(losses) == [first[0], last[0]]
    assert not trainer.diverged


def test_blobs_pm1_labels_are_the_hinges_t():
    d, two = ds.blobs_pm1(seed=3), ds.blobs(classes=2, seed=3)
    assert set(d.y) == {-1, 1} and (d.y == 1).sum() == (d.y == -1).sum() == 150
    np.testing.assert_array_equal(d.x, two.x)          # the same points, relabelled
    assert (d.x[d.y == 1, 0].mean() > 0.5) and (d.x[d.y == -1, 0].mean() < -0.5)
    assert d.y.dtype == np.int64 and list(ds.SIGNED_2D) == ["blobs ±1"]

"""Images and classes in the core: arrays as uint8 pictures (values, dL/dx, Linear rows as
class templates), the per-class nodes of a graph, the one-hot target, each class's loss term,
the colour_shapes data and the small lecture example (checked by hand and against torch)."""
import math

import numpy as np
import pytest

from bpviz.core import Stepper, load_graph
from bpviz.core.backprop.class_vectors import (
    class_nodes,
    lecture_context,
    one_hot,
    per_class_losses,
)
from bpviz.core.data import datasets as ds
from bpviz.core.display.images import (
    MAX_PICTURES,
    gradient_magnitude,
    gradient_pictures,
    image_shape,
    row_images,
    signed_uint8,
    template_pictures,
    to_uint8,
    value_pictures,
)
from bpviz.core.ops import REGISTRY
from bpviz.paths import example_path


def test_image_shape_takes_only_maps():
    assert image_shape((3, 32, 32)) == (3, 32, 32) and image_shape([1, 4, 5]) == (1, 4, 5)
    assert image_shape((3072,)) is None and image_shape((3, 1, 32)) is None
    assert image_shape((2, 3, 4, 4)) is None and image_shape(()) is None


def test_to_uint8_maps_the_range_and_clips():
    a = np.array([-1.0, 0.0, 1.0, 3.0, np.nan])
    np.testing.assert_array_equal(to_uint8(a, -1, 1), [0, 128, 255, 255, 128])  # NaN as 0
    assert to_uint8(a, 2, 2).tolist() == [128] * 5          # a flat range: mid grey
    np.testing.assert_array_equal(signed_uint8([-2.0, 0.0, 2.0], 2.0), [0, 128, 255])


def test_a_known_rgb_image_round_trips():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (3, 5, 7)).astype(np.uint8)
    pixels[0, 0, 0], pixels[1, 0, 1] = 0, 255           # the range is exactly 0..255
    (picture,), _ = value_pictures(pixels / 255.0)
    assert picture.pixels.shape == (5, 7, 3) and picture.pixels.dtype == np.uint8
    np.testing.assert_array_equal(picture.pixels, pixels.transpose(1, 2, 0))
    assert not picture.signed


def test_grey_channels_share_one_scale_and_many_are_limited():
    a = np.zeros((2, 3, 3))
    a[1] = 2.0
    pictures, note = value_pictures(a)
    assert [p.caption for p in pictures] == ["channel 0", "channel 1"]
    assert pictures[0].pixels.max() == 0 and pictures[1].pixels.min() == 255
    assert "black = 0" in note and "white = 2" in note
    pictures, note = value_pictures(np.ones((MAX_PICTURES + 5, 4, 4)))
    assert len(pictures) == MAX_PICTURES and f"of {MAX_PICTURES + 5}" in note


def test_gradient_pictures_magnitude_and_signed_channels():
    g = np.zeros((3, 2, 2))
    g[:, 0, 0] = [3.0, 4.0, 0.0]                        # |g| = 5 at (0, 0)
    g[2, 1, 1] = -5.0
    np.testing.assert_allclose(gradient_magnitude(g), [[5, 0], [0, 5]])
    pictures, note = gradient_pictures(g)
    size, red, green, blue = pictures
    np.testing.assert_array_equal(size.pixels, [[255, 0], [0, 255]])
    assert not size.signed and red.signed and blue.signed
    assert red.pixels[0, 0] == 204 and red.pixels[1, 1] == 128   # (3 + 5) / 10 * 255
    assert blue.pixels[1, 1] == 0                                    # -5: the scale's end
    assert "5" in note
    _, zero_note = gradient_pictures(np.zeros((3, 2, 2)))
    assert "0 everywhere" in zero_note


def test_linear_rows_as_templates_have_the_right_count_size_and_names():
    w = np.arange(3 * 3 * 4 * 5, dtype=float).reshape(3, 60) - 90
    rows = row_images(w, (3, 4, 5))
    np.testing.assert_array_equal(rows[1, 2, 3], w[1, 2 * 20 + 3 * 5: 2 * 20 + 4 * 5])
    pictures, note = template_pictures(w, (3, 4, 5), ["cat", "dog"])
    assert len(pictures) == 3 and [p.caption for p in pictures] == ["cat", "dog", "row 2"]
    assert all(p.pixels.shape == (4, 5, 3) for p in pictures)
    # one symmetric scale for all rows: the most negative weight is black, 0 mid grey
    assert pictures[0].pixels[0, 0, 0] == 0
    zero = np.argwhere(w == 0)[0]
    c, rest = divmod(zero[1], 20)
    assert pictures[zero[0]].pixels[rest // 5, rest % 5, c] == 128
    assert "±90" in note
    grey, _ = template_pictures(np.ones((2, 16)), (1, 4, 4))
    assert len(grey) == 2 and grey[0].signed and grey[0].pixels.shape == (4, 4)
    assert template_pictures(w, (3, 4, 4))[0] == []            # not images of that shape
    assert template_pictures(np.ones((2, 32)), (2, 4, 4))[0] == []    # 2 channels: no


def test_class_nodes_walk_back_from_the_loss_to_the_logits():
    g = load_graph(example_path("fc_softmax_ce"))
    assert class_nodes(g) == {"fc", "softmax", "log"}
    assert class_nodes(load_graph(example_path("hinge_vs_ce"))) == {"scores"}
    assert class_nodes(load_graph(example_path("spirals_mlp"))) == {"fc3"}
    ctx = lecture_context(g, ds.imagenet10(n=10, size=4), targets=[3, 1])
    assert ctx.image_shape == (3, 224, 224) and ctx.names(11)[0] == "kit fox"
    assert ctx.names(11)[10] == "class 10" and ctx.true_class(1) == 1
    assert ctx.true_class(2) is None and ctx.labels("softmax") and not ctx.labels("flatten")


def test_one_hot():
    np.testing.assert_array_equal(one_hot(2, 4), [0, 0, 1, 0])
    np.testing.assert_array_equal(one_hot(-100, 3), [0, 0, 0])      # ignore_index


@pytest.mark.parametrize("op,attrs", [("CrossEntropyLoss", {}),
                                      ("CrossEntropyLoss", {"label_smoothing": 0.2}),
                                      ("NLLLoss", {}), ("MultiMarginLoss", {}),
                                      ("MultiMarginLoss", {"p": 2, "margin": 0.5})])
def test_per_class_losses_sum_to_each_samples_loss(op, attrs):
    rng = np.random.default_rng(1)
    x, t = rng.normal(size=(4, 5)), np.array([0, 3, 4, 1])
    loss = REGISTRY[op](**attrs, reduction="none")
    per_sample = loss.forward(x, t)
    for s in range(4):
        terms = per_class_losses(loss, loss.cache, {"input": x, "target": t}, s)
        assert terms.shape == (5,)
        np.testing.assert_allclose(terms.sum(), per_sample[s], rtol=1e-12)
    assert per_class_losses(REGISTRY["ReLU"](), {}, {}, 0) is None


def test_colour_shapes_light_one_channel_per_class():
    d = ds.colour_shapes(n=30, seed=0)
    assert d.x.shape == (30, 3, 32, 32) and d.classes == ds.COLOUR_SHAPES
    assert np.array_equal(d.x, ds.colour_shapes(n=30, seed=0).x)
    assert set(np.unique(d.x)) == {0.0, 1.0}               # checkable by hand
    for k in range(3):
        lit = d.x[d.y == k].sum(axis=(2, 3))
        assert (lit[:, k] > 20).all() and (np.delete(lit, k, axis=1) == 0).all()
    assert len(ds.colour_shapes(n=10, classes=2).classes) == 2
    with pytest.raises(ValueError):
        ds.colour_shapes(classes=4)


def test_small_lecture_example_matches_the_hand_computation():
    """W = 0: y = 0, sigma = 1/3, L = ln 3, dL/dy = (sigma - t)/N, dL/dW = (sigma - t)ᵀ x / N."""
    g = load_graph(example_path("lecture_small"))
    data = ds.colour_shapes(n=6, seed=0)
    stepper = Stepper(g, {"x": data.x, "t": data.y})
    while not stepper.done:
        stepper.step()
    n = len(data)
    np.testing.assert_allclose(g.value("softmax"), np.full((n, 3), 1 / 3))
    np.testing.assert_allclose(g.value("loss"), math.log(3))
    t = np.eye(3)[data.y]
    np.testing.assert_allclose(g.grad("fc"), (1 / 3 - t) / n)
    np.testing.assert_allclose(g.param_grad("fc", "weight"),
                               (1 / 3 - t).T @ data.x.reshape(n, -1) / n)
    np.testing.assert_array_equal(g.grad("x"), 0)           # dL/dx = Wᵀδ = 0 while W = 0


def test_trained_templates_light_their_own_colour():
    """After plain SGD on colour_shapes each class's row of W is brightest in its channel:
    the lecture's templates, readable as pictures."""
    from bpviz.core import optim
    from bpviz.core.optimization.trainer import Trainer
    g = load_graph(example_path("lecture_small"))
    data = ds.colour_shapes(n=60, seed=0)
    Trainer(g, optim.SGD(lr=0.5)).fit(data, epochs=3, batch_size=20)
    rows = row_images(g.param("fc", "weight"), (3, 32, 32))
    for k in range(3):
        assert rows[k, k].sum() > 0 and rows[k, k].sum() > np.delete(rows[k], k, 0).sum()
    pictures, _ = template_pictures(g.param("fc", "weight"), (3, 32, 32), ds.COLOUR_SHAPES)
    for k, picture in enumerate(pictures):
        assert picture.pixels[..., k].mean() > 128            # above mid grey = 0

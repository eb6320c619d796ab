"""Built-in image sets are made when their arrays are first read (data_source.MadeLater):
opening the lecture's example shows the set's size and classes without drawing its 40
images of 3x224x224, which held up the window's first paint (issue 24)."""
import threading

import numpy as np

from bpviz.core import load_graph
from bpviz.core.classroom import Classroom
from bpviz.core.data import datasets as ds
from bpviz.core.data.data_source import MadeLater, _made, make_now
from bpviz.paths import example_path


def test_opening_the_lecture_example_draws_no_images_until_they_are_read():
    _made.cache_clear()                          # not one another test has read already
    classroom = Classroom(load_graph(example_path("fc_softmax_ce")))
    data = classroom.data.dataset
    assert isinstance(data, MadeLater) and data._made is None
    assert len(data) == 40 and data.classes == [name for _, name in ds.IMAGENET10]
    assert classroom.data.samples == 8 and data._made is None
    feeds = classroom.feeds()                    # a forward pass reads the batch
    assert data._made is not None
    assert next(iter(feeds.values())).shape == (8, 3, 224, 224)


def test_the_arrays_are_those_the_maker_draws_and_made_once():
    data = _made("shapes", 3, 16)
    want = ds.shapes(n=600, size=16, classes=3, seed=0)
    assert len(data) == len(want) and data.classes == want.classes
    np.testing.assert_array_equal(data.x, want.x)
    np.testing.assert_array_equal(data.y, want.y)
    assert data.x is data.x


def test_threads_reading_at_once_share_one_making():
    calls = []

    def make(n):
        calls.append(n)
        return ds.imagenet10(n=n, size=8, seed=0)

    data = MadeLater("imagenet10", 12, make)
    seen = []
    readers = [threading.Thread(target=lambda: seen.append(data.x)) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert calls == [1, 12]                      # one sample for the classes, then the set
    assert all(x is seen[0] for x in seen) and seen[0].shape == (12, 3, 8, 8)


def test_make_now_makes_a_deferred_set_and_leaves_others_alone():
    data = MadeLater("imagenet10", 5, lambda n: ds.imagenet10(n=n, size=8, seed=0))
    make_now(data)
    assert data._made is not None
    make_now(ds.spirals(n=10))                   # made already: nothing to do
    make_now(None)                               # no data chosen


def test_the_untitled_graph_and_the_lecture_example_name_their_classes_without_a_draw():
    """Drawing a sample to learn the class names imported numpy.random (about 20 ms) before
    the first paint (issue 24): spirals and imagenet10 know theirs."""
    _made.cache_clear()
    drawn = []
    data = MadeLater("imagenet10", 5, lambda n: drawn.append(n) or ds.imagenet10(n=n, size=8),
                     ["kit fox"])
    assert data.classes == ["kit fox"] and drawn == []
    untitled = Classroom().data.dataset
    assert isinstance(untitled, MadeLater) and untitled._made is None
    assert untitled.classes == ["arm 0", "arm 1", "arm 2"] and len(untitled) == 300
    np.testing.assert_array_equal(untitled.x, ds.spirals(n=300, seed=0).x)
    five = _made("spirals", 7, 16)               # at most 5 arms
    assert five.classes == ds.spirals(n=10, classes=5).classes
    np.testing.assert_array_equal(five.y, ds.spirals(n=300, classes=5, seed=0).y)

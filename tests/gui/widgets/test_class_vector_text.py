"""A class vector (softmax, target, logits) is read to a screen reader as its lines: each
class with its number, the true class marked, a long vector cut with a count."""
from bpviz.gui.widgets.class_vector import ClassVector


def test_a_screen_reader_hears_every_class_and_its_number(qtbot):
    vector = ClassVector("softmax σ", [0.25, 0.5, 0.25], ["cat", "dog", "kit fox"], 1)
    qtbot.addWidget(vector)
    assert vector.accessibleName() == "softmax σ"
    assert vector.accessibleDescription() == "cat  0.25; ▶ dog  0.5; kit fox  0.25"


def test_new_values_are_read_and_a_long_vector_says_how_many_more(qtbot):
    vector = ClassVector("t", [0, 1], ["a", "b"], 1)
    qtbot.addWidget(vector)
    vector.set_values("logits", range(1000), [f"class {k}" for k in range(1000)], 999)
    said = vector.accessibleDescription()
    assert vector.accessibleName() == "logits"
    assert said.startswith("class 0  0; class 1  1;") and said.count(";") == 20
    assert said.endswith("and 980 more classes")

from PySide6.QtWidgets import QLabel

from bpviz.gui.widgets.named import named


def test_named_gives_back_the_widget_with_its_object_name(qtbot):
    label = named(QLabel("text", wordWrap=True), "a_label")
    qtbot.addWidget(label)
    assert isinstance(label, QLabel) and label.wordWrap()
    assert label.objectName() == "a_label" and label.text() == "text"

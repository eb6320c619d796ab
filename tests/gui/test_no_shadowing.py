"""A Python attribute named like a Qt method (``shape``, ``event``...) hides the virtual
that Qt calls from C++ and crashes the process: none of bpviz's Qt classes may have one."""
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGraphicsItem


def bpviz_objects(window):
    objs = [window] + window.findChildren(QObject) + window.scene.items()
    return [o for o in objs if type(o).__module__.startswith("bpviz.gui")]


def qt_bases(cls):
    return [b for b in cls.__mro__ if b.__module__.startswith("PySide6")]


def test_no_attribute_hides_a_qt_method(window):
    window.stepper.step()
    _ = window.training.panel                  # build the lazy panel too
    # and the lazy tabs: the Training tab and the loss surface kept their run's QThread
    # in self.thread, which hid QObject.thread()
    for tab in (window.losses, window.optimizers, window.training_tab):
        _ = tab.panel
    seen = set()
    for obj in bpviz_objects(window):
        for name in vars(obj):
            for base in qt_bases(type(obj)):
                if hasattr(base, name) and not isinstance(getattr(base, name), Signal):
                    seen.add(f"{type(obj).__name__}.{name} hides {base.__name__}.{name}")
    assert not seen, sorted(seen)
    assert any(isinstance(o, QGraphicsItem) for o in bpviz_objects(window))

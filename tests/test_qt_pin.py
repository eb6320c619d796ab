"""Guard for the PySide6 pin (NOTES.md): 6.12.0 drops a reference to None on every call of
a wrapped C++ method returning void, which aborts CPython 3.11 within seconds of drawing."""
import sys


def test_void_qt_calls_do_not_leak_references_to_none():
    from PySide6.QtCore import QPointF

    point = QPointF()
    before = sys.getrefcount(None)
    for i in range(10_000):
        point.setX(i)
    assert abs(sys.getrefcount(None) - before) < 100

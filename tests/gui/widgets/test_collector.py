"""Garbage collection runs on the GUI thread only (widgets/collector.py): a worker that
allocates never collects, so no Qt object is freed outside the GUI thread."""
import gc
import threading

from bpviz.gui.widgets.collector import collect_due, collect_on_gui_thread


class Cycle:
    def __init__(self):
        self.me = self


def test_a_workers_allocations_are_collected_by_the_gui_thread(qtbot):
    collect_on_gui_thread()
    assert not gc.isenabled()
    threads = []

    def seen(phase, info):
        if phase == "start":
            threads.append(threading.current_thread())

    gc.callbacks.append(seen)
    try:
        worker = threading.Thread(target=lambda: [Cycle() for _ in range(50_000)])
        worker.start()
        worker.join()
        assert threads == []                           # nothing collected in the worker
        qtbot.waitUntil(lambda: bool(threads), timeout=5000)  # the GUI timer did
        assert set(threads) == {threading.main_thread()}
    finally:
        gc.callbacks.remove(seen)


def test_a_collection_is_made_only_when_python_would_make_one():
    gc.collect()
    assert collect_due() is None                       # nothing allocated since
    garbage = [Cycle() for _ in range(gc.get_threshold()[0] + 10)]
    del garbage
    assert collect_due() is not None and gc.get_count()[0] < gc.get_threshold()[0]


def test_a_window_turns_automatic_collection_off(window):
    assert not gc.isenabled()

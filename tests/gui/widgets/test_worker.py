"""Worker (widgets/threads.py): jobs run off the GUI thread, their results or errors come
back to the GUI thread, and nothing is delivered after stop()."""
import threading

from bpviz.gui.widgets.threads import Worker


def test_results_and_errors_come_back_on_the_gui_thread(qtbot):
    worker, got = Worker("test-worker"), []
    record = lambda result, err: got.append((result, err, threading.current_thread()))  # noqa: E731
    worker.submit(lambda: threading.current_thread(), record)
    worker.submit(lambda: 1 / 0, record)
    qtbot.waitUntil(lambda: len(got) == 2)
    (ran_in, none, gui), (nothing, err, gui2) = got
    assert ran_in is not threading.main_thread() and none is None
    assert gui is gui2 is threading.main_thread()
    assert nothing is None and isinstance(err, ZeroDivisionError)


def test_nothing_is_delivered_after_stop(qtbot):
    worker, got, gate = Worker("test-worker"), [], threading.Event()
    worker.submit(lambda: gate.wait(10), lambda *a: got.append(a))
    worker.submit(lambda: 2, lambda *a: got.append(a))
    threading.Timer(0.1, gate.set).start()
    worker.stop()                        # waits for the job under way, drops the next
    qtbot.wait(100)
    assert got == []
    worker.submit(lambda: 3, lambda *a: got.append(a))        # a later job runs
    qtbot.waitUntil(lambda: got == [(3, None)])

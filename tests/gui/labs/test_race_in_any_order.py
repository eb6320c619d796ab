"""Issue 20: the Optimizers tab decides from the space it has now whether the cards stand
beside the plots or under them. Played in one window, lesson 6 then 7 crushed lesson 7's
plots (the surface ~20 px wide, the loss plot's axis title cut) and 7 then 6 crushed 6.1-6.2:
the placement kept what an earlier lesson left. Both orders, every step on the Optimizers
tab: plots at least 300 px high, whole titles and axes, the cards whole beside or under."""
import pytest

from bpviz.core.teaching.lessons import load_lesson
from bpviz.paths import lessons_dir

from ..lessons.test_lessons import walk
from ..widgets.test_plots_back_row import optimizer_overlaps, plot_misfits, projector, shown_plots

LESSONS = ("06_gradient_descent_momentum", "07_adam")


def race_problems(window) -> list:
    return plot_misfits(window) + optimizer_overlaps(window)


@pytest.mark.parametrize("order", [LESSONS, LESSONS[::-1]])
def test_the_race_fits_whichever_lesson_came_first(qtbot, window, order):
    projector(window, qtbot)
    seen = 0
    for name in order:
        lesson = load_lesson(lessons_dir() / f"{name}.lesson.json")
        for index, _step in walk(qtbot, window, lesson):
            if window.tabs.tabText(window.tabs.currentIndex()).lower() != "optimizers":
                continue
            try:
                qtbot.waitUntil(lambda: bool(shown_plots(window)) and not race_problems(window),
                                timeout=3000)
            except Exception:
                raise AssertionError(f"{order} {name} step {index + 1}: "
                                     f"{race_problems(window)}") from None
            seen += 1
    assert seen >= 10

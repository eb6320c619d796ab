"""Write one file of each kind that ``bpviz FILE`` opens, for the install checks of CI
(packaging/ci.sh, packaging/wheel_ci.sh): a graph, a lesson and a session, from the bpviz
that this Python imports (a checkout, or an installed wheel: its resources then come from
inside the wheel). Prints their paths, one a line.

    python packaging/sample_files.py FOLDER
"""
import shutil
import sys
from pathlib import Path

from bpviz.core import load_graph
from bpviz.core.teaching.session_file import DataChoice, Session, save_session
from bpviz.paths import example_path, lessons_dir


def main(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    graph = shutil.copy(example_path("tiny_cnn"), folder / "net.bpviz.json")
    lesson = shutil.copy(sorted(lessons_dir().glob("*.lesson.json"))[0],
                         folder / "first.lesson.json")
    session = save_session(Session(load_graph(graph), None, tab="optimizers",
                                   data=DataChoice("shapes"), steps=2),
                           folder / "class.bpviz-session.json")
    return [Path(graph), Path(lesson), Path(session)]


if __name__ == "__main__":
    for path in main(Path(sys.argv[1])):
        print(path)

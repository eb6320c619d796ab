"""Each shipped example chooses its numbers' data type (issue 24): float64 where the lecture
teaches exact numbers, float32 where speed matters (AlexNet); the
Inspector says which."""
import json

import pytest

from bpviz.paths import example_path

# shapes_cnn stays float64: the engine-vs-torch oracle tests of chain_path, landscapes and
# export use it and check float64 exactness (float32 broke 3 of them)
FLOAT32 = {"alexnet"}


def examples():
    return sorted(p.name.removesuffix(".bpviz.json")
                  for p in example_path("alexnet").parent.glob("*.bpviz.json"))


@pytest.mark.parametrize("name", examples())
def test_every_float_input_says_its_data_type(name):
    nodes = json.loads(example_path(name).read_text(encoding="utf-8"))["nodes"]
    kinds = {n["attrs"].get("dtype") for n in nodes if n["op"] == "Input"} - {"int64"}
    assert kinds == {"float32" if name in FLOAT32 else "float64"}


@pytest.mark.parametrize("name,dtype", [("alexnet", "float32"), ("spirals_mlp", "float64")])
def test_the_inspector_names_the_data_type(qtbot, window, name, dtype):
    window.document.open_example(example_path(name))
    window.stepper.step()
    window.stepper.step()
    text = window.inspector.page.views["shapes"].text()
    assert text.endswith(f"numbers in {dtype}")
    assert window.document.graph.value(window.classroom.current.node).dtype == dtype

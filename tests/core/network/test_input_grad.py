"""The whole backward pass leaves out the Inputs' gradients (torch's data does not require
grad) and computes one when it is asked for (issue 24): the numbers are the ones a stepped
pass gives, bit for bit, and every caller of an op's own backward still gets dL/dx."""
import numpy as np
import pytest

from bpviz.core import Graph
from bpviz.core.backprop.stepper import Stepper


def node(id, op, inputs=(), **attrs):
    return {"id": id, "op": op, "attrs": attrs, "inputs": list(inputs)}


def graph(nodes) -> Graph:
    return Graph.from_dict({"format": "bpviz.graph", "version": 1, "seed": 0, "nodes": nodes})


def cnn() -> Graph:
    return graph([node("x", "Input", shape=[1, 8, 8]),
                  node("t", "Input", shape=[], dtype="int64"),
                  node("conv1", "Conv2d", ["x"], in_channels=1, out_channels=3, kernel_size=3),
                  node("relu1", "ReLU", ["conv1"]),
                  node("pool1", "MaxPool2d", ["relu1"], kernel_size=2),
                  node("flat", "Flatten", ["pool1"]),
                  node("fc", "Linear", ["flat"], in_features=27, out_features=4),
                  node("loss", "CrossEntropyLoss", ["fc", "t"])])


def fan_out() -> Graph:
    """x feeds two Linears and an Add (three consumers, their gradients summed), and a float
    target Input feeds the loss."""
    return graph([node("x", "Input", shape=[5]),
                  node("y", "Input", shape=[5]),
                  node("a", "Linear", ["x"], in_features=5, out_features=5),
                  node("b", "Linear", ["x"], in_features=5, out_features=5, bias=False),
                  node("ab", "Mul", ["a", "b"]),
                  node("sum", "Add", ["ab", "x"]),
                  node("loss", "MSELoss", ["sum", "y"])])


def feeds(g: Graph, seed=0, batch=6):
    rng = np.random.default_rng(seed)
    out = {}
    for nid in g.inputs():
        shape = (batch, *g.shape(nid)[1:])
        out[nid] = (rng.integers(0, 4, shape) if g.nodes[nid].attrs.get("dtype") == "int64"
                    else rng.standard_normal(shape))
    return out


def stepped_grads(build, data):
    """Every Input's gradient from the pass stepped node by node (the stepper's way)."""
    g = build()
    g.forward(data)
    g.start_backward()
    for nid in g.backward_order():
        g.backprop_node(nid)
    return {nid: g.grad(nid) for nid in g.inputs()}, g


@pytest.mark.parametrize("build", [cnn, fan_out])
def test_an_input_gradient_asked_for_after_the_whole_pass_equals_the_stepped_one(build):
    data = feeds(build())
    want, stepped = stepped_grads(build, data)
    g = build()
    g.forward(data)
    g.backward()
    assert g._deferred == {nid for nid in g.inputs() if want[nid] is not None}
    for nid in g.inputs():
        got = g.grad(nid)
        if want[nid] is None:                      # integer labels take no gradient
            assert got is None
            continue
        assert got.dtype == want[nid].dtype == np.float64
        assert np.array_equal(got, want[nid])      # bit for bit, not merely close
    for nid in g.order:                            # and nothing else moved
        if g.nodes[nid].op != "Input":
            assert np.array_equal(g.grad(nid), stepped.grad(nid))
            for name in g.op(nid).params:
                assert np.array_equal(g.param_grad(nid, name), stepped.param_grad(nid, name))


def test_the_whole_pass_does_not_compute_dx_of_an_input():
    g = cnn()
    g.forward(feeds(g))
    conv = g.op("conv1")
    real, seen = conv.backward, []

    def spy(dout):
        seen.append((conv.needs_input_grad, real(dout)[0][0] is not None))
        return real(dout)

    conv.backward = spy
    g.backward()
    assert seen == [((False,), False)]             # conv1's backward skipped dL/dx
    assert conv.needs_input_grad == (True,)        # put back for every other caller
    g.grad("x")
    assert seen[1] == ((True,), True)              # computed once it was asked for
    g.grad("x")
    assert len(seen) == 2                          # and kept


def test_an_op_asked_directly_after_the_pass_still_gives_dx():
    """The Jacobian views and the chain-rule dialog call an op's backward themselves."""
    g = cnn()
    g.forward(feeds(g))
    g.backward()
    (dx,), _ = g.op("conv1").backward(np.ones(g.value("conv1").shape))
    assert dx is not None and dx.shape == g.value("x").shape


def after_whole_pass():
    """The CNN after forward and the whole backward, and its stepped Input gradients."""
    data = feeds(cnn())
    want, _ = stepped_grads(cnn, data)
    g = cnn()
    g.forward(data)
    g.backward()
    return g, data, want


def test_a_whole_snapshot_keeps_the_input_gradient():
    g, _, want = after_whole_pass()
    state = g.grad_state()
    g.start_backward()                             # a stepped pass begins: gradients wiped
    g.restore_grad_state(state)                    # and undone
    assert np.array_equal(g.grad("x"), want["x"])


def test_the_stepper_after_a_whole_pass_shows_the_input_gradient():
    g, data, want = after_whole_pass()
    stepper = Stepper(g, data)
    while not stepper.done:
        event = stepper.step()
    assert event.node == "conv1"
    assert np.array_equal(event.dinputs["input"], want["x"])
    assert np.array_equal(g.grad("x"), want["x"])

"""The numpy engine: ops, graph, stepper, gradient checks, optimizers, datasets, training.

Never imports Qt, pyqtgraph or torch.
"""
from .backprop.stepper import StepEvent, Stepper
from .errors import GraphError
from .network.graph import Graph, Node, load_graph, save_graph
from .optimization import optim

__all__ = ["Graph", "GraphError", "Node", "StepEvent", "Stepper", "load_graph", "optim",
           "save_graph"]

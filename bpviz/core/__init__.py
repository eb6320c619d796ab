"""The numpy engine: ops, graph, stepper, gradient checks, optimizers, datasets, training.

Never imports Qt, pyqtgraph or torch.
"""
from . import optim
from .errors import GraphError
from .graph import Graph, Node, load_graph, save_graph
from .stepper import StepEvent, Stepper

__all__ = ["Graph", "GraphError", "Node", "StepEvent", "Stepper", "load_graph", "optim",
           "save_graph"]

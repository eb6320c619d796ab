"""The numpy engine: ops, graph, stepper, gradient checks, optimizers, datasets, training.

Never imports Qt, pyqtgraph or torch.
"""
from . import optim
from .errors import GraphError
from .fileformat import load_graph, save_graph
from .graph import Graph, Node
from .stepper import StepEvent, Stepper

__all__ = ["Graph", "GraphError", "Node", "StepEvent", "Stepper", "load_graph", "optim",
           "save_graph"]

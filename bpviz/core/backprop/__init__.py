"""What the Backprop tab computes: stepping a graph node by node, local Jacobians, the chain rule
from the loss to a parameter, gradient checks, gradient flow and which values are per class."""

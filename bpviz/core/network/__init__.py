"""The network as a graph: its nodes, the analysis before it runs (order, shapes, problems),
running and editing it, its file format, its layout and its export as PyTorch source."""

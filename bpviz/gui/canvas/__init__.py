"""The canvas and its editor: the open document, the graph drawn as nodes and edges, the
Layers palette, the Properties panel and the undo commands every edit goes through."""

"""Where the numbers come from: the built-in data sets, the data chosen for a graph, the photos
that ship with bpviz and AlexNet's augmentation."""

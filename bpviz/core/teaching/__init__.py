"""The classroom's content and files: lessons and their answers and cards, the session format,
the F1 help pages, and which kind of bpviz file a path holds."""

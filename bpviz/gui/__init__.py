"""The PySide6 desktop app: views and controllers over bpviz.core. Holds no math of its own."""

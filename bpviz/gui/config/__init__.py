"""What bpviz keeps in its config folder: settings, instance slots and their recovery files."""

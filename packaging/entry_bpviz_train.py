"""The full flavour's second executable, ``bpviz-train`` (the training command line)."""
import multiprocessing
import sys

from bpviz.train.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()     # DataLoader workers re-execute this program
    sys.exit(main())

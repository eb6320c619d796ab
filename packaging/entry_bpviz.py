"""The frozen app's entry point (PyInstaller runs this as the ``bpviz`` executable)."""
import multiprocessing
import sys

from bpviz.gui.app import main

if __name__ == "__main__":
    # a frozen app re-executes itself for spawned/forkserver workers (the training
    # DataLoader's): freeze_support lets such a child run its task instead of the app
    multiprocessing.freeze_support()
    sys.exit(main())

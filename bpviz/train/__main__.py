"""``python -m bpviz.train`` (and ``torchrun -m bpviz.train``): the bpviz-train command."""
import sys

from bpviz.train.cli import main

sys.exit(main())

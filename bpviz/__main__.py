"""``python -m bpviz``: start the desktop app."""
import sys

from bpviz.gui.app import main

sys.exit(main())

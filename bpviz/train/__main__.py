"""``python -m bpviz.train`` (and ``torchrun -m bpviz.train``): the bpviz-train command."""
import sys

try:
    from bpviz.train.cli import main
except KeyboardInterrupt:    # Ctrl+C while Python starts: quiet, as in main()'s own start
    print("bpviz-train: interrupted before training began", file=sys.stderr)
    sys.exit(130)

sys.exit(main())

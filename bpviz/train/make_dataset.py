"""bpviz-make-dataset: write the procedural set as a JPEG ImageFolder tree (ImageNet
layout), so that the whole file pipeline can run with no download.

    bpviz-make-dataset OUT --classes 10 --train-per-class 100 --val-per-class 20 --size 96
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def write_tree(out, classes: int = 10, train_per_class: int = 100, val_per_class: int = 20,
               size: int = 96, seed: int = 0) -> Path:
    from PIL import Image

    from .data import SyntheticImages

    out = Path(out)
    for split, per_class, split_seed in (("train", train_per_class, seed),
                                         ("val", val_per_class, seed + 1)):
        data = SyntheticImages(per_class * classes, classes, size, split_seed)
        for i in range(len(data)):
            folder = out / split / data.classes[data.label(i)].replace(" ", "_")
            folder.mkdir(parents=True, exist_ok=True)
            pixels = (data.image(i).permute(1, 2, 0).numpy() * 255).round().astype("uint8")
            Image.fromarray(pixels).save(folder / f"{i:06d}.JPEG", quality=92)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bpviz-make-dataset", description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--train-per-class", type=int, default=100)
    p.add_argument("--val-per-class", type=int, default=20)
    p.add_argument("--size", type=int, default=96)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    if min(args.classes, args.train_per_class, args.val_per_class, args.size) < 1:
        print("bpviz-make-dataset: counts and size must be positive", file=sys.stderr)
        return 2
    try:
        out = write_tree(args.out, args.classes, args.train_per_class, args.val_per_class,
                         args.size, args.seed)
    except OSError as err:
        print(f"bpviz-make-dataset: cannot write '{args.out}': {err.strerror or err}",
              file=sys.stderr)
        return 2
    print(f"wrote {args.classes} classes to {out}/train and {out}/val")
    return 0


if __name__ == "__main__":
    sys.exit(main())

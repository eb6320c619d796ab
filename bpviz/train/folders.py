"""The checks of an ImageNet-style data folder (train/<class>/*.JPEG, val/<class>/*.JPEG)
that bpviz-train and the Training tab's form share. No torch at import: the form checks a
folder's layout as it is typed, and every tab must open where torch is not installed."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from bpviz.core.errors import DataError


def check_folder(path) -> tuple[Path, Path]:
    """The train/ and val/ folders of an ImageNet-style tree; DataError saying what is
    missing."""
    root = Path(path)
    if not root.exists():
        raise DataError(f"data folder '{root}' does not exist")
    if not root.is_dir():
        raise DataError(f"'{root}' is not a folder")
    train, val = root / "train", root / "val"
    if not train.is_dir():
        raise DataError(f"'{root}' has no train/ folder (expected train/<class>/*.JPEG and "
                        f"val/<class>/*.JPEG, the ImageNet layout)")
    if not val.is_dir():
        raise DataError(f"'{root}' has no val/ folder (expected val/<class>/*.JPEG)")
    return train, val


def layout_problem(path: str) -> str | None:
    """What is wrong with a data folder's layout, or None ("synthetic" needs no folder).
    Quick enough to run as a path is typed: no files are counted."""
    if path == "synthetic":
        return None
    try:
        check_folder(path)
    except DataError as err:
        return str(err)
    return None


def no_class_folders(split: Path) -> DataError:
    return DataError(f"'{split}' has no class folders (expected {split}/<class>/*.JPEG)")


def unreadable_errors() -> tuple:
    """What PIL raises for a file it cannot decode: truncated, corrupt, not an image, or
    a decompression bomb (over ~179 Mpx; not an OSError)."""
    from PIL import Image
    return OSError, ValueError, SyntaxError, Image.DecompressionBombError


def find_images(split: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """The class folders of train/ or val/ and its (image file, class index) pairs, found
    as torchvision's ImageFolder finds them."""
    from torchvision.datasets.folder import IMG_EXTENSIONS, find_classes, make_dataset
    try:
        classes, index = find_classes(split)
        return classes, make_dataset(split, index, IMG_EXTENSIONS, allow_empty=True)
    except FileNotFoundError:
        raise no_class_folders(split) from None
    except OSError as err:
        raise DataError(f"cannot read '{split}': {err.strerror or err}") from None


def check_images(split: Path, classes: list[str], samples: list[tuple[str, int]]) -> None:
    """DataError naming the first class folder with no image files (ImageFolder's classes
    are its folders: an empty one would be a class never seen), or saying that not one
    image can be read. Stops at the first readable image: one decode for a good folder."""
    counts = Counter(target for _, target in samples)
    empty = [name for i, name in enumerate(classes) if not counts[i]]
    if empty:
        others = f" (nor do {len(empty) - 1} other class folders)" if len(empty) > 1 else ""
        raise DataError(f"class folder '{split / empty[0]}' has no images{others}: every "
                        f"class needs at least one")
    from torchvision.datasets.folder import default_loader  # what ImageFolder reads with
    errors, reason = unreadable_errors(), ""
    for path, _ in samples:
        try:
            default_loader(path)
            return
        except errors as err:
            reason = reason or f"{Path(path).name}: {err}"
    raise DataError(f"none of the {len(samples):,} images in '{split}' can be read "
                    f"(e.g. {reason})")


def check_same_classes(root, train: list[str], val: list[str]) -> None:
    if train == val:
        return
    only_train, only_val = sorted(set(train) - set(val)), sorted(set(val) - set(train))
    raise DataError(f"train/ and val/ of '{root}' have different classes: "
                    + "; ".join(part for part in (
                        only_train and f"only in train/: {', '.join(only_train[:5])}",
                        only_val and f"only in val/: {', '.join(only_val[:5])}") if part))


def check_splits(root, train: tuple, val: tuple) -> None:
    """DataError for what would stop a run; ``train``, ``val``: (folder, classes, samples)."""
    check_same_classes(root, train[1], val[1])
    check_images(*train)
    check_images(*val)


def describe_folder(path) -> str:
    """'N classes, M training images', or DataError saying what would stop a run (the same
    checks as bpviz-train's; ImageNet's 1.28 M files take a while: not in a GUI thread)."""
    train, val = check_folder(path)
    try:
        found = [(split, *find_images(split)) for split in (train, val)]
    except ImportError:
        raise DataError("training needs torch and torchvision (pip install "
                        "'bpviz[train]')") from None
    check_splits(path, *found)
    _, classes, samples = found[0]
    return f"{len(classes)} classes, {len(samples):,} training images"

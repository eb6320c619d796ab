"""Data for AlexNet: ImageFolder trees (ImageNet layout) with the paper's augmentation, and
an offline procedural set that needs no download.

Train: shorter side to 256 (scaled with the image size), random 224 crop, horizontal flip,
PCA lighting (AlexNet's colour augmentation), normalisation. Validation: centre crop, or ten
crops. Unreadable images are skipped and counted, never a crash.
"""
from __future__ import annotations

import math
from pathlib import Path

import torch
from torch.utils.data import Dataset
from torch.utils.data.distributed import DistributedSampler

from bpviz.core.data.augment import IMAGENET_EIGVAL, IMAGENET_EIGVEC
from bpviz.core.errors import DataError

from .folders import check_folder, check_splits, no_class_folders, unreadable_errors

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# ImageNet RGB covariance (pixels in [0, 1]), as in the fb.resnet.torch lighting transform;
# one copy of the numbers, shared with the numpy demo (bpviz.core.data.augment)
EIGVAL = torch.tensor(IMAGENET_EIGVAL, dtype=torch.float32)
EIGVEC = torch.tensor(IMAGENET_EIGVEC, dtype=torch.float32)
LECTURE_CLASSES = ["kit fox", "English setter", "Australian terrier", "grey whale",
                   "lesser panda", "Egyptian cat", "ibex", "Persian cat", "cougar", "gazelle"]


class PCALighting:
    """Add eigvec @ (alpha * eigval) to every pixel, alpha ~ N(0, alphastd) per image
    (Krizhevsky et al. 2012, section 4.1). Takes and returns a (3, H, W) tensor in [0, 1]."""

    def __init__(self, alphastd: float = 0.1):
        self.alphastd = alphastd

    def __call__(self, img: torch.Tensor) -> torch.Tensor:
        if self.alphastd == 0:
            return img
        alpha = torch.randn(3) * self.alphastd
        shift = EIGVEC @ (alpha * EIGVAL)
        return img + shift.to(img.dtype)[:, None, None]


def resize_for(size: int) -> int:
    """The paper resizes to 256 for 224 crops: keep that ratio for other sizes."""
    return int(round(size * 256 / 224))


def train_transform(size: int, lighting: float = 0.1):
    from torchvision import transforms as T
    return T.Compose([T.Resize(resize_for(size)), T.RandomCrop(size), T.RandomHorizontalFlip(),
                      T.ToTensor(), PCALighting(lighting), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


class StackCrops:
    """Ten PIL crops to one (10, 3, H, W) normalised tensor (a class, not a lambda, so that
    forkserver/spawn workers can pickle it)."""

    def __call__(self, crops):
        from torchvision.transforms import functional as TF
        return torch.stack([TF.normalize(TF.to_tensor(c), IMAGENET_MEAN, IMAGENET_STD)
                            for c in crops])


def val_transform(size: int, ten_crop: bool = False):
    from torchvision import transforms as T
    if ten_crop:
        return T.Compose([T.Resize(resize_for(size)), T.TenCrop(size), StackCrops()])
    return T.Compose([T.Resize(resize_for(size)), T.CenterCrop(size), T.ToTensor(),
                      T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


def denormalize(x: torch.Tensor) -> torch.Tensor:
    """Normalised images back to [0, 1] for display."""
    mean = torch.tensor(IMAGENET_MEAN, device=x.device)[:, None, None]
    std = torch.tensor(IMAGENET_STD, device=x.device)[:, None, None]
    return (x * std + mean).clamp(0, 1)


UNREADABLE = unreadable_errors()


class SafeImageFolder(Dataset):
    """torchvision's ImageFolder, but an unreadable or corrupt file gives None (skipped by
    ``collate_skipping``) instead of an exception."""

    def __init__(self, root, transform):
        from torchvision.datasets import ImageFolder
        self.root = Path(root)
        try:
            self.folder = ImageFolder(str(root), transform=transform, allow_empty=True)
        except FileNotFoundError:
            raise no_class_folders(self.root) from None
        self.classes = self.folder.classes

    def __len__(self) -> int:
        return len(self.folder)

    def __getitem__(self, i):
        try:
            return self.folder[i]
        except UNREADABLE:
            return None             # PIL: truncated, corrupt, not an image, too large


def all_unreadable(dataset, skipped: int) -> DataError:
    """For a pass over a dataset in which every image was skipped (files damaged after the
    run's start; the start itself refuses a folder of which none can be read)."""
    where = getattr(dataset, "root", "the data")
    return DataError(f"none of the {skipped:,} images read from '{where}' could be decoded: "
                     f"every one was skipped as unreadable")


def collate_skipping(batch):
    """Stack the readable samples; returns (images, labels, number skipped)."""
    good = [b for b in batch if b is not None]
    skipped = len(batch) - len(good)
    if not good:
        return None, None, skipped
    images = torch.stack([b[0] for b in good])
    labels = torch.tensor([b[1] for b in good])
    return images, labels, skipped


class ResumableSampler(DistributedSampler):
    """DistributedSampler (set_epoch, one shard per rank) that can start part-way through
    an epoch, so that a resumed run sees exactly the batches it had not seen."""

    def __init__(self, dataset, num_replicas=1, rank=0, shuffle=True, seed=0):
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=shuffle,
                         seed=seed)
        self.start = 0

    def __iter__(self):
        return iter(list(super().__iter__())[self.start:])

    def __len__(self):
        return self.num_samples - self.start


PALETTE = torch.tensor([[0.9, 0.1, 0.1], [0.1, 0.75, 0.15], [0.1, 0.25, 0.95],
                        [0.95, 0.9, 0.1], [0.85, 0.15, 0.85], [0.1, 0.85, 0.9],
                        [0.95, 0.55, 0.05], [0.45, 0.1, 0.6], [0.85, 0.85, 0.85],
                        [0.35, 0.4, 0.1]])


class SyntheticImages(Dataset):
    """Procedural colour images, deterministic by (seed, index), any size and class count.

    A class is a colour (ten well-separated ones) and, past ten classes, also a stripe
    orientation; stripe phase, width and (within ten classes) orientation, brightness and
    noise vary per image, so a network must learn colour and texture wherever they are, not
    pixels. Not photographs: a stand-in that needs no download."""

    def __init__(self, n: int, classes: int = 10, size: int = 64, seed: int = 0):
        self.n, self.num_classes, self.size, self.seed = n, classes, size, seed
        self.classes = (LECTURE_CLASSES[:classes] if classes <= len(LECTURE_CLASSES)
                        else [f"class {k}" for k in range(classes)])
        orientations = math.ceil(classes / len(PALETTE))
        k = torch.arange(classes)
        self.colors = PALETTE[k % len(PALETTE)]
        self.angles = (k // len(PALETTE)).float() * math.pi / orientations
        yy, xx = torch.meshgrid(torch.arange(size, dtype=torch.float32),
                                torch.arange(size, dtype=torch.float32), indexing="ij")
        self.yy, self.xx = yy, xx
        self.mean = torch.tensor(IMAGENET_MEAN)[:, None, None]
        self.std = torch.tensor(IMAGENET_STD)[:, None, None]

    def __len__(self) -> int:
        return self.n

    def label(self, i: int) -> int:
        return i % self.num_classes

    def image(self, i: int) -> torch.Tensor:
        """Image ``i`` in [0, 1], (3, size, size)."""
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + i)
        c = self.label(i)
        phase, width, bright, turn = torch.rand(4, generator=g)
        freq = 2 * math.pi / (self.size * (0.12 + 0.1 * width))
        angle = self.angles[c] if self.num_classes > len(PALETTE) else turn * math.pi
        wave = torch.cos(freq * (self.xx * torch.cos(angle) + self.yy * torch.sin(angle))
                         + 2 * math.pi * phase)
        stripes = 0.3 + 0.7 * (wave > 0).float()
        img = self.colors[c][:, None, None] * stripes * (0.75 + 0.25 * bright)
        img = img + 0.05 * torch.randn(img.shape, generator=g)
        return img.clamp(0, 1)

    def __getitem__(self, i):
        return (self.image(i) - self.mean) / self.std, self.label(i)


def class_names(root: Path, folders: list[str]) -> list[str]:
    """Readable names for class folders when the dataset provides them: ImageNet's
    LOC_synset_mapping.txt ("n01440764 tench, Tinca tinca") or a classes.txt of
    "folder name" lines; the folder names otherwise."""
    for listing in ("LOC_synset_mapping.txt", "classes.txt"):
        path = root / listing
        if path.is_file():
            names = {}
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                key, _, name = line.strip().partition(" ")
                if key and name:
                    names[key] = name.split(",")[0].strip()
            return [names.get(f, f) for f in folders]
    return list(folders)


def build_datasets(data: str, image_size: int, classes: int = 10, train_size: int = 2560,
                   val_size: int = 512, seed: int = 0, ten_crop: bool = False):
    """(train, val, class names) for "synthetic" or an ImageFolder tree."""
    if data == "synthetic":
        made = SyntheticImages(train_size, classes, image_size, seed)
        return made, SyntheticImages(val_size, classes, image_size, seed + 1), made.classes
    train_dir, val_dir = check_folder(data)
    train = SafeImageFolder(train_dir, train_transform(image_size))
    val = SafeImageFolder(val_dir, val_transform(image_size, ten_crop))
    check_splits(data, *((s.root, s.classes, s.folder.samples) for s in (train, val)))
    return train, val, class_names(Path(data), train.classes)

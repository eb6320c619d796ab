"""The photographs that ship with bpviz (resources/photos, licences in LICENSES.md there):
read from their PNG files with numpy and zlib alone, so that the core needs no image
library.

A photo is (3, 256, 256) RGB in [0, 1], the side of AlexNet's training images. ``PHOTOS``
names each one truthfully: the ImageNet class it really is, or "photo: …" where ImageNet
has none.
"""
from __future__ import annotations

import struct
import zlib
from functools import cache

import numpy as np

from ...paths import resources_dir

# file stem -> the class shown
PHOTOS = {"tabby_cat": "tabby cat", "espresso": "espresso", "rocket": "photo: rocket"}
SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 8 * 2**20


def _chunks(data: bytes):
    at = len(SIGNATURE)
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        yield kind, data[at + 8:at + 8 + length]
        at += 12 + length


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _unfilter_row(kind: int, row: np.ndarray, up: np.ndarray, bpp: int) -> np.ndarray:
    """One scanline without its PNG filter (RFC 2083 section 6): None, Sub and Up in numpy,
    Average and Paeth byte by byte, as each byte needs the one rebuilt before it."""
    if kind == 0:
        return row
    if kind == 2:
        return (row + up).astype(np.uint8)
    if kind == 1:
        lanes = row.reshape(-1, bpp).astype(np.int64)
        return (np.cumsum(lanes, axis=0) % 256).astype(np.uint8).ravel()
    if kind not in (3, 4):
        raise ValueError(f"unknown PNG filter type {kind}")
    out, raw, prior = [0] * len(row), row.tolist(), up.tolist()
    for i, value in enumerate(raw):
        a = out[i - bpp] if i >= bpp else 0
        c = prior[i - bpp] if i >= bpp else 0
        guess = (a + prior[i]) // 2 if kind == 3 else _paeth(a, prior[i], c)
        out[i] = (value + guess) & 0xFF
    return np.array(out, dtype=np.uint8)


def decode_png(data: bytes) -> np.ndarray:
    """(H, W, 3) uint8 of an 8-bit RGB or RGBA PNG without interlacing (alpha dropped);
    ValueError saying which part is not supported or damaged."""
    try:
        return _decoded(data)
    except (zlib.error, struct.error) as err:
        raise ValueError(f"a damaged PNG file ({err})") from None


def _decoded(data: bytes) -> np.ndarray:
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG file")
    chunks = list(_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR":
        raise ValueError("a PNG file without its header")
    w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"a PNG of bit depth {depth}, colour type {colour}, interlace "
                         f"{interlace}: only 8-bit RGB(A) without interlacing is read")
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = w * channels
    if len(raw) != h * (stride + 1):
        raise ValueError("a PNG file whose pixel data is cut short")
    lines = np.frombuffer(raw, np.uint8).reshape(h, stride + 1)
    pixels, up = np.empty((h, stride), np.uint8), np.zeros(stride, np.uint8)
    for y in range(h):
        up = pixels[y] = _unfilter_row(int(lines[y, 0]), lines[y, 1:], up, channels)
    return pixels.reshape(h, w, channels)[:, :, :3]


@cache
def _photo_pixels(stem: str) -> np.ndarray:
    path = resources_dir() / "photos" / f"{stem}.png"
    with open(path, "rb") as f:
        data = f.read(MAX_PNG_BYTES + 1)
    if len(data) > MAX_PNG_BYTES:
        raise ValueError(f"'{path.name}' is larger than {MAX_PNG_BYTES:,} bytes")
    pixels = decode_png(data)
    pixels.setflags(write=False)
    return pixels


def photo(name: str) -> np.ndarray:
    """The photo of class ``name`` (a value of PHOTOS): (3, 256, 256) in [0, 1]."""
    return photo_view(name).copy()


def photo_view(name: str) -> np.ndarray:
    """``photo(name)`` read-only, not copied."""
    stems = {label: stem for stem, label in PHOTOS.items()}
    if name not in stems:
        raise ValueError(f"no photo of {name!r} (photos: {', '.join(stems)})")
    return _photo_values(stems[name])


@cache
def _photo_values(stem: str) -> np.ndarray:
    values = np.transpose(_photo_pixels(stem), (2, 0, 1)) / 255.0
    values.setflags(write=False)
    return values


def _resampling(n: int, size: int) -> np.ndarray:
    """(size, n) weights taking n samples to size: each output pixel the mean of the source
    pixels its box covers (shrinking, no aliasing), or linear between neighbours
    (enlarging)."""
    if size <= n:
        edges = np.linspace(0.0, n, size + 1)
        left, right = edges[:-1, None], edges[1:, None]
        cells = np.arange(n)[None, :]
        overlap = np.clip(np.minimum(right, cells + 1) - np.maximum(left, cells), 0.0, None)
        return overlap / (right - left)
    centres = np.clip((np.arange(size) + 0.5) * n / size - 0.5, 0, n - 1)
    return np.stack([np.interp(centres, np.arange(n), one) for one in np.eye(n)], axis=1)


def resize(image, size: int) -> np.ndarray:
    """(3, H, W) scaled to (3, size, size)."""
    image = np.asarray(image, dtype=float)
    rows, cols = _resampling(image.shape[1], size), _resampling(image.shape[2], size)
    across = np.tensordot(image, cols, axes=([2], [1]))           # (3, H, size)
    return np.tensordot(rows, across, axes=([1], [1])).transpose(1, 0, 2)

"""The shipped photographs (issue 20 item 8): read with numpy alone, as their PNG files
hold them, licensed in resources/photos/LICENSES.md, and the 'photos' data set made of
them at any side."""
import struct
import zlib

import numpy as np
import pytest

from bpviz.core.data import datasets as ds
from bpviz.core.data.photos import PHOTOS, decode_png, photo, resize
from bpviz.paths import resources_dir

FOLDER = resources_dir() / "photos"


def png(pixels: np.ndarray, filters) -> bytes:
    """An RGB PNG of (H, W, 3) uint8 whose row y is stored with filter filters[y]."""
    h, w, _ = pixels.shape
    flat, lines = pixels.reshape(h, -1).astype(int), []
    for y, kind in enumerate(filters):
        row, up = flat[y], flat[y - 1] if y else np.zeros_like(flat[0])
        left = np.concatenate([np.zeros(3, int), row[:-3]])
        upleft = np.concatenate([np.zeros(3, int), up[:-3]])
        if kind == 4:
            p = left + up - upleft
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
            guess = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, upleft))
        else:
            guess = [0 * row, left, up, (left + up) // 2][kind]
        lines.append(bytes([kind]) + bytes(((row - guess) % 256).astype(np.uint8)))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    head = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) +
            chunk(b"IDAT", zlib.compress(b"".join(lines))) + chunk(b"IEND", b""))


def test_every_png_filter_decodes_to_the_pixels():
    pixels = np.random.default_rng(0).integers(0, 256, (5, 7, 3)).astype(np.uint8)
    assert np.array_equal(decode_png(png(pixels, [0, 1, 2, 3, 4])), pixels)
    assert np.array_equal(decode_png(png(pixels, [4, 3, 2, 1, 0])), pixels)


PIXELS = np.zeros((2, 2, 3), np.uint8)


@pytest.mark.parametrize("data, why", [(b"GIF89a", "not a PNG"),
                                       (b"\x89PNG\r\n\x1a\n", "without its header"),
                                       (png(PIXELS, [0, 0])[:40], "damaged"),
                                       (png(PIXELS, [0, 0])[:-40] + bytes(40), "damaged")])
def test_a_file_that_is_not_an_rgb_png_says_so(data, why):
    with pytest.raises(ValueError, match=why):
        decode_png(data)


def test_the_photos_ship_small_with_their_licences():
    files = sorted(FOLDER.glob("*.png"))
    assert [f.stem for f in files] == sorted(PHOTOS)
    assert sum(f.stat().st_size for f in files) < 500_000
    licences = (FOLDER / "LICENSES.md").read_text()
    for f in files:
        assert f.name in licences
    assert licences.count("CC0") >= 2 and "public domain" in licences
    for name in PHOTOS.values():
        image = photo(name)
        assert image.shape == (3, 256, 256) and 0 <= image.min() and image.max() <= 1
        assert image.std() > 0.1                      # a photograph, not a flat colour
    assert "kit fox" not in PHOTOS.values()


def test_resize_keeps_the_mean_and_a_flat_image():
    image = np.random.default_rng(1).random((3, 256, 256))
    small = resize(image, 224)
    assert small.shape == (3, 224, 224)
    assert small.mean() == pytest.approx(image.mean(), abs=1e-3)
    assert np.allclose(resize(np.full((3, 4, 4), 0.3), 9), 0.3)
    assert np.allclose(resize(image, 256), image)


def test_the_photos_data_set_at_the_graphs_side():
    data = ds.photos(n=8, size=32)
    assert data.x.shape == (8, 3, 32, 32) and list(data.y) == [0, 1, 2, 0, 1, 2, 0, 1]
    assert data.classes == list(PHOTOS.values())
    assert np.allclose(data.x[0], resize(photo("tabby cat"), 32))
    assert not np.allclose(data.x[3], data.x[0])     # a later round: another crop
    assert "photos" in ds.IMAGES

"""Make resources/photos/*.png from scikit-image's bundled sample photographs (run once by
hand; scikit-image is not a bpviz dependency):

    pip download scikit-image --no-deps -d /tmp/skimage && unzip /tmp/skimage/*.whl \
        'skimage/data/*' -d /tmp/skimage
    python scripts/make_photos.py /tmp/skimage/skimage/data

Each photo is cut to a square around the subject, scaled to 256×256 (the side AlexNet's
training images have) and written as an 8-bit RGB PNG. Sources and licences:
resources/photos/LICENSES.md.
"""
import sys
from pathlib import Path

from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "resources" / "photos"
SIDE = 256
# file in skimage/data -> (name here, the square cut: left, top, side in source pixels)
PHOTOS = {"chelsea.png": ("tabby_cat", (50, 0, 300)),
          "coffee.png": ("espresso", (90, 0, 400)),
          "rocket.jpg": ("rocket", (107, 0, 427))}


def main(folder: str) -> None:
    for source, (name, (left, top, side)) in PHOTOS.items():
        image = Image.open(Path(folder) / source).convert("RGB")
        square = image.crop((left, top, left + side, top + side))
        square.resize((SIDE, SIDE), Image.LANCZOS).save(OUT / f"{name}.png", optimize=True)


if __name__ == "__main__":
    main(sys.argv[1])

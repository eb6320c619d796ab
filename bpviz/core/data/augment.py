"""AlexNet's data augmentation (Krizhevsky et al., NIPS 2012, section 4.1) on images in
numpy, for the demo and the lesson: random crops, horizontal flips and PCA lighting.

Images are (3, H, W) arrays of RGB values in [0, 1]. The paper trains on random 224×224
crops of 256×256 images and their mirror images, and adds to every pixel
``I_xy = [I_R, I_G, I_B]`` of an image the colour

    [p1, p2, p3] [α1 λ1, α2 λ2, α3 λ3]ᵀ = p · (α ⊙ λ),    α ~ N(0, 0.1), one α per image,

where λ and p are the eigenvalues and eigenvectors of the 3×3 covariance of RGB pixel
values. The paper takes that covariance over every pixel of the whole ImageNet training
set; ``pca_of`` takes one image or a stack of images, so that the demo can show both one
image's own colours and a data set's. The training code (bpviz.train.data.PCALighting) uses
fixed ImageNet numbers, IMAGENET_EIGVAL and IMAGENET_EIGVEC below.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..display.images import to_uint8
from .datasets import imagenet10

IMAGE_SIZE, CROP_SIZE = 256, 224       # the paper's image and crop sides
ALPHA_STD = 0.1                        # α ~ N(0, 0.1)
# ImageNet's RGB "eigenvalues" and eigenvectors (columns) for pixels in [0, 1], as the
# fb.resnet.torch lighting transform (and bpviz.train) uses them
IMAGENET_EIGVAL = np.array([0.2175, 0.0188, 0.0045])
IMAGENET_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009],
                            [-0.5808, -0.0045, -0.8140],
                            [-0.5836, -0.6948, 0.4203]])


def _image(image) -> np.ndarray:
    image = np.asarray(image, dtype=float)
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError(f"expected an RGB image of shape (3, H, W), got shape {image.shape}")
    return image


def crop(image, top: int, left: int, size: int = CROP_SIZE) -> np.ndarray:
    """The size×size window of a (3, H, W) image whose top-left pixel is (top, left)."""
    image = _image(image)
    _, h, w = image.shape
    if size > min(h, w):
        raise ValueError(f"a {size}×{size} crop does not fit in a {h}×{w} image")
    if not (0 <= top <= h - size and 0 <= left <= w - size):
        raise ValueError(f"a {size}×{size} crop at (top {top}, left {left}) leaves the "
                         f"{h}×{w} image: top 0 to {h - size}, left 0 to {w - size}")
    return image[:, top:top + size, left:left + size]


def random_offsets(shape, size: int, rng: np.random.Generator) -> tuple[int, int]:
    """(top, left) of a crop drawn uniformly among every place it fits, as the paper's
    (and torchvision's RandomCrop) does."""
    _, h, w = shape
    return int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))


def random_crop(image, size: int, rng: np.random.Generator) -> tuple[np.ndarray, tuple]:
    """A random size×size crop of ``image`` and its (top, left) offsets."""
    offsets = random_offsets(_image(image).shape, size, rng)
    return crop(image, *offsets, size), offsets


def flip(image) -> np.ndarray:
    """The mirror image: column x becomes column W − 1 − x."""
    return _image(image)[:, :, ::-1]


def pixel_covariance(images) -> np.ndarray:
    """The 3×3 covariance of the RGB values of every pixel of ``images`` ((3, H, W), or
    (N, 3, H, W) for a set of images: the paper uses all of the training set's pixels)."""
    images = np.asarray(images, dtype=float)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"expected (3, H, W) or (N, 3, H, W) RGB images, got shape "
                         f"{images.shape}")
    pixels = images.transpose(1, 0, 2, 3).reshape(3, -1)      # one column per pixel
    if pixels.shape[1] < 2:
        raise ValueError("a covariance needs at least two pixels")
    return np.cov(pixels)


@dataclass(frozen=True)
class ColourPCA:
    """The principal components of RGB pixel values: ``eigval`` λ (3,) largest first and
    ``eigvec`` p (3, 3), one eigenvector per column, so that covariance = p diag(λ) pᵀ."""
    covariance: np.ndarray
    eigval: np.ndarray
    eigvec: np.ndarray


def pca_of(images) -> ColourPCA:
    """Covariance of the pixels of ``images`` (see pixel_covariance) and its eigenvalues and
    eigenvectors. An eigenvector's sign is arbitrary; each is turned to have a positive sum
    of components, so that α1 > 0 brightens an image whose first component is brightness."""
    cov = pixel_covariance(images)
    eigval, eigvec = np.linalg.eigh(cov)                # ascending, orthonormal columns
    eigval, eigvec = eigval[::-1], eigvec[:, ::-1]
    signs = np.where(eigvec.sum(axis=0) < 0, -1.0, 1.0)
    return ColourPCA(cov, np.clip(eigval, 0.0, None), eigvec * signs)


def draw_alpha(rng: np.random.Generator, std: float = ALPHA_STD) -> np.ndarray:
    """α (3,) ~ N(0, std): one draw per image."""
    return rng.normal(0.0, std, 3)


def lighting_shift(eigval, eigvec, alpha) -> np.ndarray:
    """The colour p · (α ⊙ λ) (3,) added to every pixel."""
    return np.asarray(eigvec, dtype=float) @ (np.asarray(alpha, dtype=float)
                                              * np.asarray(eigval, dtype=float))


def light(image, eigval, eigvec, alpha) -> np.ndarray:
    """``image`` (3, H, W) with p · (α ⊙ λ) added to every pixel (not clipped: the training
    code normalises next, it does not clip either)."""
    return _image(image) + lighting_shift(eigval, eigvec, alpha)[:, None, None]


@dataclass(frozen=True)
class Augmented:
    """Each stage of one image's augmentation, as the demo shows them."""
    crop: np.ndarray           # (3, size, size)
    flipped: np.ndarray        # the crop mirrored, or the crop itself when not flipped
    lit: np.ndarray            # flipped + shift
    weights: np.ndarray        # (3,) α ⊙ λ: how far along each eigenvector p_k
    shift: np.ndarray          # (3,) p · (α ⊙ λ)


def augment(image, top: int, left: int, flipped: bool, pca: ColourPCA, alpha,
            size: int = CROP_SIZE) -> Augmented:
    """Crop, flip if asked, then add the lighting: the order of bpviz.train's transform."""
    part = crop(image, top, left, size)
    mirrored = flip(part) if flipped else part
    shift = lighting_shift(pca.eigval, pca.eigvec, alpha)
    weights = np.asarray(alpha, dtype=float) * pca.eigval
    return Augmented(part, mirrored, mirrored + shift[:, None, None], weights, shift)


def imagenet_pca() -> ColourPCA:
    """The training code's ImageNet numbers as a ColourPCA (its covariance rebuilt as
    p diag(λ) pᵀ)."""
    cov = IMAGENET_EIGVEC @ np.diag(IMAGENET_EIGVAL) @ IMAGENET_EIGVEC.T
    return ColourPCA(cov, IMAGENET_EIGVAL.copy(), IMAGENET_EIGVEC.copy())


def procedural_image(index: int, seed: int = 0) -> tuple[np.ndarray, str]:
    """Image ``index`` of the procedural imagenet10 set made at 256×256, clipped to [0, 1]
    (3, 256, 256), and its class name."""
    data = imagenet10(n=index + 1, size=IMAGE_SIZE, seed=seed)
    return np.clip(data.x[index], 0.0, 1.0), data.classes[data.y[index]]


def procedural_set(n: int = 100, size: int = 64, seed: int = 0) -> np.ndarray:
    """(n, 3, size, size) images of the procedural set in [0, 1]: a stand-in for the
    training set whose pixels the paper's covariance is taken over."""
    return np.clip(imagenet10(n=n, size=size, seed=seed).x, 0.0, 1.0)


def rgb_pixels(image) -> np.ndarray:
    """(H, W, 3) uint8 of a (3, H, W) image, values clipped to [0, 1] (a lit image may leave
    it: the screen shows what a clip would)."""
    return np.ascontiguousarray(np.transpose(to_uint8(_image(image), 0.0, 1.0), (1, 2, 0)))


def from_rgb_pixels(pixels) -> np.ndarray:
    """(3, H, W) values in [0, 1] of (H, W, 3) uint8 pixels (an image read from a file)."""
    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3) RGB pixels, got shape {pixels.shape}")
    return np.transpose(pixels, (2, 0, 1)).astype(float) / 255.0

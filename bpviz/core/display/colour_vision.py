"""How colours look to the colour-blind, to check that a colour scale still reads without
full colour vision.

Simulation after Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for
Simulation of Color Vision Deficiency", IEEE TVCG 15(6): one 3x3 matrix per deficiency at
severity 1.0 (protanopia, deuteranopia, tritanopia), applied to linear sRGB. Lightness is
CIE 1976 L* (D65 white), differences are CIE76 ΔE*ab."""
from __future__ import annotations

import numpy as np

MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
# linear sRGB -> CIE XYZ (D65), and the D65 white point
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805],
                        [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
WHITE = SRGB_TO_XYZ.sum(axis=1)


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB in 0..255, shape (..., 3) -> linear light in 0..1."""
    c = np.asarray(rgb, dtype=float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light (..., 3), clipped to 0..1 -> sRGB in 0..255 (float)."""
    c = np.clip(linear, 0.0, 1.0)
    return 255.0 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.x relative luminance of sRGB colours (..., 3) in 0..255."""
    return to_linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """WCAG 2.x contrast ratio of sRGB colours ``a`` and ``b`` (..., 3): 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def simulate(rgb: np.ndarray, deficiency: str) -> np.ndarray:
    """sRGB colours (..., 3) as seen with ``deficiency`` (a key of MACHADO), in sRGB."""
    return to_srgb(to_linear(rgb) @ MACHADO[deficiency].T)


def lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in 0..255 -> CIE L*a*b* (..., 3)."""
    t = to_linear(rgb) @ SRGB_TO_XYZ.T / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIE76 colour difference between sRGB colours ``a`` and ``b`` (..., 3)."""
    return np.linalg.norm(lab(a) - lab(b), axis=-1)

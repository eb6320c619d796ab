"""AlexNet's augmentation in numpy: crops, flips and PCA lighting."""
import numpy as np
import pytest

from bpviz.core.data import augment as A


def ramp(h: int = 6, w: int = 8) -> np.ndarray:
    """A (3, h, w) image whose every value says where it is: c*1000 + row*10 + column."""
    c, y, x = np.mgrid[0:3, 0:h, 0:w]
    return (c * 1000 + y * 10 + x).astype(float)


def test_crop_takes_the_window_at_its_offsets():
    image = ramp()
    part = A.crop(image, 2, 3, size=4)
    assert part.shape == (3, 4, 4)
    assert part[1, 0, 0] == 1000 + 23 and part[2, 3, 3] == 2000 + 56


@pytest.mark.parametrize("top,left", [(-1, 0), (3, 0), (0, 5)])
def test_a_crop_outside_the_image_is_refused(top, left):
    with pytest.raises(ValueError, match="leaves the 6×8 image"):
        A.crop(ramp(), top, left, size=4)


def test_a_crop_larger_than_the_image_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        A.crop(ramp(), 0, 0, size=7)


def test_random_crops_are_224_of_256_seeded_and_reach_every_offset():
    image = np.zeros((3, 256, 256))
    part, (top, left) = A.random_crop(image, 224, np.random.default_rng(5))
    assert part.shape == (3, 224, 224)
    again = A.random_crop(image, 224, np.random.default_rng(5))[1]
    assert again == (top, left)
    rng = np.random.default_rng(0)
    seen = {A.random_offsets((3, 6, 8), 4, rng) for _ in range(400)}
    assert seen == {(t, l) for t in range(3) for l in range(5)}   # uniform over all places


def test_flip_mirrors_columns_and_centre_crop_is_central():
    image = ramp()
    mirrored = A.flip(image)
    assert mirrored.shape == image.shape
    assert np.array_equal(mirrored[:, :, 0], image[:, :, -1])
    assert np.array_equal(A.flip(mirrored), image)


def test_pixel_covariance_and_eigen_decomposition_match_numpy_on_a_known_image():
    rng = np.random.default_rng(1)
    image = rng.uniform(0, 1, (3, 5, 7))
    image[1] = 0.5 * image[0] + 0.1 * image[1]       # green follows red: one strong component
    pixels = image.reshape(3, -1).T                   # (35 pixels, RGB)
    dense = (pixels - pixels.mean(0)).T @ (pixels - pixels.mean(0)) / (len(pixels) - 1)
    pca = A.pca_of(image)
    assert np.allclose(pca.covariance, dense)
    assert np.all(np.diff(pca.eigval) <= 0)                       # largest first
    assert np.allclose(np.sort(pca.eigval), np.linalg.eigvalsh(dense))
    for k in range(3):                                            # C p_k = λ_k p_k
        assert np.allclose(dense @ pca.eigvec[:, k], pca.eigval[k] * pca.eigvec[:, k])
    assert np.allclose(pca.eigvec.T @ pca.eigvec, np.eye(3))
    assert np.allclose(pca.eigvec @ np.diag(pca.eigval) @ pca.eigvec.T, dense)
    assert np.all(pca.eigvec.sum(axis=0) >= 0)                    # signs fixed


def test_a_set_of_images_pools_all_their_pixels():
    rng = np.random.default_rng(2)
    images = rng.uniform(0, 1, (4, 3, 3, 5))
    pooled = np.concatenate([im.reshape(3, -1) for im in images], axis=1)
    assert np.allclose(A.pixel_covariance(images), np.cov(pooled))
    assert not np.allclose(A.pixel_covariance(images), A.pixel_covariance(images[0]))


def test_grey_image_has_one_component_along_brightness():
    grey = np.repeat(np.linspace(0, 1, 16).reshape(1, 4, 4), 3, axis=0)
    pca = A.pca_of(grey)
    assert pca.eigval[0] > 0 and np.allclose(pca.eigval[1:], 0, atol=1e-12)
    assert np.allclose(pca.eigvec[:, 0], np.ones(3) / np.sqrt(3))   # positive sum: brighter


def test_lighting_adds_exactly_p_times_alpha_times_lambda_to_every_pixel():
    rng = np.random.default_rng(3)
    image = rng.uniform(0, 1, (3, 6, 6))
    pca = A.pca_of(image)
    alpha = np.array([0.3, -0.2, 0.05])
    lit = A.light(image, pca.eigval, pca.eigvec, alpha)
    added = (lit - image).reshape(3, -1)
    expected = sum(alpha[k] * pca.eigval[k] * pca.eigvec[:, k] for k in range(3))
    assert np.allclose(added, expected[:, None], rtol=0, atol=1e-15)
    # along eigenvector k the colour moves by exactly α_k λ_k
    assert np.allclose(pca.eigvec.T @ expected, alpha * pca.eigval)


def test_alpha_draws_are_seeded_with_standard_deviation_a_tenth():
    a = A.draw_alpha(np.random.default_rng(7))
    assert np.array_equal(a, A.draw_alpha(np.random.default_rng(7)))
    many = np.array([A.draw_alpha(np.random.default_rng(s)) for s in range(3000)])
    assert abs(many.std() - 0.1) < 0.005 and abs(many.mean()) < 0.005


def test_augment_crops_then_flips_then_lights():
    image = ramp(10, 10) / 3000
    pca = A.pca_of(image)
    alpha = np.array([0.5, 0.0, -0.5])
    out = A.augment(image, 1, 2, True, pca, alpha, size=6)
    assert np.array_equal(out.crop, image[:, 1:7, 2:8])
    assert np.array_equal(out.flipped, out.crop[:, :, ::-1])
    assert np.allclose(out.lit - out.flipped, out.shift[:, None, None])
    assert np.allclose(out.weights, alpha * pca.eigval)
    plain = A.augment(image, 1, 2, False, pca, alpha, size=6)
    assert np.array_equal(plain.flipped, plain.crop)


def test_imagenet_numbers_rebuild_their_covariance():
    pca = A.imagenet_pca()
    for k in range(3):
        assert np.allclose(pca.covariance @ pca.eigvec[:, k], pca.eigval[k] * pca.eigvec[:, k],
                           atol=1e-3)       # the published vectors are rounded to 4 digits


def test_procedural_image_is_256_in_unit_range():
    image, name = A.procedural_image(3)
    assert image.shape == (3, 256, 256) and name == "grey whale"
    assert 0 <= image.min() and image.max() <= 1
    assert A.procedural_set(5, 16).shape == (5, 3, 16, 16)


@pytest.mark.parametrize("bad", [np.zeros((4, 4)), np.zeros((1, 4, 4)), np.zeros((2, 4, 4, 3))])
def test_non_rgb_arrays_are_refused(bad):
    with pytest.raises(ValueError, match="RGB"):
        A.pca_of(bad) if bad.ndim == 4 else A.flip(bad)

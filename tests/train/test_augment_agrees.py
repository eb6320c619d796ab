"""The numpy augmentation of the demo (bpviz.core.data.augment) and the torch one that trains
AlexNet (bpviz.train.data) do the same thing to the same image."""
import numpy as np
import torch

from bpviz.core.data import augment as A
from bpviz.train import data


def test_pca_lighting_adds_the_same_colour_for_the_same_alpha():
    image = torch.rand(3, 20, 24, generator=torch.Generator().manual_seed(0))
    for seed in range(5):
        torch.manual_seed(seed)
        alpha = (torch.randn(3) * 0.1).numpy()      # the draw PCALighting makes next
        torch.manual_seed(seed)
        lit = data.PCALighting(0.1)(image).numpy()
        ours = A.light(image.numpy(), A.IMAGENET_EIGVAL, A.IMAGENET_EIGVEC, alpha)
        assert np.abs(lit - ours).max() < 1e-6
        assert np.abs(lit - image.numpy()).max() > 1e-4          # it did change the image


def test_training_uses_the_core_constants():
    assert np.allclose(data.EIGVAL.numpy(), A.IMAGENET_EIGVAL)
    assert np.allclose(data.EIGVEC.numpy(), A.IMAGENET_EIGVEC)


def test_crop_offsets_and_flip_mean_what_torchvision_means():
    from torchvision.transforms import functional as TF
    image = torch.rand(3, 32, 40, generator=torch.Generator().manual_seed(1))
    theirs = TF.hflip(TF.crop(image, 5, 9, 24, 24)).numpy()
    ours = A.flip(A.crop(image.numpy(), 5, 9, size=24))
    assert np.array_equal(theirs, ours)

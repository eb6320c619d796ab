"""AlexNet shapes and initialisation, PCA lighting statistics, the procedural set, bad
images skipped."""
import numpy as np
import pytest
import torch

from bpviz.core.errors import DataError
from bpviz.train import data
from bpviz.train.models import AlexNetPaper, build_model, weight_layers


@pytest.mark.parametrize("arch", ["alexnet", "alexnet-paper"])
@pytest.mark.parametrize("size", [224, 64])
def test_both_models_give_class_scores(arch, size):
    model = build_model(arch, 7).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, size, size))
    assert out.shape == (2, 7)


def test_paper_layers_and_initialisation():
    torch.manual_seed(0)
    m = AlexNetPaper(1000)
    convs = [l for l in m.features if isinstance(l, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [96, 256, 384, 384, 256]
    assert convs[0].kernel_size == (11, 11) and convs[0].stride == (4, 4)
    assert sum(isinstance(l, torch.nn.LocalResponseNorm) for l in m.features) == 2
    pools = [l for l in m.features if isinstance(l, torch.nn.MaxPool2d)]
    assert all(p.kernel_size == 3 and p.stride == 2 for p in pools)      # overlapping
    fcs = [l for l in m.classifier if isinstance(l, torch.nn.Linear)]
    assert [f.out_features for f in fcs] == [4096, 4096, 1000]
    for layer in convs + fcs:
        assert abs(layer.weight.std().item() - 0.01) < 0.001
    biases = [float(l.bias.detach().mean()) for l in convs + fcs]
    assert biases == [0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    assert weight_layers(m)[0] == ("conv1", convs[0])        # whose filters the GUI shows
    n_params = sum(p.numel() for p in m.parameters())
    assert 60e6 < n_params < 63e6                                          # ~60 M


def test_pca_lighting_statistics():
    torch.manual_seed(0)
    t = data.PCALighting(0.1)
    img = torch.zeros(3, 2, 2)
    shifts = torch.stack([t(img)[:, 0, 0] for _ in range(20000)])
    assert torch.allclose(shifts.mean(0), torch.zeros(3), atol=2e-3)
    cov = np.cov(shifts.numpy().T)
    expected = (data.EIGVEC @ torch.diag((0.1 * data.EIGVAL) ** 2) @ data.EIGVEC.T).numpy()
    np.testing.assert_allclose(cov, expected, atol=3e-5, rtol=0.05)
    out = t(torch.rand(3, 5, 5))
    assert (out - out[:, :1, :1]).abs().max() <= 1.0                      # same shift everywhere


def test_procedural_set_is_deterministic():
    a, b = data.SyntheticImages(20, 5, 32, seed=3), data.SyntheticImages(20, 5, 32, seed=3)
    x1, y1 = a[7]
    x2, y2 = b[7]
    assert torch.equal(x1, x2) and y1 == y2 == 2 and x1.shape == (3, 32, 32)
    assert not torch.equal(data.SyntheticImages(20, 5, 32, seed=4)[7][0], x1)
    assert a.classes[0] == "kit fox"


def test_bad_images_are_skipped_and_counted(tmp_path):
    from bpviz.train.make_dataset import write_tree
    root = write_tree(tmp_path / "d", classes=2, train_per_class=3, val_per_class=1, size=40)
    bad = next((root / "train").iterdir()) / "broken.JPEG"
    bad.write_bytes(b"\xff\xd8\xff garbage, not a JPEG")
    train, val, classes = data.build_datasets(str(root), 32)
    assert len(train) == 7 and len(classes) == 2
    items = [train[i] for i in range(len(train))]
    assert sum(i is None for i in items) == 1
    x, y, skipped = data.collate_skipping(items)
    assert x.shape == (6, 3, 32, 32) and skipped == 1


def test_missing_folders_are_named(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        data.build_datasets(str(tmp_path / "nope"), 64)
    (tmp_path / "d").mkdir()
    with pytest.raises(DataError, match="has no train/ folder"):
        data.build_datasets(str(tmp_path / "d"), 64)
    (tmp_path / "d" / "train").mkdir()
    (tmp_path / "d" / "val").mkdir()
    with pytest.raises(DataError, match="train' has no class folders"):
        data.build_datasets(str(tmp_path / "d"), 64)


def test_ten_crop_validation_and_workers_can_pickle_the_transforms(tmp_path):
    import pickle

    from bpviz.train.make_dataset import write_tree
    root = write_tree(tmp_path / "d", classes=2, train_per_class=2, val_per_class=1, size=80)
    train, val, _ = data.build_datasets(str(root), 64, ten_crop=True)
    x, y = val[0]
    assert x.shape == (10, 3, 64, 64)
    pickle.dumps(train.folder.transform)
    pickle.dumps(val.folder.transform)


def test_class_names_come_from_the_dataset_when_it_has_them(tmp_path):
    from bpviz.train.make_dataset import write_tree
    root = write_tree(tmp_path / "d", classes=2, train_per_class=1, val_per_class=1, size=40)
    folders = sorted(p.name for p in (root / "train").iterdir())
    assert data.build_datasets(str(root), 32)[2] == folders
    (root / "LOC_synset_mapping.txt").write_text(f"{folders[0]} kit fox, Vulpes macrotis\n")
    assert data.build_datasets(str(root), 32)[2] == ["kit fox", folders[1]]

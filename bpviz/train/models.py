"""The two AlexNets: torchvision's single-tower variant and the 2012 paper's layers.

Paper (Krizhevsky et al., NIPS 2012, section 3 and 5): conv 96@11x11/4, 256@5x5,
384@3x3, 384@3x3, 256@3x3; LRN (n=5, alpha=1e-4, beta=0.75, k=2) after conv1 and conv2;
overlapping 3/2 max-pooling; FC 4096-4096 with dropout 0.5; weights N(0, 0.01), biases 1 in
conv2, conv4, conv5 and the hidden FC layers, 0 elsewhere. Both models end in an adaptive
average pool to 6x6, so they take 224x224 images and smaller ones (64x64) alike.
"""
from __future__ import annotations

import torch
from torch import nn

ARCHS = ("alexnet", "alexnet-paper")
WeightLayer = nn.Conv2d | nn.Linear          # what ``weight_layers`` lists


class AlexNetPaper(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The paper's initialisation."""
        convs = [m for m in self.features if isinstance(m, nn.Conv2d)]
        fcs = [m for m in self.classifier if isinstance(m, nn.Linear)]
        ones = {id(convs[1]), id(convs[3]), id(convs[4]), id(fcs[0]), id(fcs[1])}
        for layer in convs + fcs:
            nn.init.normal_(layer.weight, mean=0.0, std=0.01)
            if layer.bias is not None:          # every layer here has one
                nn.init.constant_(layer.bias, 1.0 if id(layer) in ones else 0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def build_model(arch: str, num_classes: int) -> nn.Module:
    if arch == "alexnet":
        from torchvision.models import alexnet
        return alexnet(weights=None, num_classes=num_classes)
    if arch == "alexnet-paper":
        return AlexNetPaper(num_classes)
    raise ValueError(f"unknown architecture '{arch}' (choose from {', '.join(ARCHS)})")


def weight_layers(model: nn.Module) -> list[tuple[str, WeightLayer]]:
    """The layers with weights in network order, named as in the paper: conv1-conv5, then
    fc6-fc8 (numbering continues from the convolutions)."""
    layers: list[tuple[str, WeightLayer]] = []
    convs = 0
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            convs += 1
            layers.append((f"conv{convs}", m))
        elif isinstance(m, nn.Linear):
            layers.append((f"fc{len(layers) + 1}", m))
    return layers


"""What a run measures as it trains and evaluates: running sums of the loss, top-1 and top-5
hits, kept on the device and read only every log interval (no host sync per step)."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class Sums:
    """Running sums kept on the device (no host sync until they are read)."""

    device: torch.device
    loss: torch.Tensor = field(init=False)         # these four: set by reset()
    top1: torch.Tensor = field(init=False)
    top5: torch.Tensor = field(init=False)
    count: torch.Tensor = field(init=False)
    skipped: int = 0

    def __post_init__(self):
        self.reset()

    def reset(self) -> None:
        z = lambda: torch.zeros((), dtype=torch.float64, device=self.device)  # noqa: E731
        self.loss, self.top1, self.top5, self.count = z(), z(), z(), z()
        self.skipped = 0

    def add(self, loss: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        n = labels.shape[0]
        k = min(5, logits.shape[1])
        top = logits.detach().topk(k, dim=1).indices
        hit = top == labels[:, None]
        self.loss += loss.detach().double() * n
        self.top1 += hit[:, 0].sum()
        self.top5 += hit.any(dim=1).sum()
        self.count += n

    def read(self, world: int = 1) -> dict:
        """Mean loss, top-1 and top-5 (summed over ranks when distributed)."""
        packed = torch.stack([self.loss, self.top1, self.top5, self.count])
        if world > 1:
            torch.distributed.all_reduce(packed)
        loss, top1, top5, count = packed.tolist()
        count = max(count, 1.0)
        return {"loss": loss / count, "top1": top1 / count, "top5": top5 / count}

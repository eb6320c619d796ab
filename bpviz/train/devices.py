"""Where a run's steps run: the torch device a setting names, the autocast precision, and the
run's place among torchrun's ranks (Dist)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .train_config import ConfigError


@dataclass
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(f"--device {name} asked for CUDA, but no CUDA GPU is available "
                              f"here (use --device cpu)")
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise ConfigError(f"--device {name}: there are only {torch.cuda.device_count()} "
                              f"CUDA devices")
        return torch.device(name)
    if name == "cpu":
        return torch.device("cpu")
    raise ConfigError(f"unknown device '{name}' (auto, cpu, cuda or cuda:N)")


def pick_precision(name: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for fp32."""
    if name == "fp32" or (name == "auto" and device.type != "cuda"):
        return None
    if device.type != "cuda":
        raise ConfigError(f"--precision {name} needs a CUDA device")
    if name == "auto":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return {"bf16": torch.bfloat16, "fp16": torch.float16}[name]

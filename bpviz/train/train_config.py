"""TrainConfig: what a training run is asked to do, as the CLI's flags, the Training tab's
form and a run folder's config.json give it; ConfigError for a setting that cannot work.
No torch: the form and the CLI build one before torch loads."""
from __future__ import annotations

from dataclasses import dataclass


class ConfigError(ValueError):
    """A setting that cannot work here (no CUDA, unknown architecture, an output folder
    that already holds a run...)."""


@dataclass
class TrainConfig:
    data: str = "synthetic"
    arch: str = "alexnet"
    epochs: int = 90
    max_steps: int | None = None
    batch_size: int = 128
    lr: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: str = "plateau"            # plateau (the paper) | step (every step_epochs)
    step_epochs: int = 30
    image_size: int = 224
    classes: int = 10                    # synthetic data only
    synthetic_train: int = 2560
    synthetic_val: int = 512
    workers: int = 0
    device: str = "auto"
    precision: str = "auto"              # auto | fp32 | bf16 | fp16
    channels_last: bool = False
    compile: bool = False
    out: str = "runs/alexnet"
    resume: bool = False
    seed: int = 0
    log_every: int = 10
    checkpoint_every: int = 0            # steps; 0: at epoch ends and when stopped only
    ten_crop: bool = False
    threads: int | None = None           # torch CPU threads (the GUI leaves itself a core)

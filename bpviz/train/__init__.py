"""AlexNet training on torch: models, data pipeline, one training loop for the CLI, the GUI
and torchrun ranks, checkpoints and metrics. Imports torch and torchvision, never Qt."""

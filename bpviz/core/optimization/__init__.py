"""Optimizers mirroring torch.optim, the numpy training loop, and how one step
compares with SGD's."""

"""The numbers behind the Losses and Optimizers tabs, one module per job: loss curves
(curves), the two-parameter test functions (surface), loss landscapes of a two-weight model
and of a whole graph (landscapes), and optimizers racing on a surface (race)."""

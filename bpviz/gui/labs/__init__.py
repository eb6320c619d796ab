"""The labs: the Losses tab (curves, multiclass, loss surfaces) and the Optimizers tab."""

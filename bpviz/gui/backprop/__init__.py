"""The Backprop tab: the canvas with its docks, the stepper bar and data, the Inspector,
the gradient check and the Update & Train panel."""

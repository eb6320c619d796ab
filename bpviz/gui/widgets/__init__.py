"""Small widgets shared by the tabs: heat maps, colour maps, formulas, the optimizer form,
figure export, lazily built panels and worker threads."""

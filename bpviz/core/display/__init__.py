"""Numbers made ready to be drawn, without Qt: arrays as pictures, array summaries, numbers in
one notation, colours as the colour-blind see them, formulas split for a narrow column."""

"""Lessons: the strip of steps beside the network, the runner that plays each step on the
window, and the place in a lesson kept between starts."""

"""The Training tab: the AlexNet training form, run control (thread or torchrun), the live
run views and run folders opened from disk."""

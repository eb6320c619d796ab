"""AlexNet training on torch: models, data pipeline, one training loop for the CLI, the GUI
and torchrun ranks, and the run folder it writes. Never imports Qt. The run folder
(run_folder), the data-folder checks (folders) and the settings (train_config) load no torch,
so the app opens run folders and checks data where torch is not installed."""

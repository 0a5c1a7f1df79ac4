"""Training: datasets, format-blind augmentation, training, evaluation and Stable Diffusion data generation. No Qt."""

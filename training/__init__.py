"""Training: datasets, format-blind augmentation, training, evaluation and Stable Diffusion data generation. No Qt."""

if (
    __name__ != "miwake.training"
):  # the repository's `training/` is the installed `miwake.training`; two names would load it twice
    raise ImportError(f"import miwake.training, not {__name__}: Miwake's packages live in the `miwake` namespace")

"""Building detector models: architecture names, fresh timm models, and the check that a bundle's weights fit.

Both `core.bundle` (the card and weights on disk) and `core.detector` (a loaded model) need these; they live
here so neither imports the other. timm and torch are imported only when a model is actually built.
"""

from __future__ import annotations

import difflib
from typing import Any

from .bundle import Bundle
from .errors import BundleError, UnknownArchitectureError


def check_arch(arch: object) -> str:
    """`arch` if it is a plain architecture name the installed timm knows, else `UnknownArchitectureError`.

    Hub names (`hf-hub:owner/name`, `timm/name`) are refused: timm would fetch their config from the network,
    and nothing Miwake does leaves the machine. Miwake's own architectures (``core.archs``) count as known.
    """
    import timm

    from . import archs  # noqa: F401  (registers Miwake's architectures with timm)

    if isinstance(arch, str) and arch and ":" not in arch and "/" not in arch and timm.is_model(arch):
        return arch
    name = arch if isinstance(arch, str) else repr(arch)
    if isinstance(arch, str) and (":" in arch or "/" in arch):
        raise UnknownArchitectureError(
            f"{name!r} names a model on a hub; Miwake only builds architectures it has locally (plain timm names)."
        )
    close = difflib.get_close_matches(name, timm.list_models(), n=5, cutoff=0.6)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UnknownArchitectureError(
        f"{name!r} is not an architecture this Miwake knows (timm {timm.__version__}).{hint} "
        f"Common choices: {', '.join(COMMON_ARCHS)} (any name in timm's model list works)."
    )


# Offered in the wizard and in error messages: Miwake's default family, then small timm backbones that train here.
COMMON_ARCHS = ("tf_efficientnetv2_b0", "efficientnet_b0", "convnext_nano", "resnet50")


def build_model(arch: str, **kwargs: Any) -> Any:
    """A fresh (random) timm model with one output logit; weights come from a bundle or training.
    `arch` may also name one of Miwake's own architectures (``core.archs``, registered with timm)."""
    import timm

    check_arch(arch)
    return timm.create_model(arch, pretrained=False, num_classes=1, **kwargs)


def validate_bundle(bundle: Bundle) -> None:
    """Full check before installing: card, checksum, and that the weights fit the timm architecture."""
    sd = bundle.load_state_dict(verify=True)
    try:
        model = build_model(bundle.card.arch)
    except Exception as e:  # timm raises RuntimeError/KeyError for unknown names
        raise BundleError(f"{bundle.card.arch!r} is not an architecture this Miwake (timm) knows: {e}") from e
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in sd.items()}
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    wrong = sorted(k for k in set(expected) & set(got) if expected[k] != got[k])
    if missing or extra or wrong:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {missing[0]})")
        if extra:
            parts.append(f"{len(extra)} unexpected (e.g. {extra[0]})")
        if wrong:
            parts.append(f"{len(wrong)} with wrong shapes (e.g. {wrong[0]}: {got[wrong[0]]} vs {expected[wrong[0]]})")
        raise BundleError(f"The weights do not fit architecture {bundle.card.arch}: " + "; ".join(parts) + ".")
    for k, v in sd.items():
        if v.is_floating_point() and not bool(v.isfinite().all()):
            raise BundleError(f"The weights contain NaN or infinite values ({k}).")

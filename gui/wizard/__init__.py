"""The retraining wizard (issue #8): generate AI images, train or fine-tune, evaluate, install."""

from .retrain_wizard import RetrainWizard

__all__ = ["RetrainWizard"]

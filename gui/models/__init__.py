"""Qt item models that mirror `core` results."""

from .results_model import (
    PROBABILITY_ROLE,
    RESULT_ROLE,
    SORT_ROLE,
    Column,
    ResultsModel,
    ResultsProxyModel,
)

__all__ = ["Column", "PROBABILITY_ROLE", "RESULT_ROLE", "SORT_ROLE", "ResultsModel", "ResultsProxyModel"]

"""Learner adapters: cheap, fitted views of a :class:`~featurization.BaseRepresentation`.

``"native"`` gives a pandas DataFrame with ``category`` columns (LightGBM, CatBoost, XGBoost,
histogram gradient boosting); ``"one_hot_scaled"`` gives a float matrix with standardized
numbers, one-hot categories and TF-IDF (linear models, SVM, KNN, MLP).
"""

from featurization.adapters._base import Adapter, AdapterKind, make_adapter

__all__ = ["Adapter", "AdapterKind", "make_adapter"]

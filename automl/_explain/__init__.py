"""Model explanations: permutation importance of a fitted AutoML pipeline (Azure's
``model_explainability=True``).

Permuting one feature's values across the rows breaks its link with the label; how much
the metric gets worse is the feature's importance. Two views:

* **raw**: a column of the raw DataFrame is permuted and the rows go through the whole
  pipeline (featurizer -> adapter -> model), for any pipeline, ensembles included;
* **engineered**: a column of the adapted matrix the learner sees is permuted and only the
  model predicts again (single-member pipelines only: the members of an ensemble see
  different matrices).

Importance is goal-aware: ``baseline - permuted`` for a maximised metric and
``permuted - baseline`` for a minimised one, so a positive importance always means the
feature helps. Each feature is permuted ``n_repeats`` times; ``importance`` is the mean
drop and ``std`` its standard deviation over the repeats. The permutations come from
``numpy.random.default_rng(seed)`` in a fixed order, so a result is reproducible.

Example:
    >>> explanation = explain_model(result.best_model, X_valid, y_valid,  # doctest: +SKIP
    ...                             task="classification", metric="AUC_weighted")
    >>> explanation.top(3)  # doctest: +SKIP
    [FeatureImportance(name='income', importance=0.21, std=0.01, raw_column=None), ...]
"""

from __future__ import annotations

from automl._explain._explanation import EXPLANATION_ARTIFACT, Explanation, FeatureImportance
from automl._explain._model import DEFAULT_MAX_ENGINEERED as DEFAULT_MAX_ENGINEERED
from automl._explain._model import _scorer as _scorer
from automl._explain._model import explain_model
from automl._explain._permutation import _Context as _Context
from automl._explain._permutation import _engineered as _engineered

__all__ = ["EXPLANATION_ARTIFACT", "Explanation", "FeatureImportance", "explain_model"]

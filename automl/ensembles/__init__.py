"""Ensembles of AutoML children: Azure's VotingEnsemble and StackEnsemble.

The searcher hands over every child's out-of-fold predictions (:class:`ChildPredictions`);
:func:`build_ensembles` returns the candidates, each with its out-of-fold score and the best
child's score computed the same way; the controller keeps a candidate that
:func:`is_better` than the best child and assembles it from the fitted children with
:meth:`EnsembleCandidate.build_model`.

- **VotingEnsemble**: greedy ensemble selection with replacement (Caruana et al., 2004) over
  the out-of-fold predictions; the model averages its members' probabilities (or
  predictions) with the selected weights (:func:`select_voting`, :class:`VotingSettings`).
  Selection also takes arrays of any shape with the caller's score function
  (:class:`ScoredPredictions`): the forecasting task selects over its children's
  rolling-origin forecasts so.
- **StackEnsemble**: a meta-learner (Azure's ``stack_meta_learner_type``) trained on the
  out-of-fold predictions of the best children, scored out of fold itself
  (:func:`fit_stack`, :class:`StackSettings`).

Importing this package loads numpy; scikit-learn and LightGBM load only for stacking.
"""

from __future__ import annotations

from automl.ensembles._build import EnsembleCandidate, EnsembleKind, build_ensembles, is_better
from automl.ensembles._data import ChildPredictions, EnsembleData
from automl.ensembles._meta_learners import META_LEARNERS
from automl.ensembles._models import StackEnsembleModel, VotingEnsembleModel
from automl.ensembles._scored import ScoredPredictions, SelectionData
from automl.ensembles._selection import SelectionResult, VotingSettings, select_voting
from automl.ensembles._stacking import StackResult, StackSettings, fit_stack

__all__ = [
    "META_LEARNERS",
    "ChildPredictions",
    "EnsembleCandidate",
    "EnsembleData",
    "EnsembleKind",
    "ScoredPredictions",
    "SelectionData",
    "SelectionResult",
    "StackEnsembleModel",
    "StackResult",
    "StackSettings",
    "VotingEnsembleModel",
    "VotingSettings",
    "build_ensembles",
    "fit_stack",
    "is_better",
    "select_voting",
]

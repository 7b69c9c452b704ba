"""Samplers: propose parameters for trial ``index`` from a search space (ask/tell)."""

from search_spaces.samplers._base import Goal, Sampler, TrialState
from search_spaces.samplers._bayesian import BayesianSampler
from search_spaces.samplers._factory import SAMPLING_ALGORITHMS, make_sampler
from search_spaces.samplers._grid import GridSampler
from search_spaces.samplers._random import RandomSampler, Rule

__all__ = [
    "SAMPLING_ALGORITHMS",
    "BayesianSampler",
    "Goal",
    "GridSampler",
    "RandomSampler",
    "Rule",
    "Sampler",
    "TrialState",
    "make_sampler",
]

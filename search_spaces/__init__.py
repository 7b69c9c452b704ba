"""Parameter expressions, search spaces and samplers (random incl. Sobol, grid, bayesian).

Azure ML HyperDrive's vocabulary, open and local::

    >>> import math
    >>> from search_spaces import SearchSpace, choice, loguniform, make_sampler, uniform
    >>> space = SearchSpace({
    ...     "lr": loguniform(math.log(1e-4), math.log(1e-1)),
    ...     "model": choice({"name": "svm", "C": uniform(0.1, 10)}, {"name": "rf"}),
    ... })
    >>> sampler = make_sampler("random", space, seed=0)
    >>> space.contains(sampler.ask(0))
    True

``import search_spaces`` imports neither optuna nor scipy; the samplers that need them import
them when built or first asked.
"""

from search_spaces._choice import Choice, choice
from search_spaces._errors import SearchExhaustedError, SearchSpaceError
from search_spaces._expressions import Constant, Distribution, Expression
from search_spaces._normal import (
    LogNormal,
    Normal,
    QLogNormal,
    QNormal,
    lognormal,
    normal,
    qlognormal,
    qnormal,
)
from search_spaces._space import SearchSpace, flatten_params
from search_spaces._uniform import (
    LogUniform,
    QLogUniform,
    QUniform,
    RandInt,
    Uniform,
    loguniform,
    qloguniform,
    quniform,
    randint,
    uniform,
)
from search_spaces._yaml import parse_search_space
from search_spaces.samplers import (
    BayesianSampler,
    Goal,
    GridSampler,
    RandomSampler,
    Sampler,
    TrialState,
    make_sampler,
)

__all__ = [
    "BayesianSampler",
    "Choice",
    "Constant",
    "Distribution",
    "Expression",
    "Goal",
    "GridSampler",
    "LogNormal",
    "LogUniform",
    "Normal",
    "QLogNormal",
    "QLogUniform",
    "QNormal",
    "QUniform",
    "RandInt",
    "RandomSampler",
    "Sampler",
    "SearchExhaustedError",
    "SearchSpace",
    "SearchSpaceError",
    "TrialState",
    "Uniform",
    "choice",
    "flatten_params",
    "lognormal",
    "loguniform",
    "make_sampler",
    "normal",
    "parse_search_space",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]

"""``make_sampler``: a sampler from a name or an Azure v2 ``sampling_algorithm`` mapping."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from search_spaces._errors import SearchSpaceError
from search_spaces._space import SearchSpace
from search_spaces._validation import describe, list_names
from search_spaces.samplers._base import Goal, Sampler
from search_spaces.samplers._bayesian import BayesianSampler
from search_spaces.samplers._grid import GridSampler
from search_spaces.samplers._random import RandomSampler

__all__ = ["SAMPLING_ALGORITHMS", "make_sampler"]

# Accepted mapping keys per algorithm type (Azure v2; `seed`/`n_startup_trials` for
# bayesian are ours, since our Bayesian sampler is seeded).
_KEYS: Mapping[str, tuple[str, ...]] = {
    "random": ("type", "seed", "rule", "logbase"),
    "grid": ("type",),
    "bayesian": ("type", "seed", "n_startup_trials"),
}
SAMPLING_ALGORITHMS: tuple[str, ...] = ("bayesian", "grid", "random", "sobol")
"""Names :func:`make_sampler` accepts; ``sobol`` is ``random`` with ``rule: sobol``."""


def _algorithm_name(value: object, field: str) -> str:
    if not isinstance(value, str) or value.lower() not in SAMPLING_ALGORITHMS:
        close = difflib.get_close_matches(str(value).lower(), SAMPLING_ALGORITHMS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SearchSpaceError(
            f"`{field}` must be one of {', '.join(SAMPLING_ALGORITHMS)}, "
            f"got {describe(value)}{hint}"
        )
    return value.lower()


def _merge_seed(given: int | None, from_mapping: object) -> Any:
    if from_mapping is None:
        return given
    if given is not None and given != from_mapping:
        raise SearchSpaceError(
            f"`seed` is given twice with different values: seed={given!r} and "
            f"sampling_algorithm.seed={from_mapping!r}; give one"
        )
    return from_mapping


def make_sampler(
    algorithm: str | Mapping[str, Any],
    space: SearchSpace | Mapping[str, Any],
    *,
    seed: int | None = None,
    goal: Goal = "maximize",
) -> Sampler:
    """Build a sampler from a name or an Azure v2 ``sampling_algorithm`` value.

    Args:
        algorithm: ``"random"``, ``"sobol"`` (random with ``rule="sobol"``), ``"grid"`` or
            ``"bayesian"`` (any case), or a mapping such as ``{"type": "random", "seed": 42,
            "rule": "sobol"}``, ``{"type": "grid"}``, ``{"type": "bayesian"}``. A mapping may
            also give ``logbase: e`` (random; the only base supported) and ``seed`` /
            ``n_startup_trials`` (bayesian).
        space: The search space.
        seed: Seed; a mapping's ``seed`` is used when this is None.
        goal: ``"maximize"`` or ``"minimize"``.

    Returns:
        The sampler.

    Raises:
        SearchSpaceError: Unknown name, type or key (the message lists the valid ones), two
            different seeds, or an invalid value.

    Example:
        >>> from search_spaces import SearchSpace, choice
        >>> make_sampler({"type": "random", "seed": 42, "rule": "sobol"},
        ...              SearchSpace({"a": choice(1, 2)})).seed
        42
    """
    if isinstance(algorithm, str):
        name = _algorithm_name(algorithm, "sampling_algorithm")
        if name == "sobol":
            return RandomSampler(space, seed=seed, goal=goal, rule="sobol")
        options: dict[str, Any] = {}
    elif isinstance(algorithm, Mapping):
        if "type" not in algorithm:
            raise SearchSpaceError(
                "`sampling_algorithm` mapping must have a `type` "
                f"({', '.join(sorted(_KEYS))}), got keys {list(algorithm)!r}"
            )
        name = _algorithm_name(algorithm["type"], "sampling_algorithm.type")
        if name == "sobol":
            raise SearchSpaceError(
                "`sampling_algorithm.type` must be one of bayesian, grid, random, got 'sobol'; "
                "write {type: random, rule: sobol}"
            )
        unknown = [key for key in algorithm if key not in _KEYS[name]]
        if unknown:
            raise SearchSpaceError(
                f"unknown key `{unknown[0]}` in sampling_algorithm of type {name}; "
                f"valid keys: {list_names(_KEYS[name])}"
            )
        options = {key: value for key, value in algorithm.items() if key != "type"}
    else:
        raise SearchSpaceError(
            "`sampling_algorithm` must be a name or a mapping with `type`, "
            f"got {describe(algorithm)}"
        )
    return _build(name, options, space, seed, goal)


def _build(
    name: str,
    options: dict[str, Any],
    space: SearchSpace | Mapping[str, Any],
    seed: int | None,
    goal: Goal,
) -> Sampler:
    if name == "grid":
        return GridSampler(space, seed=seed, goal=goal)
    seed = _merge_seed(seed, options.pop("seed", None))
    if name == "bayesian":
        return BayesianSampler(space, seed=seed, goal=goal, **options)
    logbase = options.pop("logbase", "e")
    if logbase != "e":
        raise SearchSpaceError(
            f"`logbase` must be 'e', got {describe(logbase)}; loguniform and lognormal "
            "bounds are natural logarithms"
        )
    rule = options.pop("rule", "random")
    if isinstance(rule, str):
        rule = rule.lower()
    return RandomSampler(space, seed=seed, goal=goal, rule=rule)

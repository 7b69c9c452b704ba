"""The sampler interface: ``ask`` for trial ``index``, ``tell`` its result.

Determinism contract: the proposal for index ``k`` is a pure function of the seed, ``k`` and
the sequence of tells made so far, in order. Asking the same index twice with the same told
history gives the same parameters, and two samplers fed the same asks and tells agree.
"""

from __future__ import annotations

import math
import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Literal, TypeAlias, get_args

from search_spaces._errors import SearchExhaustedError, SearchSpaceError
from search_spaces._space import SearchSpace
from search_spaces._validation import check_index, describe, is_real_number

__all__ = ["Goal", "Sampler", "TrialState", "usable_value"]

Goal: TypeAlias = Literal["maximize", "minimize"]
TrialState: TypeAlias = Literal["completed", "failed", "early_terminated"]

_GOALS: tuple[str, ...] = get_args(Goal)
_STATES: tuple[str, ...] = get_args(TrialState)


class Sampler(ABC):
    """Proposes parameters for trial ``index`` and learns from told results.

    Args:
        space: The search space (a mapping is turned into a :class:`SearchSpace`).
        seed: Seed for every random choice; ``None`` draws a fresh one, kept in
            :attr:`seed` so that the run can be reproduced.
        goal: Whether larger (``"maximize"``) or smaller (``"minimize"``) values are better.

    Raises:
        SearchSpaceError: ``seed`` is not a non-negative int, or ``goal`` is unknown.
    """

    def __init__(
        self,
        space: SearchSpace | Mapping[str, Any],
        *,
        seed: int | None = None,
        goal: Goal = "maximize",
    ) -> None:
        if not isinstance(space, SearchSpace):
            if not isinstance(space, Mapping):
                raise SearchSpaceError(f"`space` must be a SearchSpace, got {describe(space)}")
            space = SearchSpace(space)
        if goal not in _GOALS:
            raise SearchSpaceError(
                f"`goal` must be one of {', '.join(_GOALS)}, got {describe(goal)}"
            )
        self._space = space
        self._seed = secrets.randbelow(2**31) if seed is None else check_index("seed", seed)
        self._goal: Goal = goal

    @property
    def space(self) -> SearchSpace:
        """The search space proposals are drawn from."""
        return self._space

    @property
    def seed(self) -> int:
        """The seed in use (drawn at construction when none was given)."""
        return self._seed

    @property
    def goal(self) -> Goal:
        """``"maximize"`` or ``"minimize"``."""
        return self._goal

    @property
    def size(self) -> int | None:
        """The number of distinct proposals when finite (a grid), else None."""
        return None

    @abstractmethod
    def ask(self, index: int) -> dict[str, Any]:
        """The parameters for trial ``index`` (0-based).

        Raises:
            SearchExhaustedError: ``index`` is at or past :attr:`size`.
            SearchSpaceError: ``index`` is not a non-negative integer.
        """

    def tell(
        self,
        index: int,
        params: Mapping[str, Any],
        value: float | None,
        state: TrialState = "completed",
    ) -> None:
        """Record the outcome of trial ``index`` (the default ignores it after checking it).

        Args:
            index: The trial's index.
            params: The parameters it ran with.
            value: Its final metric value; None when it has none.
            state: ``"completed"``, ``"failed"`` or ``"early_terminated"``.

        Raises:
            SearchSpaceError: An argument has the wrong type or an unknown state.
        """
        self._check_tell(index, params, value, state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self._seed}, goal={self._goal!r})"

    def _check_ask(self, index: object) -> int:
        """Validate ``index`` for :meth:`ask`, raising past a finite size."""
        checked = check_index("index", index)
        size = self.size
        if size is not None and checked >= size:
            raise SearchExhaustedError(
                f"{type(self).__name__} has {size} distinct proposals (indexes 0 to "
                f"{size - 1}); index {checked} is past the end of the search"
            )
        return checked

    @staticmethod
    def _check_tell(index: object, params: object, value: object, state: object) -> None:
        """Validate the arguments of :meth:`tell`."""
        check_index("index", index)
        if not isinstance(params, Mapping):
            raise SearchSpaceError(f"`params` must be a mapping, got {describe(params)}")
        if value is not None and not is_real_number(value):
            raise SearchSpaceError(f"`value` must be a number or None, got {describe(value)}")
        if state not in _STATES:
            raise SearchSpaceError(
                f"`state` must be one of {', '.join(_STATES)}, got {describe(state)}"
            )


def usable_value(value: float | None) -> float | None:
    """``value`` as a float when it is finite, else None."""
    if value is None:
        return None
    as_float = float(value)
    return as_float if math.isfinite(as_float) else None

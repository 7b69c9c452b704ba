"""Random sampling, plain or along a scrambled Sobol sequence (Azure's ``rule: sobol``)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

from search_spaces._choice import Choice
from search_spaces._errors import SearchExhaustedError, SearchSpaceError
from search_spaces._expressions import Distribution
from search_spaces._space import SearchSpace
from search_spaces._validation import describe
from search_spaces.samplers._base import Goal, Sampler

if TYPE_CHECKING:
    from scipy.stats import qmc

__all__ = ["RandomSampler", "Rule", "sobol_dimensions"]

Rule = Literal["random", "sobol"]
_RULES: tuple[str, ...] = get_args(Rule)
_SOBOL_BITS = 30  # scipy's default: 2**30 points


def sobol_dimensions(space: SearchSpace) -> int:
    """How many Sobol dimensions ``space`` uses: one per expression, in every branch."""
    total = 0
    for member in space.values():
        if isinstance(member, Choice):
            total += 1 + sum(
                sobol_dimensions(option)
                for option in member.values
                if isinstance(option, SearchSpace)
            )
        elif isinstance(member, Distribution):
            total += 1
    return total


def _from_unit(space: SearchSpace, point: Sequence[float], offset: int) -> dict[str, Any]:
    # Walk the names in sorted order; a choice takes one dimension, then every sub-space
    # option gets its own block of dimensions, used only when that option is chosen.
    drawn: dict[str, Any] = {}
    for name in sorted(space):
        member = space[name]
        if isinstance(member, Choice):
            chosen = member.index_for_unit(point[offset])
            offset += 1
            for index, option in enumerate(member.values):
                if not isinstance(option, SearchSpace):
                    continue
                if index == chosen:
                    drawn[name] = _from_unit(option, point, offset)
                offset += sobol_dimensions(option)
            if name not in drawn:
                drawn[name] = member.values[chosen]
        elif isinstance(member, Distribution):
            drawn[name] = member.ppf(point[offset])
            offset += 1
        else:
            drawn[name] = member
    return {name: drawn[name] for name in space}


class RandomSampler(Sampler):
    """Independent random proposals, as Azure's random sampling.

    ``rule="random"``: trial ``index`` draws every parameter from its own stream,
    ``numpy.random.default_rng([seed, index])``, so a proposal depends on (seed, index) only.

    ``rule="sobol"``: trial ``index`` takes the ``index``-th point of a scrambled Sobol
    sequence (``scipy.stats.qmc.Sobol``, scrambled with ``seed``) and maps each coordinate
    through the parameter's inverse CDF: uniform linearly, loguniform through ``exp``, the
    normal family through ``mu + sigma * Phi^-1(u)``, ``choice`` and ``randint`` through
    ``floor(u * n)``. Parameters take dimensions in sorted name order; a ``choice`` takes one,
    then each of its sub-space options gets its own block of dimensions (allocated whether or
    not it is chosen), so every branch is itself a well-spread Sobol sequence. The sequence
    holds 2**30 points.

    Tells are ignored.

    Args:
        space: The search space.
        seed: Seed; ``None`` draws one, kept in :attr:`seed`.
        goal: Unused (random sampling ignores results); kept for a uniform interface.
        rule: ``"random"`` or ``"sobol"``.

    Example:
        >>> from search_spaces import SearchSpace, uniform
        >>> sampler = RandomSampler(SearchSpace({"x": uniform(0, 1)}), seed=1, rule="sobol")
        >>> sampler.ask(0) == sampler.ask(0)
        True
    """

    def __init__(
        self,
        space: SearchSpace | Mapping[str, Any],
        *,
        seed: int | None = None,
        goal: Goal = "maximize",
        rule: Rule = "random",
    ) -> None:
        super().__init__(space, seed=seed, goal=goal)
        if rule not in _RULES:
            raise SearchSpaceError(
                f"`rule` must be one of {', '.join(_RULES)}, got {describe(rule)}"
            )
        self._rule: Rule = rule
        self._dimensions = sobol_dimensions(self.space)
        self._engine: qmc.Sobol | None = None

    @property
    def rule(self) -> Rule:
        """``"random"`` or ``"sobol"``."""
        return self._rule

    def ask(self, index: int) -> dict[str, Any]:
        """The parameters for trial ``index``: a pure function of (seed, index)."""
        index = self._check_ask(index)
        if self._rule == "random":
            import numpy as np

            return self.space.sample(np.random.default_rng([self.seed, index]))
        return _from_unit(self.space, self._sobol_point(index), 0)

    def __repr__(self) -> str:
        return f"RandomSampler(seed={self.seed}, rule={self._rule!r})"

    def _sobol_point(self, index: int) -> Sequence[float]:
        if self._dimensions == 0:
            return ()
        if index >= 2**_SOBOL_BITS:
            raise SearchExhaustedError(
                f"the Sobol sequence holds 2**{_SOBOL_BITS} points; index {index} is past it"
            )
        engine = self._sobol_engine()
        engine.reset()
        if index:  # scipy's fast_forward(0) fails
            engine.fast_forward(index)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # balance warnings are about batch sizes
            point = engine.random(1)[0]
        return [float(u) for u in point]

    def _sobol_engine(self) -> qmc.Sobol:
        if self._engine is None:
            from scipy.stats import qmc

            if self._dimensions > qmc.Sobol.MAXDIM:
                raise SearchSpaceError(
                    f"sobol sampling supports at most {qmc.Sobol.MAXDIM} dimensions, the "
                    f"space needs {self._dimensions}; use rule='random'"
                )
            try:
                self._engine = qmc.Sobol(self._dimensions, scramble=True, rng=self.seed)
            except TypeError:  # scipy < 1.15 names the argument `seed`
                self._engine = qmc.Sobol(self._dimensions, scramble=True, seed=self.seed)
        return self._engine

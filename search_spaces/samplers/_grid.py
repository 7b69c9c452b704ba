"""Grid sampling: every combination of ``choice`` options, in a stable order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search_spaces._choice import Choice
from search_spaces._errors import SearchSpaceError
from search_spaces._expressions import Expression
from search_spaces._space import SearchSpace
from search_spaces.samplers._base import Goal, Sampler

__all__ = ["GridSampler", "grid_size"]


def _non_choices(space: SearchSpace, path: str = "") -> list[str]:
    found: list[str] = []
    for name in sorted(space):
        member = space[name]
        member_path = f"{path}.{name}" if path else name
        if isinstance(member, Choice):
            for index, option in enumerate(member.values):
                if isinstance(option, SearchSpace):
                    found += _non_choices(option, f"{member_path}.values[{index}]")
        elif isinstance(member, Expression):
            found.append(f"parameter `{member_path}` is `{member.type_name}`")
    return found


def _option_size(option: object) -> int:
    return grid_size(option) if isinstance(option, SearchSpace) else 1


def grid_size(space: SearchSpace) -> int:
    """The number of grid points: the product over parameters of their option counts.

    A choice counts one point per constant option plus the grid size of each sub-space
    option; a constant counts one.
    """
    size = 1
    for member in space.values():
        if isinstance(member, Choice):
            size *= sum(_option_size(option) for option in member.values)
    return size


def _grid_point(space: SearchSpace, index: int) -> dict[str, Any]:
    # Mixed-radix decoding over the sorted names, the last name varying fastest (the order
    # of itertools.product over the sorted names).
    drawn: dict[str, Any] = {}
    for name in reversed(sorted(space)):
        member = space[name]
        if not isinstance(member, Choice):
            drawn[name] = member
            continue
        sizes = [_option_size(option) for option in member.values]
        index, digit = divmod(index, sum(sizes))
        for option, size in zip(member.values, sizes, strict=True):
            if digit < size:
                drawn[name] = (
                    _grid_point(option, digit) if isinstance(option, SearchSpace) else option
                )
                break
            digit -= size
    return {name: drawn[name] for name in space}


class GridSampler(Sampler):
    """Every combination of ``choice`` options, once each (Azure's grid sampling).

    Only ``choice`` expressions (and constants) are allowed, nested sub-spaces included.
    Trial ``index`` gets the ``index``-th point of the cartesian product over the parameters
    in sorted name order, the last name varying fastest; a sub-space option contributes each
    point of its own grid in turn. :attr:`size` is the number of points; asking past it
    raises :class:`SearchExhaustedError`. Tells are ignored.

    Args:
        space: A space of choices and constants.
        seed: Unused (the grid is fixed); kept for a uniform interface.
        goal: Unused; kept for a uniform interface.

    Raises:
        SearchSpaceError: Some parameter is not a ``choice``; the message names its path.

    Example:
        >>> from search_spaces import SearchSpace, choice
        >>> grid = GridSampler(SearchSpace({"a": choice(1, 2), "b": choice("x", "y")}))
        >>> grid.size, grid.ask(1)
        (4, {'a': 1, 'b': 'y'})
    """

    def __init__(
        self,
        space: SearchSpace | Mapping[str, Any],
        *,
        seed: int | None = None,
        goal: Goal = "maximize",
    ) -> None:
        super().__init__(space, seed=seed, goal=goal)
        problems = _non_choices(self.space)
        if problems:
            raise SearchSpaceError(
                f"grid sampling supports only `choice`; {', '.join(problems)}; use the random "
                "or bayesian sampling algorithm, or list the values with choice(...)"
            )
        self._size = grid_size(self.space)

    @property
    def size(self) -> int:
        """The number of grid points."""
        return self._size

    def ask(self, index: int) -> dict[str, Any]:
        """The ``index``-th grid point.

        Raises:
            SearchExhaustedError: ``index >= size``.
        """
        return _grid_point(self.space, self._check_ask(index))

    def __repr__(self) -> str:
        return f"GridSampler(size={self._size})"

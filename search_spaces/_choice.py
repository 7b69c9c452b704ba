"""``choice``: one of a list of options; options that are dicts make a conditional space."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from search_spaces._errors import SearchSpaceError
from search_spaces._expressions import (
    Constant,
    Expression,
    check_constant,
    clip_unit,
    same_constant,
)
from search_spaces._space import SearchSpace
from search_spaces._validation import describe

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Choice", "Option", "choice"]

Option: TypeAlias = Constant | SearchSpace
"""A ``choice`` option: a JSON scalar, or a sub-space (given as a dict)."""


def _check_option(position: int, option: object) -> Option:
    if isinstance(option, SearchSpace):
        return option
    if isinstance(option, Mapping):
        return SearchSpace(option)
    if isinstance(option, Expression):
        raise SearchSpaceError(
            f"`values[{position}]` must be a constant or a dict (sub-space), got the "
            f"expression {option!r}; put it inside a dict: choice({{'x': ...}})"
        )
    if isinstance(option, (list, tuple)):
        raise SearchSpaceError(
            f"`values[{position}]` must be a str, int, float, bool, None or a dict "
            f"(sub-space), got the list {option!r}; lists are not supported as option values"
        )
    return check_constant(option, what=f"`values[{position}]`")


@dataclass(frozen=True, eq=False, slots=True)
class Choice(Expression):
    """``choice(*options)``: one of the options, each with equal probability.

    Options are JSON scalars (str, int, float, bool, None) or dicts. A dict option is a
    sub-space (its values are expressions, constants or further choices): when it is chosen,
    the parameter's value is a sample of that sub-space, a nested dict. This makes a
    conditional space: only the chosen branch's parameters are drawn.

    Example:
        >>> space_choice = choice({"name": "svm", "C": 1.0}, {"name": "rf"})
        >>> space_choice.contains({"name": "rf"})
        True
    """

    type_name: ClassVar[str] = "choice"
    values: tuple[Option, ...]

    def __post_init__(self) -> None:
        if isinstance(self.values, (str, bytes, Mapping)) or not isinstance(self.values, Sequence):
            raise SearchSpaceError(
                f"`values` must be a list of options, got {describe(self.values)}"
            )
        if not self.values:
            raise SearchSpaceError(
                "`values` must have at least one option, got an empty list; "
                "write choice(1, 2, 3) or choice([1, 2, 3])"
            )
        checked = tuple(_check_option(i, option) for i, option in enumerate(self.values))
        object.__setattr__(self, "values", checked)

    @property
    def is_conditional(self) -> bool:
        """Whether some option is a sub-space."""
        return any(isinstance(option, SearchSpace) for option in self.values)

    def sample(self, rng: np.random.Generator) -> Any:
        """Pick an option uniformly; a sub-space option is sampled in turn."""
        return self.resolve(int(rng.integers(len(self.values))), rng)

    def resolve(self, index: int, rng: np.random.Generator | None = None) -> Any:
        """The value of option ``index``: the constant, or a sample of the sub-space."""
        option = self.values[index]
        if isinstance(option, SearchSpace):
            if rng is None:
                raise SearchSpaceError(
                    f"option {index} is a sub-space; a generator is needed to sample it"
                )
            return option.sample(rng)
        return option

    def index_for_unit(self, u: float) -> int:
        """The option index ``floor(u * len(values))`` (the inverse CDF, for Sobol)."""
        return min(int(clip_unit(u) * len(self.values)), len(self.values) - 1)

    def index_of(self, value: object) -> int | None:
        """The first option ``value`` belongs to, or None when it belongs to none."""
        for index, option in enumerate(self.values):
            if isinstance(option, SearchSpace):
                if option.contains(value):
                    return index
            elif same_constant(option, value):
                return index
        return None

    def contains(self, value: object) -> bool:
        """Whether ``value`` is one of the constants or a sample of one of the sub-spaces."""
        return self.index_of(value) is not None

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "choice", "values": [...]}``, sub-spaces in their dict form."""
        return {
            "type": self.type_name,
            "values": [
                option.to_dict() if isinstance(option, SearchSpace) else option
                for option in self.values
            ],
        }


def choice(*options: Any) -> Choice:
    """One of ``options``, uniformly; dict options are conditional sub-spaces.

    ``choice(1, 2, 3)`` and ``choice([1, 2, 3])`` are the same: a single list (or tuple)
    argument is the list of options. See :class:`Choice`.

    Raises:
        SearchSpaceError: No options, or an option that is neither a JSON scalar nor a dict.
    """
    if len(options) == 1 and isinstance(options[0], (list, tuple)):
        return Choice(tuple(options[0]))
    return Choice(options)

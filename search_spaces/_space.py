"""``SearchSpace``: an immutable mapping of parameter names to expressions or constants.

A space is conditional when one of its ``choice`` expressions has sub-spaces (dicts) among its
options: only the chosen option's parameters exist in a sample, nested under the choice's
name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from search_spaces._errors import SearchSpaceError
from search_spaces._expressions import (
    Constant,
    Expression,
    canonical_json,
    check_constant,
    same_constant,
)
from search_spaces._validation import describe

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Member", "SearchSpace", "check_param_name", "flatten_params"]

Member: TypeAlias = Expression | Constant
"""What a search space maps a parameter name to."""

# Characters reserved for parameter paths ("model.C", "model.values[0].C").
_RESERVED = (".", "[", "]")


def check_param_name(name: object) -> str:
    """Return ``name`` if it is a valid parameter name, else raise.

    Raises:
        SearchSpaceError: ``name`` is not a non-empty string free of ``.``, ``[`` and ``]``.
    """
    if not isinstance(name, str) or not name.strip():
        raise SearchSpaceError(f"parameter names must be non-empty strings, got {describe(name)}")
    for char in _RESERVED:
        if char in name:
            raise SearchSpaceError(
                f"parameter names must not contain {char!r} (it separates nested names in "
                f"flattened parameters), got {name!r}; use '_' instead"
            )
    return name


def _check_member(name: str, value: object) -> Member:
    if isinstance(value, Expression):
        return value
    if isinstance(value, Mapping):
        raise SearchSpaceError(
            f"parameter `{name}` must be an expression or a constant, got a dict; a nested "
            "sub-space goes inside choice(...) (choice({...}) for a single one), and the "
            "v2 dict form {'type': ..., ...} is read by SearchSpace.from_dict"
        )
    if isinstance(value, (list, tuple)):
        raise SearchSpaceError(
            f"parameter `{name}` must be an expression or a constant, got a list "
            f"{value!r}; to pick one of several values use choice(...)"
        )
    return check_constant(value, what=f"parameter `{name}`")


class SearchSpace(Mapping[str, Member]):
    """An immutable mapping of parameter names to expressions or constants.

    Sampling gives a dict with one value per parameter; a ``choice`` whose options are
    sub-spaces gives the chosen sub-space's sample (a nested dict). Two spaces are equal when
    their dict forms are equal, whatever the order of their parameters; the dict form is the
    Azure v2 ``search_space:`` mapping, so JSON and YAML share one format.

    Args:
        params: Parameter name -> expression or constant (str, int, float, bool, None).
        **kwargs: More parameters, by keyword.

    Raises:
        SearchSpaceError: A name is empty or contains ``.``/``[``/``]``, a name is given
            twice, or a value is neither an expression nor a JSON scalar.

    Example:
        >>> import numpy as np
        >>> from search_spaces import choice, randint, uniform
        >>> space = SearchSpace({
        ...     "model": choice(
        ...         {"name": "svm", "C": uniform(0, 1)}, {"name": "rf", "n": randint(10)}
        ...     ),
        ...     "lr": uniform(0, 1),
        ... })
        >>> sorted(space.sample(np.random.default_rng(0)))
        ['lr', 'model']
    """

    __slots__ = ("_canonical", "_params")

    _params: Mapping[str, Member]
    _canonical: str

    def __init__(self, params: Mapping[str, Any] | None = None, /, **kwargs: Any) -> None:
        if params is not None and not isinstance(params, Mapping):
            raise SearchSpaceError(
                "`params` must be a mapping of parameter names to expressions or constants, "
                f"got {describe(params)}"
            )
        merged: dict[str, Member] = {}
        for source in (params or {}, kwargs):
            for name, value in source.items():
                check_param_name(name)
                if name in merged:
                    raise SearchSpaceError(f"parameter `{name}` is given twice")
                merged[name] = _check_member(name, value)
        object.__setattr__(self, "_params", MappingProxyType(merged))
        object.__setattr__(self, "_canonical", canonical_json(self.to_dict()))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SearchSpace is immutable")

    def __getitem__(self, name: str) -> Member:
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchSpace):
            return NotImplemented
        return self._canonical == other._canonical

    def __hash__(self) -> int:
        return hash(self._canonical)

    def __repr__(self) -> str:
        return f"SearchSpace({dict(self._params)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (SearchSpace, (dict(self._params),))

    @property
    def is_conditional(self) -> bool:
        """Whether some ``choice`` (at any depth) has a sub-space among its options."""
        return any(
            isinstance(option, SearchSpace)
            for member in self._params.values()
            for option in getattr(member, "values", ())
        )

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw one parameter dict with ``rng``.

        Parameters are drawn in sorted name order (so equal spaces sample alike whatever
        their order); the result keeps the space's order.
        """
        drawn: dict[str, Any] = {}
        for name in sorted(self._params):
            member = self._params[name]
            drawn[name] = member.sample(rng) if isinstance(member, Expression) else member
        return {name: drawn[name] for name in self._params}

    def contains(self, params: object) -> bool:
        """Whether ``params`` is a possible sample of this space.

        ``params`` must have exactly this space's names; constants must match, and each
        expression must contain its value (a nested dict for a sub-space choice).
        """
        if not isinstance(params, Mapping) or set(params) != set(self._params):
            return False
        for name, member in self._params.items():
            value = params[name]
            if isinstance(member, Expression):
                if not member.contains(value):
                    return False
            elif not same_constant(member, value):
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """The Azure v2 ``search_space:`` mapping: name -> ``{type: ..., ...}`` or constant."""
        return {
            name: member.to_dict() if isinstance(member, Expression) else member
            for name, member in self._params.items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchSpace:
        """Build a space from its dict form (the Azure v2 ``search_space:`` mapping).

        Same as :func:`parse_search_space`; errors name the parameter path.
        """
        from search_spaces._yaml import parse_search_space

        return parse_search_space(data)

    @classmethod
    def from_yaml_mapping(cls, mapping: Mapping[str, Any]) -> SearchSpace:
        """Build a space from a YAML ``search_space:`` mapping (after ``yaml.safe_load``).

        Example:
            >>> import yaml
            >>> SearchSpace.from_yaml_mapping(yaml.safe_load('''
            ... lr: {type: loguniform, min_value: -9.2, max_value: -2.3}
            ... batch_size: {type: choice, values: [16, 32]}
            ... '''))["batch_size"]
            Choice(values=(16, 32))
        """
        return cls.from_dict(mapping)

    def to_json(self, *, indent: int | None = None) -> str:
        """The dict form as JSON (no NaN; floats round-trip exactly)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> SearchSpace:
        """Build a space from :meth:`to_json` output.

        Raises:
            SearchSpaceError: ``text`` is not JSON, or not a valid space.
        """
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as error:
            raise SearchSpaceError(f"`text` must be JSON, got {text!r:.80}: {error}") from None
        return cls.from_dict(data)

    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical JSON form; equal spaces have equal fingerprints."""
        return hashlib.sha256(self._canonical.encode("utf-8")).hexdigest()


def flatten_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten nested parameter dicts into dotted names, for leaderboards and stores.

    Example:
        >>> flatten_params({"model": {"name": "svm", "C": 0.31}, "lr": 0.5})
        {'model.name': 'svm', 'model.C': 0.31, 'lr': 0.5}
    """
    if not isinstance(params, Mapping):
        raise SearchSpaceError(f"`params` must be a mapping, got {describe(params)}")
    flat: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Mapping):
            for inner, leaf in flatten_params(value).items():
                flat[f"{name}.{inner}"] = leaf
        else:
            flat[str(name)] = value
    return flat

"""Reading the Azure v2 ``search_space:`` mapping (YAML or JSON, already loaded).

Each parameter is ``{type: <expression>, <fields>}`` or a bare scalar (a constant). A
``choice``'s ``values`` may hold mappings: those are sub-spaces in the same format. Errors
name the parameter path, e.g. ``model.values[0].C``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from search_spaces._choice import Choice
from search_spaces._errors import SearchSpaceError
from search_spaces._expressions import Expression, check_constant
from search_spaces._normal import LogNormal, Normal, QLogNormal, QNormal
from search_spaces._space import SearchSpace, check_param_name
from search_spaces._uniform import LogUniform, QLogUniform, QUniform, RandInt, Uniform
from search_spaces._validation import describe, list_names

__all__ = ["EXPRESSION_TYPES", "parse_expression", "parse_search_space"]

EXPRESSION_TYPES: Mapping[str, type[Expression]] = {
    cls.type_name: cls
    for cls in (
        Choice,
        RandInt,
        Uniform,
        QUniform,
        LogUniform,
        QLogUniform,
        Normal,
        QNormal,
        LogNormal,
        QLogNormal,
    )
}
"""Azure v2 ``type`` name -> expression class."""

_FIELDS: Mapping[str, tuple[str, ...]] = {
    "choice": ("values",),
    "randint": ("upper",),
    "uniform": ("min_value", "max_value"),
    "quniform": ("min_value", "max_value", "q"),
    "loguniform": ("min_value", "max_value"),
    "qloguniform": ("min_value", "max_value", "q"),
    "normal": ("mu", "sigma"),
    "qnormal": ("mu", "sigma", "q"),
    "lognormal": ("mu", "sigma"),
    "qlognormal": ("mu", "sigma", "q"),
}


def _where(path: str) -> str:
    return f"parameter `{path}`: " if path else ""


def _suggest(word: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(word, valid, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _number(value: Any) -> Any:
    # YAML 1.1 reads `1e-5` (no dot) as a string; accept numeric strings in the dict form.
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def parse_search_space(mapping: Mapping[str, Any], *, path: str = "") -> SearchSpace:
    """Build a :class:`SearchSpace` from the Azure v2 ``search_space:`` mapping.

    Args:
        mapping: Parameter name -> ``{type: ..., <fields>}``, a constant, or an expression
            object. Numbers given as strings (YAML reads ``1e-5`` as one) are accepted.
        path: Prefix for parameter paths in error messages (used for nested sub-spaces).

    Returns:
        The search space.

    Raises:
        SearchSpaceError: Unknown ``type``, unknown or missing fields, invalid values; the
            message names the parameter path and lists what is valid.

    Example:
        >>> import yaml
        >>> space = parse_search_space(yaml.safe_load('''
        ... model:
        ...   type: choice
        ...   values:
        ...     - {name: svm, C: {type: uniform, min_value: 0.1, max_value: 10}}
        ...     - {name: rf, n_estimators: {type: randint, upper: 500}}
        ... '''))
        >>> space.is_conditional
        True
    """
    if not isinstance(mapping, Mapping):
        where = f"parameter `{path}`: sub-space" if path else "`search_space`"
        raise SearchSpaceError(
            f"{where} must be a mapping of parameter names to {{type: ..., ...}} or "
            f"constants, got {describe(mapping)}"
        )
    members: dict[str, Any] = {}
    for name, value in mapping.items():
        try:
            check_param_name(name)
        except SearchSpaceError as error:
            raise SearchSpaceError(f"{_where(path)}{error}") from None
        member_path = f"{path}.{name}" if path else name
        if isinstance(value, Expression):
            members[name] = value
        elif isinstance(value, Mapping):
            members[name] = parse_expression(value, path=member_path)
        elif isinstance(value, (list, tuple)):
            raise SearchSpaceError(
                f"{_where(member_path)}must be {{type: ..., ...}} or a constant, got the list "
                f"{value!r}; for one of several values write {{type: choice, values: [...]}}"
            )
        else:
            try:
                members[name] = check_constant(value, what="a constant")
            except SearchSpaceError as error:
                raise SearchSpaceError(f"{_where(member_path)}{error}") from None
    return SearchSpace(members)


def parse_expression(data: Mapping[str, Any], *, path: str) -> Expression:
    """Build one expression from its v2 dict form; errors name ``path``.

    Raises:
        SearchSpaceError: Unknown ``type``, unknown or missing fields, invalid values.
    """
    where = _where(path)
    valid_types = sorted(EXPRESSION_TYPES)
    if not isinstance(data, Mapping):
        raise SearchSpaceError(f"{where}must be a mapping {{type: ..., ...}}, got {describe(data)}")
    if "type" not in data:
        raise SearchSpaceError(
            f"{where}missing field `type`; valid types: {', '.join(valid_types)} "
            "(a mapping without `type` is only allowed as a choice option, as a sub-space)"
        )
    raw_type = data["type"]
    type_name = raw_type.lower() if isinstance(raw_type, str) else raw_type
    if type_name not in EXPRESSION_TYPES:
        hint = _suggest(type_name, valid_types) if isinstance(type_name, str) else ""
        raise SearchSpaceError(
            f"{where}unknown `type` {raw_type!r}; valid types: {', '.join(valid_types)}{hint}"
        )
    fields = _FIELDS[type_name]
    given = {key: value for key, value in data.items() if key != "type"}
    unknown = [key for key in given if key not in fields]
    if unknown:
        hint = _suggest(str(unknown[0]), list(fields))
        raise SearchSpaceError(
            f"{where}unknown field `{unknown[0]}` for type `{type_name}`; "
            f"valid fields: {list_names(fields)}{hint}"
        )
    missing = [name for name in fields if name not in given]
    if missing:
        raise SearchSpaceError(
            f"{where}missing field `{missing[0]}` for type `{type_name}`; "
            f"required fields: {list_names(fields)}"
        )
    try:
        if type_name == "choice":
            # Sub-space errors are raised with their full path by the nested parse.
            return Choice(_parse_options(given["values"], path))
        return EXPRESSION_TYPES[type_name](**{key: _number(value) for key, value in given.items()})
    except _Located as error:
        raise SearchSpaceError(str(error)) from None
    except SearchSpaceError as error:
        raise SearchSpaceError(f"{where}{error}") from None


def _parse_options(values: object, path: str) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, (list, tuple)):
        raise SearchSpaceError(f"`values` must be a list of options, got {describe(values)}")
    options: list[Any] = []
    for index, option in enumerate(values):
        if isinstance(option, Mapping) and not isinstance(option, SearchSpace):
            # Errors inside a sub-space carry their full path already.
            try:
                options.append(parse_search_space(option, path=f"{path}.values[{index}]"))
            except SearchSpaceError as error:
                raise _Located(str(error)) from None
        else:
            options.append(option)
    return tuple(options)


class _Located(SearchSpaceError):
    """An error from a nested sub-space whose message already names its full path."""

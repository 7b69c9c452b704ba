"""Build a policy from what a user wrote: nothing, a name, an instance or a YAML mapping."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Final

from trials.policies._asha import AshaPolicy
from trials.policies._bandit import BanditPolicy
from trials.policies._base import EarlyTerminationPolicy
from trials.policies._median import MedianStoppingPolicy
from trials.policies._none import NoTerminationPolicy
from trials.policies._truncation import TruncationSelectionPolicy

POLICY_TYPES: Final[Mapping[str, type[EarlyTerminationPolicy]]] = {
    cls.name: cls
    for cls in (
        AshaPolicy,
        BanditPolicy,
        MedianStoppingPolicy,
        NoTerminationPolicy,
        TruncationSelectionPolicy,
    )
}
"""YAML ``type`` -> policy class."""


def make_policy(
    spec: EarlyTerminationPolicy | Mapping[str, Any] | str | None,
) -> EarlyTerminationPolicy:
    """Return the early-termination policy that ``spec`` describes.

    Args:
        spec: ``None`` or ``"none"`` (no early termination); a policy instance (returned as
            is); a type name whose parameters all have defaults (``"median_stopping"``,
            ``"asha"``); or an Azure v2 YAML mapping such as ``{"type": "bandit",
            "slack_factor": 0.1, "evaluation_interval": 1, "delay_evaluation": 5}``. Azure's
            camel-case names (``MedianStopping``) are accepted, and a key set to ``None``
            (YAML ``null``) takes its default.

    Returns:
        The policy.

    Raises:
        TypeError: ``spec`` or a parameter has the wrong type.
        ValueError: unknown type or key (the error lists the valid ones), a missing required
            key, or a bad value.

    Example:
        >>> make_policy({"type": "truncation_selection", "truncation_percentage": 20})
        TruncationSelectionPolicy(truncation_percentage=20, evaluation_interval=1, \
delay_evaluation=0, exclude_finished_jobs=False)
    """
    if spec is None:
        return NoTerminationPolicy()
    if isinstance(spec, EarlyTerminationPolicy):
        return spec
    if isinstance(spec, str):
        return _from_mapping({"type": spec})
    if isinstance(spec, Mapping):
        return _from_mapping(spec)
    raise TypeError(
        "`early_termination` must be None, a policy, a type name or a mapping with `type`, "
        f"got {spec!r}"
    )


def _from_mapping(spec: Mapping[str, Any]) -> EarlyTerminationPolicy:
    valid_types = ", ".join(sorted(POLICY_TYPES))
    if "type" not in spec:
        raise ValueError(
            f"`type` is required in an early termination mapping (one of {valid_types}), "
            f"got keys {sorted(map(str, spec))!r}"
        )
    raw_type = spec["type"]
    if not isinstance(raw_type, str):
        raise TypeError(f"`type` must be one of {valid_types}, got {raw_type!r}")
    cls = POLICY_TYPES.get(_snake(raw_type))
    if cls is None:
        raise ValueError(f"`type` must be one of {valid_types}, got {raw_type!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(str(key) for key in spec if key != "type" and key not in fields)
    if unknown:
        valid_keys = ", ".join(sorted(["type", *fields]))
        raise ValueError(
            f"unknown key(s) {', '.join(unknown)} for early termination type {cls.name!r}; "
            f"valid keys: {valid_keys}"
        )
    kwargs = {key: value for key, value in spec.items() if key != "type" and value is not None}
    for name, field in fields.items():
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        if required and name not in kwargs:
            raise ValueError(f"`{name}` is required for early termination type {cls.name!r}")
    return cls(**kwargs)


def _snake(name: str) -> str:
    """``MedianStopping`` -> ``median_stopping``; snake and upper case pass through lowered."""
    if name.isupper() or "_" in name:
        return name.lower()
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()

"""The narrow base of the learner adapters, their kinds and the factory."""

from __future__ import annotations

import enum
import inspect
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

from featurization._errors import FeaturizationError, closest_hint, describe, list_names

if TYPE_CHECKING:
    from featurization._representation import BaseRepresentation

__all__ = ["Adapter", "AdapterKind", "make_adapter"]


class AdapterKind(enum.StrEnum):
    """The inputs learners declare they want."""

    NATIVE = "native"
    ONE_HOT_SCALED = "one_hot_scaled"


class Adapter(ABC):
    """Builds what a learner wants from a base representation; fitted on a fold's training rows.

    Subclasses implement ``_fit`` (learn scaling, SVD, category grouping and set
    ``self._sources``: per output column its name and the engineered features it comes
    from) and ``_transform``.
    """

    kind: ClassVar[AdapterKind]

    def fit(self, base: BaseRepresentation) -> Self:
        """Learn what the adapter needs from the training rows' representation."""
        self._schema: tuple[str, ...] = tuple(base.engineered_feature_names())
        self._raw_columns = dict(base.raw_columns)
        self._sources: list[tuple[str, tuple[str, ...]]] = []
        self._fit(base)
        return self

    def transform(self, base: BaseRepresentation) -> Any:
        """Build the learner's input for ``base``'s rows.

        Raises:
            FeaturizationError: Not fitted, or ``base`` has other engineered features than
                the representation the adapter was fitted on.
        """
        schema = self._fitted_schema()
        if tuple(base.engineered_feature_names()) != schema:
            raise FeaturizationError(
                "`base` must have the engineered features the adapter was fitted on "
                f"({len(schema)}), got {len(base.engineered_feature_names())} others; "
                "use the same fitted Featurizer for every part of a fold"
            )
        return self._transform(base)

    def fit_transform(self, base: BaseRepresentation) -> Any:
        """Fit on ``base`` and transform it."""
        return self.fit(base).transform(base)

    def feature_names(self) -> list[str]:
        """Names of the output columns."""
        self._fitted_schema()
        return [name for name, _ in self._sources]

    def engineered_sources(self) -> dict[str, tuple[str, ...]]:
        """Output column -> the engineered features it is computed from."""
        self._fitted_schema()
        return dict(self._sources)

    def raw_sources(self) -> list[str]:
        """The raw column of each output column (for raw-feature importance)."""
        self._fitted_schema()
        return [self._raw_columns[sources[0]] for _, sources in self._sources]

    def _fitted_schema(self) -> tuple[str, ...]:
        schema: tuple[str, ...] | None = getattr(self, "_schema", None)
        if schema is None:
            raise FeaturizationError(f"this {type(self).__name__} is not fitted; call fit(base)")
        return schema

    @abstractmethod
    def _fit(self, base: BaseRepresentation) -> None:
        """Learn from the training representation; fill ``self._sources``."""

    @abstractmethod
    def _transform(self, base: BaseRepresentation) -> Any:
        """Build the output for ``base``."""


def make_adapter(kind: str, **options: Any) -> Adapter:
    """A new, unfitted adapter of ``kind`` with its options.

    Args:
        kind: ``"native"`` or ``"one_hot_scaled"`` (an :class:`AdapterKind`).
        **options: The adapter's options (see :class:`NativeAdapter`,
            :class:`OneHotScaledAdapter`); unknown names are an error.

    Raises:
        FeaturizationError: Unknown kind or option.

    Example:
        >>> make_adapter("one_hot_scaled", min_frequency=10)
        OneHotScaledAdapter(min_frequency=10, max_categories=100, sparse='auto')
    """
    from featurization.adapters._native import NativeAdapter
    from featurization.adapters._one_hot import OneHotScaledAdapter

    registry: dict[str, type[Adapter]] = {
        AdapterKind.NATIVE: NativeAdapter,
        AdapterKind.ONE_HOT_SCALED: OneHotScaledAdapter,
    }
    kinds = [str(name) for name in AdapterKind]
    if kind not in registry:
        raise FeaturizationError(
            f"`kind` must be one of {list_names(kinds)}, got {describe(kind)}"
            f"{closest_hint(str(kind), kinds)}"
        )
    cls = registry[kind]
    valid = [name for name in inspect.signature(cls).parameters]
    unknown = [name for name in options if name not in valid]
    if unknown:
        raise FeaturizationError(
            f"options of the {kind!r} adapter must be among {list_names(valid)}, "
            f"got {describe(unknown[0])}{closest_hint(unknown[0], valid)}"
        )
    return cls(**options)

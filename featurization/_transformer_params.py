"""Typed parameters of the transformers a user may tune (``transformer_params``).

Azure's ``FeaturizationConfig.add_transformer_params(transformer, cols, params)`` keeps a list
of ``(columns, params)`` per transformer; its v2 YAML writes the same as
``{imputer: [{fields: [...], parameters: {...}}]}``. Here each entry is a frozen dataclass
with a ``columns`` tuple (empty: every column the transformer applies to) and its own typed,
validated fields. ``FeaturizationConfig(transformer_params=...)`` accepts, per transformer
name, one entry or a list of them, each either such a dataclass, a flat mapping
(``{"columns": ["age"], "strategy": "median"}``) or Azure's v2 shape
(``{"fields": ["age"], "parameters": {"strategy": "median"}}``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal

from featurization._errors import FeaturizationError, closest_hint, describe, list_names

__all__ = [
    "HashOneHotEncoderParams",
    "ImputerParams",
    "TargetEncoderParams",
    "TfIdfParams",
    "TransformerParams",
    "canonical_transformer",
    "parse_transformer_params",
]

ImputeStrategy = Literal["mean", "median", "most_frequent", "constant"]


@dataclass(frozen=True)
class TransformerParams:
    """Base of the per-transformer parameter entries.

    Attributes:
        columns: The columns the entry applies to; empty means every column the transformer
            handles (an entry naming a column wins over an empty one).
    """

    transformer: ClassVar[str] = ""
    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        field_name = f"transformer_params[{self.transformer!r}].columns"
        if isinstance(self.columns, str) or not isinstance(self.columns, Sequence):
            raise FeaturizationError(
                f"`{field_name}` must be a list of column names, got {describe(self.columns)}"
            )
        bad = [column for column in self.columns if not isinstance(column, str)]
        if bad:
            raise FeaturizationError(
                f"`{field_name}` must hold column names (strings), got {describe(bad[0])}"
            )
        object.__setattr__(self, "columns", tuple(self.columns))

    def _field(self, name: str) -> str:
        return f"transformer_params[{self.transformer!r}].{name}"


@dataclass(frozen=True)
class ImputerParams(TransformerParams):
    """How missing values are filled (Azure's ``Imputer``).

    Numeric columns accept every strategy (default ``"mean"``, Azure's); ``Categorical`` and
    ``CategoricalHash`` columns accept ``"most_frequent"`` and ``"constant"`` (by default their
    missing values keep the code -1 instead of being filled). A numeric ``fill_value`` must be
    a number; a categorical one is used as a string.
    """

    transformer: ClassVar[str] = "Imputer"
    strategy: ImputeStrategy = "mean"
    fill_value: float | str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        strategies = ("mean", "median", "most_frequent", "constant")
        if self.strategy not in strategies:
            raise FeaturizationError(
                f"`{self._field('strategy')}` must be one of {list_names(strategies)}, "
                f"got {describe(self.strategy)}"
            )
        if self.strategy == "constant" and self.fill_value is None:
            raise FeaturizationError(
                f"`{self._field('fill_value')}` must be given with strategy 'constant', got None"
            )


@dataclass(frozen=True)
class HashOneHotEncoderParams(TransformerParams):
    """Hashing of ``CategoricalHash`` columns into ``2 ** number_of_bits`` buckets."""

    transformer: ClassVar[str] = "HashOneHotEncoder"
    number_of_bits: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int(self._field("number_of_bits"), self.number_of_bits, 1, 20)


@dataclass(frozen=True)
class TfIdfParams(TransformerParams):
    """TF-IDF of ``Text`` columns: word 1..``word_ngram_max``-grams and character n-grams.

    Attributes:
        max_features: Most word n-grams kept per column (the most frequent).
        word_ngram_max: Longest word n-gram (1 to 3).
        char_max_features: Most character n-grams (3 to 5, within words) kept per column;
            0 leaves them out.
        min_df: Fewest documents a term must appear in (1 for frames of under 100 rows).
    """

    transformer: ClassVar[str] = "TfIdf"
    max_features: int = 5000
    word_ngram_max: int = 2
    char_max_features: int = 5000
    min_df: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int(self._field("max_features"), self.max_features, 1, 1_000_000)
        _check_int(self._field("word_ngram_max"), self.word_ngram_max, 1, 3)
        _check_int(self._field("char_max_features"), self.char_max_features, 0, 1_000_000)
        _check_int(self._field("min_df"), self.min_df, 1, 1_000_000)


@dataclass(frozen=True)
class TargetEncoderParams(TransformerParams):
    """Out-of-fold target encoding (Azure's ``CatTargetEncoder``).

    Naming columns here target-encodes them (``Categorical`` or ``CategoricalHash``) whatever
    ``high_cardinality_encoding`` says; an entry without columns only sets the parameters.

    Attributes:
        folds: Folds of the out-of-fold encoding of the training rows (2 to 20).
        smoothing: Weight of the prior: ``(sum + smoothing * prior) / (count + smoothing)``.
    """

    transformer: ClassVar[str] = "TargetEncoder"
    folds: int = 5
    smoothing: float = 10.0

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_int(self._field("folds"), self.folds, 2, 20)
        value = self.smoothing
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
            or value < 0
        ):
            raise FeaturizationError(
                f"`{self._field('smoothing')}` must be a number >= 0, got {describe(value)}"
            )


PARAM_CLASSES: dict[str, type[TransformerParams]] = {
    cls.transformer: cls
    for cls in (ImputerParams, HashOneHotEncoderParams, TfIdfParams, TargetEncoderParams)
}
_ALIASES = {name.lower(): name for name in PARAM_CLASSES} | {"cattargetencoder": "TargetEncoder"}


def canonical_transformer(name: object) -> str:
    """The canonical name of a tunable transformer (case-insensitive, Azure aliases too).

    Raises:
        FeaturizationError: ``name`` is not one of them; the message lists the valid ones.
    """
    found = _ALIASES.get(str(name).lower())
    if found is None:
        raise FeaturizationError(
            f"`transformer_params` keys must be one of {list_names(PARAM_CLASSES)}, "
            f"got {describe(name)}{closest_hint(str(name), PARAM_CLASSES)}"
        )
    return found


def parse_transformer_params(value: object) -> dict[str, tuple[TransformerParams, ...]]:
    """Normalise ``transformer_params`` to typed entries per canonical transformer name.

    Raises:
        FeaturizationError: An unknown transformer or key, a bad value, or two entries of one
            transformer naming the same column.
    """
    if not isinstance(value, Mapping):
        raise FeaturizationError(
            "`transformer_params` must be a mapping of transformer name -> parameters, "
            f"got {describe(value)}"
        )
    parsed: dict[str, tuple[TransformerParams, ...]] = {}
    for key, entries in value.items():
        name = canonical_transformer(key)
        if isinstance(entries, (Mapping, TransformerParams)):
            entries = [entries]
        if not isinstance(entries, Sequence) or isinstance(entries, str):
            raise FeaturizationError(
                f"`transformer_params[{name!r}]` must be a mapping or a list of them, "
                f"got {describe(entries)}"
            )
        typed = tuple(_parse_entry(name, entry) for entry in entries)
        _check_disjoint(name, typed)
        parsed[name] = parsed.get(name, ()) + typed
    return parsed


def _parse_entry(name: str, entry: object) -> TransformerParams:
    cls = PARAM_CLASSES[name]
    if isinstance(entry, cls):
        return entry
    if not isinstance(entry, Mapping):
        raise FeaturizationError(
            f"`transformer_params[{name!r}]` entries must be mappings or {cls.__name__}, "
            f"got {describe(entry)}"
        )
    flat: dict[str, Any] = dict(entry)
    if "fields" in flat or "parameters" in flat:  # Azure v2: {fields: [...], parameters: {...}}
        extra = set(flat) - {"fields", "parameters"}
        params = flat.get("parameters") or {}
        if extra or not isinstance(params, Mapping):
            raise FeaturizationError(
                f"`transformer_params[{name!r}]` in Azure's form must be "
                f"{{'fields': [...], 'parameters': {{...}}}}, got {describe(entry)}"
            )
        flat = {"columns": flat.get("fields") or (), **params}
    valid = [item.name for item in fields(cls)]
    unknown = [key for key in flat if key not in valid]
    if unknown:
        raise FeaturizationError(
            f"`transformer_params[{name!r}]` keys must be among {list_names(valid)}, "
            f"got {describe(unknown[0])}{closest_hint(str(unknown[0]), valid)}"
        )
    if isinstance(flat.get("columns"), list):
        flat["columns"] = tuple(flat["columns"])
    return cls(**flat)


def _check_disjoint(name: str, entries: tuple[TransformerParams, ...]) -> None:
    seen: set[str] = set()
    general = 0
    for entry in entries:
        general += not entry.columns
        twice = seen & set(entry.columns)
        if twice:
            raise FeaturizationError(
                f"`transformer_params[{name!r}]` names column {sorted(twice)[0]!r} in two "
                "entries; give each column one entry"
            )
        seen.update(entry.columns)
    if general > 1:
        raise FeaturizationError(
            f"`transformer_params[{name!r}]` has {general} entries without columns; "
            "give at most one"
        )


def _check_int(field_name: str, value: object, low: int, high: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= int(value) <= high
    ):
        raise FeaturizationError(
            f"`{field_name}` must be an integer in [{low}, {high}], got {describe(value)}"
        )

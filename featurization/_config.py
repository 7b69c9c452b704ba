"""``FeaturizationConfig``: Azure AutoML's featurization settings, as a frozen dataclass."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from featurization._column_purposes import ColumnPurpose, PurposeThresholds
from featurization._errors import FeaturizationError, closest_hint, describe, list_names
from featurization._transformer_params import (
    TransformerParams,
    canonical_transformer,
    parse_transformer_params,
)

__all__ = [
    "BLOCKABLE_TRANSFORMERS",
    "FeaturizationConfig",
    "HighCardinalityEncoding",
    "resolve_featurization",
]

HighCardinalityEncoding = Literal["hash", "target"]
ParamsT = TypeVar("ParamsT", bound=TransformerParams)

#: What blocking each transformer does. Azure's other names (``TextTargetEncoder``,
#: ``WoETargetEncoder``, ``LabelEncoder``, ``WordEmbedding``, ``NaiveBayes``,
#: ``CountVectorizer``) are accepted for compatibility and block nothing: we never use them.
BLOCKABLE_TRANSFORMERS: dict[str, str] = {
    "OneHotEncoder": "the one_hot_scaled adapter gives categoricals as scaled codes instead",
    "HashOneHotEncoder": "CategoricalHash columns are dropped unless target encoded",
    "TargetEncoder": "no target encoding (Azure's CatTargetEncoder)",
    "TfIdf": "Text columns are dropped",
    "DateTimeTransformer": "DateTime columns are dropped",
    "MissingIndicator": "no missing-value indicator columns",
}
_UNUSED_AZURE = (
    "TextTargetEncoder",
    "WoETargetEncoder",
    "LabelEncoder",
    "WordEmbedding",
    "NaiveBayes",
    "CountVectorizer",
)
_BLOCK_NAMES = {name.lower(): name for name in (*BLOCKABLE_TRANSFORMERS, *_UNUSED_AZURE)} | {
    "cattargetencoder": "TargetEncoder"
}
_CHOOSABLE = [purpose.value for purpose in ColumnPurpose if purpose is not ColumnPurpose.ALL_NAN]


@dataclass(frozen=True)
class FeaturizationConfig:
    """How AutoML featurizes the training data (Azure's ``featurization='custom'``).

    Args:
        column_purposes: Column name -> purpose overriding inference: one of ``Numeric``,
            ``Categorical``, ``CategoricalHash``, ``DateTime``, ``Text``, ``Ignore``
            (case-insensitive).
        transformer_params: Transformer name (``Imputer``, ``HashOneHotEncoder``, ``TfIdf``,
            ``TargetEncoder``) -> an entry or a list of entries (see
            :mod:`featurization._transformer_params`).
        blocked_transformers: Transformers not to use (see :data:`BLOCKABLE_TRANSFORMERS`).
        drop_columns: Columns to leave out.
        high_cardinality_encoding: ``"hash"`` (Azure's default: hashed codes) or ``"target"``
            (out-of-fold target encoding) for ``CategoricalHash`` columns.
        thresholds: The column-purpose inference rules' thresholds.
        random_state: Seed of the target encoder's folds and the adapters' SVD.
        passthrough: Azure's ``featurization='off'``: every column is used as given, so
            each must be numeric (or boolean); nothing is dropped, encoded or expanded, and
            missing values are only filled (with the column mean) because most learners
            cannot take them. The other fields must keep their defaults.

    Example:
        >>> from featurization import ImputerParams
        >>> config = FeaturizationConfig(
        ...     column_purposes={"zip": "Categorical"},
        ...     transformer_params={"Imputer": {"columns": ["age"], "strategy": "median"}},
        ...     blocked_transformers=["TfIdf"],
        ... )
        >>> config.params_for(ImputerParams, "age").strategy
        'median'
    """

    column_purposes: Mapping[str, str] = field(default_factory=dict)
    transformer_params: Mapping[str, Any] = field(default_factory=dict)
    blocked_transformers: Sequence[str] = ()
    drop_columns: Sequence[str] = ()
    high_cardinality_encoding: HighCardinalityEncoding = "hash"
    thresholds: PurposeThresholds = field(default_factory=PurposeThresholds)
    random_state: int = 0
    passthrough: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "column_purposes", _parse_purposes(self.column_purposes))
        set_(self, "transformer_params", parse_transformer_params(self.transformer_params))
        set_(self, "blocked_transformers", _parse_blocked(self.blocked_transformers))
        set_(self, "drop_columns", _names("drop_columns", self.drop_columns))
        if self.high_cardinality_encoding not in ("hash", "target"):
            raise FeaturizationError(
                "`high_cardinality_encoding` must be one of 'hash', 'target', "
                f"got {describe(self.high_cardinality_encoding)}"
            )
        if not isinstance(self.thresholds, PurposeThresholds):
            raise FeaturizationError(
                f"`thresholds` must be a PurposeThresholds, got {describe(self.thresholds)}"
            )
        if isinstance(self.random_state, bool) or not isinstance(self.random_state, int):
            raise FeaturizationError(
                f"`random_state` must be an integer, got {describe(self.random_state)}"
            )
        if not isinstance(self.passthrough, bool):
            raise FeaturizationError(
                f"`passthrough` must be True or False, got {describe(self.passthrough)}"
            )
        self._check_consistent()

    def _check_consistent(self) -> None:
        if self.passthrough:
            custom = [
                item.name
                for item in dataclasses.fields(self)
                if item.name != "passthrough"
                and getattr(self, item.name) != getattr(_DEFAULTS, item.name)
            ]
            if custom:
                raise FeaturizationError(
                    f"featurization 'off' (`passthrough=True`) uses every column as given, so "
                    f"{list_names(custom)} cannot be set with it; use featurization='auto' "
                    "or a custom FeaturizationConfig instead"
                )
        both = sorted(set(self.drop_columns) & set(self.column_purposes))
        if both:
            raise FeaturizationError(
                f"`drop_columns` and `column_purposes` both name {both[0]!r}; keep one"
            )
        if "TargetEncoder" in self.blocked_transformers:
            named = self.target_encoded_columns()
            if self.high_cardinality_encoding == "target" or named:
                raise FeaturizationError(
                    "`blocked_transformers` blocks 'TargetEncoder' but "
                    + (
                        "`high_cardinality_encoding` is 'target'"
                        if not named
                        else f"`transformer_params['TargetEncoder']` names {named[0]!r}"
                    )
                )

    def is_blocked(self, transformer: str) -> bool:
        """True when ``transformer`` (a canonical name) is in ``blocked_transformers``."""
        return transformer in self.blocked_transformers

    def params_for(self, cls: type[ParamsT], column: str) -> ParamsT:
        """The parameters of ``cls``'s transformer for ``column``.

        The entry naming ``column`` wins, else the entry without columns, else the defaults.
        """
        entries: tuple[TransformerParams, ...] = self.transformer_params.get(cls.transformer, ())
        general: ParamsT | None = None
        for entry in entries:
            if column in entry.columns:
                return entry  # type: ignore[return-value]
            if not entry.columns:
                general = entry  # type: ignore[assignment]
        return general if general is not None else cls()

    def target_encoded_columns(self) -> list[str]:
        """Columns that ``transformer_params['TargetEncoder']`` names explicitly."""
        entries = self.transformer_params.get("TargetEncoder", ())
        return [column for entry in entries for column in entry.columns]

    def check_columns(self, columns: Sequence[str]) -> None:
        """Raise if the configuration names a column that ``columns`` lacks.

        Raises:
            FeaturizationError: The message names the field, the column and a close match.
        """
        known = set(columns)
        named: list[tuple[str, str]] = [
            ("column_purposes", name) for name in self.column_purposes
        ] + [("drop_columns", name) for name in self.drop_columns]
        for transformer, entries in self.transformer_params.items():
            named += [
                (f"transformer_params[{transformer!r}].columns", name)
                for entry in entries
                for name in entry.columns
            ]
        for where, name in named:
            if name not in known:
                raise FeaturizationError(
                    f"`{where}` names column {name!r}, which the data does not have"
                    f"{closest_hint(name, columns)}; columns are {list_names(columns)}"
                )

    def with_transformer_params(
        self, transformer: str, columns: Iterable[str], params: Mapping[str, Any]
    ) -> FeaturizationConfig:
        """A copy with one more ``transformer_params`` entry (Azure's
        ``add_transformer_params(transformer, cols, params)``).

        Example:
            >>> from featurization import ImputerParams
            >>> FeaturizationConfig().with_transformer_params(
            ...     "Imputer", ["age"], {"strategy": "median"}
            ... ).params_for(ImputerParams, "age").strategy
            'median'
        """
        merged: dict[str, list[Any]] = {
            name: list(entries) for name, entries in self.transformer_params.items()
        }
        merged.setdefault(canonical_transformer(transformer), []).append(
            {"columns": list(columns), **params}
        )
        return dataclasses.replace(self, transformer_params=merged)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for the run store); :func:`resolve_featurization` reads it back."""
        return {
            "column_purposes": {name: str(value) for name, value in self.column_purposes.items()},
            "transformer_params": {
                name: [
                    {
                        item.name: _plain(getattr(entry, item.name))
                        for item in dataclasses.fields(entry)
                    }
                    for entry in entries
                ]
                for name, entries in self.transformer_params.items()
            },
            "blocked_transformers": list(self.blocked_transformers),
            "drop_columns": list(self.drop_columns),
            "high_cardinality_encoding": self.high_cardinality_encoding,
            "thresholds": dataclasses.asdict(self.thresholds),
            "random_state": self.random_state,
            "passthrough": self.passthrough,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeaturizationConfig:
        """Build a config from a mapping of its field names (unknown keys are an error)."""
        valid = [item.name for item in dataclasses.fields(cls)]
        unknown = [key for key in data if key not in valid]
        if unknown:
            raise FeaturizationError(
                f"`featurization` keys must be among {list_names(valid)}, "
                f"got {describe(unknown[0])}{closest_hint(str(unknown[0]), valid)}"
            )
        values = dict(data)
        if isinstance(values.get("thresholds"), Mapping):
            values["thresholds"] = PurposeThresholds(**values["thresholds"])
        return cls(**values)


def resolve_featurization(value: object) -> FeaturizationConfig:
    """Turn AutoMLConfig's ``featurization`` value into a config.

    Args:
        value: ``"auto"`` (or ``None``): the defaults; ``"off"``: columns used as given
            (``FeaturizationConfig(passthrough=True)``); a
            :class:`FeaturizationConfig`; or a mapping of its fields (``"mode": "custom"``
            or ``"auto"`` may be included, ``"mode": "off"`` means off).

    Raises:
        FeaturizationError: Any other value.

    Example:
        >>> resolve_featurization("off").passthrough
        True
        >>> resolve_featurization("auto") == FeaturizationConfig()
        True
    """
    if value is None:
        return FeaturizationConfig()
    if isinstance(value, FeaturizationConfig):
        return value
    if isinstance(value, str) and value.lower() in ("auto", "off"):
        return FeaturizationConfig(passthrough=value.lower() == "off")
    if isinstance(value, Mapping):
        values = dict(value)
        mode = str(values.pop("mode", "custom")).lower()
        if mode not in ("auto", "custom", "off"):
            raise FeaturizationError(
                f"`featurization.mode` must be one of 'auto', 'custom', 'off', "
                f"got {describe(value['mode'])}"
            )
        if mode == "off":
            return FeaturizationConfig.from_dict({**values, "passthrough": True})
        return FeaturizationConfig.from_dict(values)
    raise FeaturizationError(
        "`featurization` must be 'auto', 'off', a FeaturizationConfig or a mapping of its "
        f"fields, got {describe(value)}"
    )


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _parse_purposes(value: object) -> dict[str, ColumnPurpose]:
    if not isinstance(value, Mapping):
        raise FeaturizationError(
            f"`column_purposes` must be a mapping of column name -> purpose, got {describe(value)}"
        )
    by_lower = {name.lower(): ColumnPurpose(name) for name in _CHOOSABLE}
    parsed: dict[str, ColumnPurpose] = {}
    for column, purpose in value.items():
        if not isinstance(column, str):
            raise FeaturizationError(
                f"`column_purposes` keys must be column names (strings), got {describe(column)}"
            )
        chosen = by_lower.get(purpose.lower()) if isinstance(purpose, str) else None
        if chosen is None:
            raise FeaturizationError(
                f"`column_purposes[{column!r}]` must be one of {list_names(_CHOOSABLE)}, "
                f"got {describe(purpose)}{closest_hint(str(purpose), _CHOOSABLE)}"
            )
        parsed[column] = chosen
    return parsed


def _parse_blocked(value: object) -> tuple[str, ...]:
    names = _names("blocked_transformers", value)
    valid = sorted({*BLOCKABLE_TRANSFORMERS, *_UNUSED_AZURE, "CatTargetEncoder"})
    canonical: list[str] = []
    for name in names:
        found = _BLOCK_NAMES.get(name.lower())
        if found is None:
            raise FeaturizationError(
                f"`blocked_transformers` entries must be one of {list_names(valid)}, "
                f"got {describe(name)}{closest_hint(name, valid)}"
            )
        if found not in canonical:
            canonical.append(found)
    return tuple(sorted(canonical))


def _names(field_name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        hint = f"; wrap it in a list: [{value!r}]" if isinstance(value, str) else ""
        raise FeaturizationError(
            f"`{field_name}` must be a list of names, got {describe(value)}{hint}"
        )
    names = tuple(value)
    for name in names:
        if not isinstance(name, str):
            raise FeaturizationError(
                f"`{field_name}` must hold names (strings), got {describe(name)}"
            )
    return names


_DEFAULTS = FeaturizationConfig()

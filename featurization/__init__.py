"""Column purposes, data guardrails, featurization and learner adapters (Azure AutoML's).

The flow of an AutoML fit (DESIGN.md, steps 3-4)::

    >>> import pandas as pd
    >>> from featurization import Featurizer, make_adapter, run_guardrails
    >>> X = pd.DataFrame({"age": [31.0, None, 45.0, 52.0], "city": ["a", "b", "a", "c"]})
    >>> y = [0, 1, 0, 1]
    >>> report = run_guardrails(X, y, task="classification")
    >>> base = Featurizer().fit_transform(X, y, task="classification")
    >>> adapter = make_adapter("native").fit(base)
    >>> adapter.transform(base).dtypes.astype(str).tolist()
    ['float32', 'float32', 'category']

``import featurization`` imports none of numpy, pandas, scipy or scikit-learn: the names below
load their module on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from featurization._column_purposes import (
        ColumnPurpose,
        ColumnPurposeInfo,
        PurposeThresholds,
        infer_column_purposes,
    )
    from featurization._config import (
        BLOCKABLE_TRANSFORMERS,
        FeaturizationConfig,
        resolve_featurization,
    )
    from featurization._errors import FeaturizationError
    from featurization._featurizer import Featurizer
    from featurization._frames import drop_missing_target
    from featurization._guardrail_report import Guardrail, GuardrailReport, GuardrailStatus
    from featurization._guardrails import run_guardrails
    from featurization._representation import BaseRepresentation
    from featurization._transformer_params import (
        HashOneHotEncoderParams,
        ImputerParams,
        TargetEncoderParams,
        TfIdfParams,
    )
    from featurization.adapters import Adapter, AdapterKind, make_adapter

_EXPORTS: dict[str, str] = {
    "ColumnPurpose": "featurization._column_purposes",
    "ColumnPurposeInfo": "featurization._column_purposes",
    "PurposeThresholds": "featurization._column_purposes",
    "infer_column_purposes": "featurization._column_purposes",
    "BLOCKABLE_TRANSFORMERS": "featurization._config",
    "FeaturizationConfig": "featurization._config",
    "resolve_featurization": "featurization._config",
    "FeaturizationError": "featurization._errors",
    "Featurizer": "featurization._featurizer",
    "drop_missing_target": "featurization._frames",
    "Guardrail": "featurization._guardrail_report",
    "GuardrailReport": "featurization._guardrail_report",
    "GuardrailStatus": "featurization._guardrail_report",
    "run_guardrails": "featurization._guardrails",
    "BaseRepresentation": "featurization._representation",
    "HashOneHotEncoderParams": "featurization._transformer_params",
    "ImputerParams": "featurization._transformer_params",
    "TargetEncoderParams": "featurization._transformer_params",
    "TfIdfParams": "featurization._transformer_params",
    "Adapter": "featurization.adapters",
    "AdapterKind": "featurization.adapters",
    "make_adapter": "featurization.adapters",
}

__all__ = [
    "BLOCKABLE_TRANSFORMERS",
    "Adapter",
    "AdapterKind",
    "BaseRepresentation",
    "ColumnPurpose",
    "ColumnPurposeInfo",
    "FeaturizationConfig",
    "FeaturizationError",
    "Featurizer",
    "Guardrail",
    "GuardrailReport",
    "GuardrailStatus",
    "HashOneHotEncoderParams",
    "ImputerParams",
    "PurposeThresholds",
    "TargetEncoderParams",
    "TfIdfParams",
    "drop_missing_target",
    "infer_column_purposes",
    "make_adapter",
    "resolve_featurization",
    "run_guardrails",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'featurization' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

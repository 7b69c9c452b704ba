"""The public API of featurization, its light import, and its docstring examples."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys

import pytest

import featurization


def test_enums_use_azures_names() -> None:
    assert [str(p) for p in featurization.ColumnPurpose] == [
        "Numeric",
        "Categorical",
        "CategoricalHash",
        "DateTime",
        "Text",
        "Ignore",
        "AllNan",
    ]
    assert [str(s) for s in featurization.GuardrailStatus] == ["Passed", "Done", "Alerted"]


def test_import_and_config_stay_light() -> None:
    code = (
        "import sys, featurization\n"
        "featurization.FeaturizationConfig(column_purposes={'a': 'Text'})\n"
        "featurization.ColumnPurpose.TEXT, featurization.resolve_featurization('off')\n"
        "heavy = {'numpy', 'pandas', 'scipy', 'sklearn', 'rich'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def _modules() -> list[str]:
    names = ["featurization"]
    for info in pkgutil.walk_packages(featurization.__path__, "featurization."):
        names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_drop_missing_target() -> None:
    import pandas as pd

    X = pd.DataFrame({"a": [1, 2, 3]})
    kept, labels, dropped = featurization.drop_missing_target(X, pd.Series(["x", None, "y"]))
    assert dropped == 1 and kept["a"].tolist() == [1, 3] and labels.tolist() == ["x", "y"]
    with pytest.raises(featurization.FeaturizationError, match=r"one label per row of X \(3\)"):
        featurization.drop_missing_target(X, [1])

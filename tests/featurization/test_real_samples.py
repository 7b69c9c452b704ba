"""Text and datetime featurization on small real samples (UCI, CC BY 4.0; see data/README.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from featurization import ColumnPurpose, Featurizer, infer_column_purposes, make_adapter
from tests.featurization._frames import DATA


def test_sms_messages_become_tfidf_text() -> None:
    frame = pd.read_csv(DATA / "sms_spam_sample.csv.gz")
    X, y = frame[["text"]], frame["target"]
    assert infer_column_purposes(X)["text"].purpose is ColumnPurpose.TEXT
    featurizer = Featurizer()
    base = featurizer.fit_transform(X, y, task="classification")
    assert base.numeric.shape == (300, 0) and base.categorical.shape == (300, 0)
    assert sp.issparse(base.text) and base.text.shape[1] == len(base.text_names)
    words = {name.split("__", 2)[2] for name in base.text_names if "__word__" in name}
    assert {"free", "call", "txt"} <= words
    assert any("__char__" in name for name in base.text_names)
    summary = featurizer.get_featurization_summary()[0]
    assert summary["Transformations"] == ["StringCast", "WordTfIdf", "CharGramTfIdf"]

    from sklearn.linear_model import LogisticRegression

    adapter = make_adapter("one_hot_scaled").fit(base)
    model = LogisticRegression(max_iter=500).fit(adapter.transform(base), y)
    assert model.score(adapter.transform(base), y) > 0.9
    native = make_adapter("native", text_components=20).fit(base).transform(base)
    assert native.shape == (300, 20) and (native.dtypes == np.float32).all()


def test_air_quality_timestamps_become_datetime_parts() -> None:
    frame = pd.read_csv(DATA / "air_quality_sample.csv.gz")
    X, y = frame.drop(columns="target"), frame["target"]
    purposes = infer_column_purposes(X)
    assert purposes["timestamp"].purpose is ColumnPurpose.DATETIME
    base = Featurizer().fit_transform(X, y, task="regression")
    parts = [name for name in base.numeric_names if name.startswith("timestamp__")]
    # 25 days in March-April 2004: the year is constant, so it is left out.
    assert parts == [
        "timestamp__month",
        "timestamp__day",
        "timestamp__dayofweek",
        "timestamp__dayofyear",
        "timestamp__hour",
        "timestamp__ordinal",
    ]
    stamps = pd.to_datetime(frame["timestamp"])
    hour = base.numeric[:, base.numeric_names.index("timestamp__hour")]
    np.testing.assert_array_equal(hour, stamps.dt.hour.to_numpy())
    ordinal = base.numeric[:, base.numeric_names.index("timestamp__ordinal")]
    assert abs(float(ordinal[0]) - (stamps[0] - pd.Timestamp(0)).days) < 1
    assert "NMHC(GT)__missing" in base.numeric_names
    assert not np.isnan(base.numeric).any()

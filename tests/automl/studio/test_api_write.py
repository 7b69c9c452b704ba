"""Uploads, testing a model on a file, and the New-experiment form's checks."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from automl import AutoMLConfig, AutoMLConfigError
from tests.automl.studio.conftest import (
    CLASSIFICATION,
    CREDIT,
    FORECAST,
    REGRESSION,
    Studio,
    sales_frame,
)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def test_upload_csv_and_parquet_register_versions(fresh: Studio) -> None:
    frame = pd.DataFrame({"x": [1, 2, 3], "label": ["a", "b", "a"]})
    response = fresh.post(
        "/api/datasets", files={"file": ("tiny.csv", _csv(frame))}, data={"name": "tiny"}
    )
    assert response.status_code == 201
    assert response.json()["ref"] == "tiny:1" and response.json()["rows"] == 3
    buffer = io.BytesIO()
    frame.assign(x=[4, 5, 6]).to_parquet(buffer)
    second = fresh.post("/api/datasets", files={"file": ("tiny.parquet", buffer.getvalue())})
    assert second.status_code == 201 and second.json()["ref"] == "tiny:2"
    assert second.json()["format"] == "parquet"
    versions = fresh.get("/api/datasets/tiny").json()
    assert [v["version"] for v in versions] == [1, 2]
    again = fresh.post(
        "/api/datasets", files={"file": ("tiny.parquet", buffer.getvalue())}, data={"name": "tiny"}
    )
    assert again.json()["ref"] == "tiny:2"  # the same content as the newest: no new version
    spaced = fresh.post("/api/datasets", files={"file": ("my sales (2024).csv", _csv(frame))})
    assert spaced.status_code == 201 and spaced.json()["name"] == "my_sales_2024"


@pytest.mark.parametrize(
    ("files", "data", "message"),
    [
        ({"file": ("notes.txt", b"hello")}, {}, "must be a .csv or .parquet file, got 'notes.txt'"),
        ({}, {"name": "x"}, "`file` must be an uploaded CSV or Parquet file, got none"),
        ({"file": ("ok.csv", b"a,b\n1,2\n")}, {"name": "bad name"}, "`name` must"),
        ({"file": ("broken.parquet", b"not parquet")}, {}, "could not read the uploaded file"),
    ],
)
def test_bad_uploads_are_400_with_the_reason(
    fresh: Studio, files: dict[str, Any], data: dict[str, str], message: str
) -> None:
    response = fresh.post("/api/datasets", files=files, data=data)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert fresh.get("/api/datasets").status_code == 200  # still serving


def test_predict_on_an_uploaded_csv(studio: Studio) -> None:
    rows = pd.read_csv(CREDIT).head(25)
    response = studio.post(
        f"/api/models/{CLASSIFICATION}/1/predict",
        files={"file": ("new.csv", _csv(rows.drop(columns=["target"])))},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["rows"] == 25 and "prediction" in body["columns"]
    assert {"probability_bad", "probability_good"} <= set(body["columns"])
    column = body["columns"].index("prediction")
    assert {row[column] for row in body["data"]} <= {"good", "bad"}
    download = studio.get(body["download"])
    assert download.status_code == 200
    predictions = pd.read_csv(io.BytesIO(download.content))
    assert len(predictions) == 25 and list(predictions["prediction"]) == [
        row[column] for row in body["data"]
    ]
    assert studio.get("/api/predictions/0123456789abcdef.csv").status_code == 404
    assert studio.get("/api/predictions/nope.csv").status_code == 404


def test_predict_regression_and_bad_file(studio: Studio) -> None:
    frame = pd.DataFrame({"a": [0.0, 1.0], "b": [0.0, 0.5], "c": [1.0, 1.0]})
    response = studio.post(
        f"/api/models/{REGRESSION}/1/predict", files={"file": ("x.csv", _csv(frame))}
    )
    assert response.status_code == 200
    assert response.json()["columns"] == ["a", "b", "c", "prediction"]
    missing = studio.post(f"/api/models/{REGRESSION}/4/predict", files={"file": ("x.csv", b"")})
    assert missing.status_code == 404


def test_forecast_on_an_uploaded_future_frame(studio: Studio) -> None:
    future = pd.DataFrame(
        {
            "date": list(pd.date_range("2024-03-11", periods=7, freq="D")) * 2,
            "store": ["a"] * 7 + ["b"] * 7,
        }
    )
    assert sales_frame()["date"].max() == pd.Timestamp("2024-03-10")
    response = studio.post(
        f"/api/models/{FORECAST}/1/predict", files={"file": ("future.csv", _csv(future))}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == 14 and {"store", "date"} <= set(body["columns"])


def _form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "dataset": "credit:1",
        "task": "classification",
        "label_column_name": "target",
        "primary_metric": "accuracy",
        "max_trials": 3,
        "validation": "auto",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def _python_error(**kwargs: Any) -> str:
    base: dict[str, Any] = {
        "task": "classification",
        "training_data": "credit:1",
        "label_column_name": "target",
    }
    with pytest.raises(AutoMLConfigError) as caught:
        AutoMLConfig(**{**base, **kwargs})
    return str(caught.value)


@pytest.mark.parametrize(
    ("changes", "field", "python"),
    [
        ({"max_trials": 0}, "max_trials", {"max_trials": 0}),
        ({"primary_metric": "r2_score"}, "primary_metric", {"primary_metric": "r2_score"}),
        (
            {"experiment_timeout_minutes": -1},
            "experiment_timeout_minutes",
            {"experiment_timeout_minutes": -1},
        ),
        (
            {"validation": "holdout", "validation_size": 1.5},
            "validation_size",
            {"validation_size": 1.5},
        ),
        (
            {"validation": "kfold", "n_cross_validations": 1},
            "n_cross_validations",
            {"n_cross_validations": 1},
        ),
        (
            {"allowed_models": ["NoSuchModel"]},
            "allowed_models",
            {"allowed_models": ["NoSuchModel"]},
        ),
        ({"task": "clustering"}, "task", {"task": "clustering"}),
        (
            {"task": "forecasting", "forecasting_parameters": {"forecast_horizon": 7}},
            "forecasting_parameters",
            {"task": "forecasting", "forecasting_parameters": {"forecast_horizon": 7}},
        ),
        (
            {
                "task": "forecasting",
                "forecasting_parameters": {"time_column_name": "age", "forecast_horizon": 0},
            },
            "forecasting_parameters",
            {
                "task": "forecasting",
                "forecasting_parameters": {"time_column_name": "age", "forecast_horizon": 0},
            },
        ),
    ],
)
def test_form_errors_are_the_python_api_messages(
    fresh: Studio, changes: dict[str, Any], field: str, python: dict[str, Any]
) -> None:
    response = fresh.post("/api/experiments/validate", json=_form(**changes))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["field"] == field
    assert detail["message"] == _python_error(**python)


def test_form_label_must_be_a_column(fresh: Studio) -> None:
    response = fresh.post("/api/experiments/validate", json=_form(label_column_name="nope"))
    detail = response.json()["detail"]
    assert response.status_code == 422 and detail["field"] == "label_column_name"
    assert detail["message"].startswith("`label_column_name` must be a column of `training_data`")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"dataset": "nope:1"}, "dataset", "nope"),
        ({"dataset": None}, "dataset", "`dataset` must name a registered dataset"),
        ({"label_column_name": None}, "label_column_name", "`label_column_name` is required"),
        ({"validation": "holdout"}, "validation_size", "`validation_size` is needed"),
        ({"validation": "loo"}, "validation", "`validation` must be 'auto', 'holdout' or 'kfold'"),
        ({"experiment_name": "../x"}, "experiment_name", "`experiment_name` must be 1-128"),
        ({"featurization": "maybe"}, "featurization", "`featurization` must be 'auto' or 'off'"),
        ({"colour": "red"}, None, "unknown form fields ['colour']"),
    ],
)
def test_form_errors_of_the_form_itself(
    fresh: Studio, changes: dict[str, Any], field: str | None, message: str
) -> None:
    form = _form(**{k: v for k, v in changes.items() if v is not None})
    for key, value in changes.items():
        if value is None:
            form.pop(key, None)
    response = fresh.post("/api/experiments/validate", json=form)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == field
    assert message in response.json()["detail"]["message"]


def test_valid_form_gives_the_spec_with_edited_purposes_only(fresh: Studio) -> None:
    purposes = {"checking_status": "Categorical", "age": "Categorical", "duration": "Numeric"}
    response = fresh.post(
        "/api/experiments/validate",
        json=_form(column_purposes=purposes, validation="kfold", n_cross_validations=4),
    )
    assert response.status_code == 200
    spec = response.json()["spec"]
    assert spec["featurization"] == {"column_purposes": {"age": "Categorical"}}
    assert spec["n_cross_validations"] == 4 and "validation_size" not in spec
    assert spec["training_data"] == "credit:1" and spec["max_trials"] == 3
    off = fresh.post("/api/experiments/validate", json=_form(featurization="off")).json()
    assert off["spec"]["featurization"] == "off"


def test_starting_needs_a_new_name(studio: Studio) -> None:
    response = studio.post("/api/experiments", json=_form(experiment_name=CLASSIFICATION))
    assert response.status_code == 422
    assert "is taken by an existing experiment" in response.json()["detail"]["message"]

"""The JSON API's reads over real experiments: lists, details, charts, runs, registries."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from automl.studio import create_app
from tests.automl.studio.conftest import (
    CLASSIFICATION,
    CREDIT,
    FORECAST,
    REGRESSION,
    Studio,
    TestClient,
)
from trials import Workspace


def test_experiments_newest_first_with_best_score(studio: Studio) -> None:
    body = studio.get("/api/experiments").json()
    assert body["total"] == 3 and body["pages"] == 1
    assert [item["name"] for item in body["items"]] == [FORECAST, REGRESSION, CLASSIFICATION]
    classification = body["items"][2]
    assert classification["task"] == "classification"
    assert classification["status"] == "completed"
    assert classification["primary_metric"] == "accuracy"
    assert 0.5 < classification["best_score"] <= 1.0
    assert classification["children"] == 3


def test_experiments_filters_and_pages(studio: Studio) -> None:
    def names(url: str) -> list[str]:
        return [item["name"] for item in studio.get(url).json()["items"]]

    assert names("/api/experiments?task=regression") == [REGRESSION]
    assert names("/api/experiments?name=CREDIT") == [CLASSIFICATION]
    assert names("/api/experiments?status=failed") == []
    assert names("/api/experiments?task=forecasting") == [FORECAST]
    assert names("/api/experiments?status=completed") == [FORECAST, REGRESSION, CLASSIFICATION]
    page = studio.get("/api/experiments?per_page=2&page=2").json()
    assert page["pages"] == 2 and [i["name"] for i in page["items"]] == [CLASSIFICATION]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=sleeping", "`status` must be one of preparing, finishing, queued, running"),
        ("task=clustering", "`task` must be one of classification, regression, forecasting"),
    ],
)
def test_experiments_bad_filters(studio: Studio, query: str, message: str) -> None:
    response = studio.get(f"/api/experiments?{query}")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_experiment_detail_and_leaderboard(studio: Studio) -> None:
    detail = studio.get(f"/api/experiments/{CLASSIFICATION}").json()
    assert detail["status"] == "completed" and detail["task"] == "classification"
    assert detail["best_model"]["name"] == CLASSIFICATION and detail["best_model"]["version"] == 1
    assert detail["featurization_summary"][0]["RawFeatureName"] == "checking_status"
    assert detail["time_left_seconds"] is None and not detail["cancelable"]
    board = studio.get(f"/api/experiments/{CLASSIFICATION}/leaderboard").json()
    assert board["total"] == 3 and board["metrics"][0] == "accuracy"
    scores = [row["metrics"]["accuracy"] for row in board["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert {row["algorithm"] for row in board["rows"]} >= {"LogisticRegression", "DecisionTree"}


def test_unknown_experiment_is_404_listing_names(studio: Studio) -> None:
    response = studio.get("/api/experiments/nope")
    assert response.status_code == 404
    assert "no experiment 'nope'" in response.json()["detail"]
    assert CLASSIFICATION in response.json()["detail"]


def test_search_charts_read_children(studio: Studio, filled_workspace: Path) -> None:
    charts = studio.get(f"/api/experiments/{CLASSIFICATION}/charts/search").json()
    assert charts["metric"] == "accuracy" and len(charts["timeline"]) == 3
    bests = [point["best"] for point in charts["timeline"]]
    assert bests == sorted(bests) and bests[-1] == max(p["value"] for p in charts["timeline"])
    assert set(charts["by_algorithm"]) == {"LogisticRegression", "DecisionTree", "VotingEnsemble"}
    axes = [axis["name"] for axis in charts["parallel"]["axes"]]
    assert axes[0] == "learner" and axes[-1] == "accuracy" and "C" in axes
    assert len(charts["parallel"]["lines"]) == 3


def test_best_model_classification_charts(studio: Studio) -> None:
    charts = studio.get(f"/api/experiments/{CLASSIFICATION}/charts/best-model").json()
    assert charts["classes"] == ["bad", "good"]
    matrix = charts["confusion_matrix"]
    assert sum(map(sum, matrix)) == 1000  # every row of credit_g, out of fold
    assert [sum(row) for row in matrix] == [300, 700]
    roc = charts["roc"][0]["points"]
    assert roc[0] == [0.0, 0.0] and roc[-1] == [1.0, 1.0]
    assert charts["precision_recall"][0]["label"] == "good"


def test_best_model_regression_charts(studio: Studio) -> None:
    charts = studio.get(f"/api/experiments/{REGRESSION}/charts/best-model").json()
    assert charts["task"] == "regression" and len(charts["predicted_vs_actual"]) == 160
    assert sum(charts["residual_histogram"]["counts"]) == 160
    actual, predicted = zip(*charts["predicted_vs_actual"], strict=True)
    assert abs(sum(actual) - sum(predicted)) / 160 < 0.5


def test_best_model_forecast_chart_and_guardrails(studio: Studio) -> None:
    charts = studio.get(f"/api/experiments/{FORECAST}/charts/best-model").json()
    assert charts["task"] == "forecasting" and charts["series"] == "a"
    assert len(charts["dates"]) == len(charts["forecast"]) == len(charts["actual"]) == 7
    assert charts["band"]["low"] == "q0.1" and charts["band"]["high"] == "q0.9"
    assert all(
        low <= mid <= high
        for low, mid, high in zip(
            charts["band"]["lower"], charts["forecast"], charts["band"]["upper"], strict=True
        )
    )
    assert all(abs(actual - 10) < 5 for actual in charts["actual"])  # series a's level
    detail = studio.get(f"/api/experiments/{FORECAST}").json()
    assert detail["task"] == "forecasting" and detail["primary_metric"]
    assert "Time column parsing" in {g["name"] for g in detail["guardrails"]["guardrails"]}


def test_feature_importance_reads_the_explanation(studio: Studio) -> None:
    body = studio.get(f"/api/experiments/{CLASSIFICATION}/charts/feature-importance").json()
    assert body["metric"] == "accuracy" and body["features"][0]["name"] == "checking_status"
    none = studio.get(f"/api/experiments/{REGRESSION}/charts/feature-importance").json()
    assert none["features"] == [] and none["note"]


def _board(studio: Studio, name: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = studio.get(f"/api/experiments/{name}/leaderboard").json()[
        "rows"
    ]
    return rows


def test_run_detail_logs_curves_and_compare(studio: Studio) -> None:
    first, second = (row["run_id"] for row in _board(studio, CLASSIFICATION)[:2])
    run = studio.get(f"/api/runs/{first}").json()
    assert run["status"] == "completed" and "accuracy" in run["metrics"]
    assert run["status_history"][-1]["status"] == "completed"
    assert {"oof.joblib", "stdout.txt", "stderr.txt"} <= {a["name"] for a in run["artifacts"]}
    assert set(studio.get(f"/api/runs/{first}/logs").json()) == {"stdout", "stderr"}
    curves = studio.get(f"/api/curves?runs={first},{second}&metric=accuracy").json()
    assert [s["run_id"] for s in curves["series"]] == [first, second]
    assert all(s["metric"] == "accuracy" and s["points"] for s in curves["series"])
    compared = studio.get(f"/api/compare?runs={first},{second}").json()
    assert [r["id"] for r in compared["runs"]] == [first, second]
    assert "accuracy" in compared["metrics"]
    assert studio.get("/api/curves?runs=").status_code == 400
    many = ",".join(f"r{i}" for i in range(11))
    response = studio.get(f"/api/curves?runs={many}")
    assert response.status_code == 400 and "1 to 10 runs" in response.json()["detail"]
    assert studio.get("/api/runs/nope").status_code == 404


def test_artifact_download_is_the_stored_file(studio: Studio, filled_workspace: Path) -> None:
    run_id = _board(studio, CLASSIFICATION)[0]["run_id"]
    response = studio.get(f"/api/runs/{run_id}/artifacts/oof.joblib")
    assert response.status_code == 200
    with Workspace(filled_workspace) as workspace:
        record = {a.name: a for a in workspace.artifacts(str(run_id))}["oof.joblib"]
    assert hashlib.sha256(response.content).hexdigest() == record.sha256
    assert studio.get(f"/api/runs/{run_id}/artifacts/nope.txt").status_code == 404


def test_models_versions_lineage_and_download(studio: Studio, filled_workspace: Path) -> None:
    models = studio.get("/api/models").json()
    assert {m["name"] for m in models} == {CLASSIFICATION, REGRESSION, FORECAST}
    [version] = studio.get(f"/api/models/{CLASSIFICATION}").json()
    lineage = version["lineage"]
    assert lineage["experiment"] == CLASSIFICATION and lineage["model"] == f"{CLASSIFICATION}:1"
    assert lineage["data_fingerprint"].startswith("sha256:") and lineage["run_id"]
    assert lineage["dataset"] == {"name": "credit", "version": 1}  # trained on credit:1
    page = studio.get(f"/models/{CLASSIFICATION}").text
    assert '<a href="/datasets/credit?version=1">credit:1</a>' in page
    download = studio.get(f"/api/models/{CLASSIFICATION}/1/download")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == version["sha256"]
    assert studio.get(f"/api/models/{CLASSIFICATION}/9/download").status_code == 404


def test_datasets_versions_profile_and_preview(studio: Studio) -> None:
    [dataset] = studio.get("/api/datasets").json()
    assert dataset["ref"] == "credit:1" and dataset["rows"] == 1000 and dataset["columns"] == 21
    detail = studio.get("/api/datasets/credit/1").json()
    columns = {c["name"]: c for c in detail["profile"]["columns"]}
    assert columns["target"]["distinct"] == 2 and columns["age"]["missing_pct"] == 0
    preview = studio.get("/api/datasets/credit/1/preview").json()
    assert len(preview["data"]) == 20 and preview["columns"][-1] == "target"
    purposes = {p["name"]: p["purpose"] for p in preview["purposes"]}
    assert purposes["checking_status"] == "Categorical" and purposes["age"] == "Numeric"
    assert studio.get("/api/datasets/credit/7").status_code == 404


def test_meta_lists_metrics_per_task(studio: Studio) -> None:
    tasks = studio.get("/api/meta").json()["tasks"]
    assert tasks["classification"]["metrics"][0] == "accuracy"
    assert "r2_score" not in tasks["classification"]["metrics"]
    assert tasks["regression"]["metrics"][0] == "normalized_root_mean_squared_error"
    assert "LightGBM" in tasks["regression"]["models"]
    assert "mean_absolute_scaled_error" in tasks["forecasting"]["metrics"]


def test_pages_render(studio: Studio) -> None:
    run_id = _board(studio, CLASSIFICATION)[0]["run_id"]
    for url in (
        "/",
        "/?task=classification&page=1",
        "/experiments/new",
        "/experiments/new?dataset=credit:1",
        f"/experiments/{CLASSIFICATION}",
        f"/runs/{run_id}",
        f"/compare?runs={run_id}",
        "/compare",
        "/models",
        f"/models/{CLASSIFICATION}",
        "/datasets",
        "/datasets/credit",
    ):
        response = studio.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/html")
    page = studio.get(f"/experiments/{CLASSIFICATION}").text
    boot = page.split('<script type="application/json" id="boot">')[1].split("</script>")[0]
    assert json.loads(boot)["name"] == CLASSIFICATION
    missing = studio.get("/experiments/nope")
    assert missing.status_code == 404 and "no experiment" in missing.text


def test_openapi_docs_and_offline_assets(studio: Studio) -> None:
    schema = studio.get("/openapi.json").json()
    assert "/api/experiments" in schema["paths"] and "/api/models/{name}" in schema["paths"]
    docs = studio.get("/docs")
    assert docs.status_code == 200 and "/static/swagger-ui-bundle.js" in docs.text
    assert "https://" not in docs.text  # nothing from a CDN
    assert studio.get("/static/swagger-ui-bundle.js").status_code == 200
    echarts = studio.get("/static/echarts.min.js")
    assert echarts.status_code == 200 and len(echarts.content) > 500_000
    assert "cdn" not in studio.get("/").text.lower()
    assert CREDIT.is_file()


def test_sweep_leaderboard_shows_parameters_and_parallel_axes(tmp_path: Path) -> None:
    """A sweep's runs as its controller stores them: parameters, step metrics, objective."""
    objective = {"objective": {"primary_metric": "loss", "goal": "minimize"}}
    with Workspace(tmp_path / "ws") as workspace:
        experiment = workspace.get_or_create_experiment("sweep-1", kind="sweep", config=objective)
        writer = workspace.writer()
        parent = writer.start_run(experiment.id, kind="parent")
        for index, (lr, layers) in enumerate([(0.1, 2), (0.01, 4), (0.001, 8)]):
            run = writer.start_run(
                experiment.id,
                parent_id=parent,
                index=index,
                params={"lr": lr, "model": {"layers": layers, "act": "relu"}},
            )
            for step in range(3):
                writer.log_metrics(run, {"loss": 1.0 / (layers + step)}, step=step)
            writer.set_status(run, "completed")
        writer.set_status(parent, "completed")
        writer.commit()
    app = create_app(tmp_path / "ws")
    with TestClient(app) as client:
        board = client.get("/api/experiments/sweep-1/leaderboard").json()
        charts = client.get("/api/experiments/sweep-1/charts/search").json()
        listed = client.get("/api/experiments").json()["items"]
        first = board["rows"][0]["run_id"]
        curves = client.get(f"/api/curves?runs={first}").json()
        assert client.get("/experiments/sweep-1").status_code == 200
    app.state.studio.workspace.close()
    assert board["metrics"] == ["loss"]
    assert board["params"] == ["lr", "model.layers", "model.act"]
    assert [row["params"]["model.layers"] for row in board["rows"]] == [8, 4, 2]
    axes = [axis["name"] for axis in charts["parallel"]["axes"]]
    assert axes == ["lr", "model.layers", "model.act", "loss"]
    assert charts["parallel"]["axes"][2]["data"] == ["relu"]
    assert listed[0]["kind"] == "sweep" and listed[0]["best_score"] == pytest.approx(0.1)
    assert [point[0] for point in curves["series"][0]["points"]] == [0, 1, 2]

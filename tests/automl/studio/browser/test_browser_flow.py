"""A new user's path through the studio in Chromium: upload ``credit_g.csv``, the
New-experiment wizard (a bad value first), the leaderboard filling live without a reload, the
charts drawn, the registered model downloaded and tested on a CSV file; a forecast from the
wizard; a long leaderboard; the page following an experiment across a studio restart, then
Cancel.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from automl import AutoMLConfig
from tests.automl.studio.browser.conftest import (
    PAINTED,
    START,
    Server,
    Tab,
    serve,
    stop,
    stop_studio,
    wait_for,
    watch_live,
)
from tests.automl.studio.conftest import CREDIT

pytestmark = pytest.mark.browser

EXPERIMENT = "credit-browser"
RETAIL = CREDIT.parent / "us_retail_sales.csv"


def _api_message(**bad: Any) -> str:
    """The message the Python API gives for a bad value."""
    frame = pd.read_csv(CREDIT, nrows=50)
    with pytest.raises(ValueError) as error:
        AutoMLConfig("classification", training_data=frame, label_column_name="target", **bad)
    return str(error.value)


def _start_experiment(tab: Tab, server: Server) -> None:
    page = tab.page
    page.goto(f"{server.base}/experiments/new")
    page.set_input_files("#upload-file", str(CREDIT))
    page.click("#upload-button")
    page.wait_for_selector("#step-settings:not([hidden])")
    assert page.inner_text("#preview-info") == "credit_g:1: 1000 rows, 21 columns"
    assert page.locator("#preview-table tbody tr").count() > 0
    assert page.locator("#purposes tbody tr").count() == 21
    assert page.input_value("[name=label_column_name]") == "target"
    assert page.input_value("[name=task]") == "classification"
    metrics = page.locator("[name=primary_metric] option").all_inner_texts()
    assert "AUC_weighted" in metrics and "r2_score" not in metrics  # only the task's metrics

    page.fill("[name=experiment_name]", EXPERIMENT)
    page.select_option("[name=primary_metric]", "accuracy")
    page.select_option("[name=allowed_models]", ["LogisticRegression", "DecisionTree"])
    page.select_option("[name=validation]", "holdout")
    page.fill("[name=validation_size]", "0.25")
    page.fill("[name=max_trials]", "0")  # a bad value first: its message sits by the field
    page.click("#review-button")
    error = page.locator('.field-error[data-for="max_trials"]')
    error.wait_for()
    wait_for("the field's error", lambda: error.inner_text(), timeout=20)
    assert error.inner_text() == _api_message(max_trials=0)
    assert page.is_hidden("#step-review")

    page.fill("[name=max_trials]", "4")
    page.click("#review-button")
    page.wait_for_selector("#step-review:not([hidden])")
    assert error.inner_text() == ""
    review = json.loads(page.inner_text("#review"))
    assert review["training_data"] == "credit_g:1" and review["max_trials"] == 4
    assert review["allowed_models"] == ["LogisticRegression", "DecisionTree"]
    page.click("#start-button")
    page.wait_for_url(f"**/experiments/{EXPERIMENT}")


def test_upload_start_watch_charts_model_download_and_predict(
    tab: Tab, server: Server, tmp_path: Path
) -> None:
    page = tab.page
    _start_experiment(tab, server)
    seen = watch_live(tab)
    assert seen[0] < 4, f"the leaderboard was full from the start: {seen}"
    page.wait_for_function("document.querySelectorAll('#leaderboard tbody tr').length >= 4")
    assert page.inner_text("#children") == str(page.locator("#leaderboard tbody tr").count())
    assert page.evaluate("window.sameDocument === true"), "the page reloaded"
    algorithms = set(page.locator("#leaderboard tbody tr td:nth-child(3)").all_inner_texts())
    assert {"LogisticRegression", "DecisionTree"} <= algorithms

    # The charts, the best model's included, are drawn (canvases with data and pixels).
    for chart in ("chart-timeline", "chart-algorithms", "chart-parallel", "chart-best-1",
                  "chart-best-2", "chart-best-3", "chart-importance"):  # fmt: skip
        page.wait_for_function(f"({PAINTED})('{chart}') > 500")
    assert page.inner_text("#chart-best-1") == ""  # canvas, not text
    assert page.locator("#guardrails table tbody tr").count() > 0  # shown live at the end
    assert page.locator("#featurization table tbody tr").count() == 20

    # Sorting the leaderboard by a column reorders it in place.
    page.click("#leaderboard thead th:text-is('accuracy')")
    page.click("#leaderboard thead th:text-is('accuracy')")  # ascending
    scores = [float(s) for s in page.locator("#leaderboard tbody tr td:nth-child(5)")
              .all_inner_texts()]  # fmt: skip
    assert scores == sorted(scores)

    # Step curves of two selected children (of the primary metric), then them compared.
    boxes = page.locator("#leaderboard tbody input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    with page.expect_response("**/api/curves?*") as curves:
        page.click("#curves-selected")
    assert "metric=accuracy" in curves.value.url and curves.value.status == 200
    page.wait_for_function(f"({PAINTED})('chart-curves') > 100")
    picked = page.locator("#leaderboard tbody tr td:nth-child(2) a").evaluate_all(
        "(links) => links.slice(0, 2).map((a) => a.pathname.split('/').pop())"
    )
    page.click("#compare-selected")
    page.wait_for_url("**/compare?runs=*")
    runs = page.locator("table.grid thead th a").all_inner_texts()
    assert sorted(runs) == sorted(picked)
    page.click(f"text={runs[0]}")  # a run's page: parameters, metrics, its logs
    page.wait_for_url(f"**/runs/{runs[0]}")
    assert '"learner"' in page.inner_text("pre")
    page.wait_for_function("document.getElementById('run-logs').textContent.includes('--- ')")
    page.go_back()
    page.go_back()
    page.wait_for_url(f"**/experiments/{EXPERIMENT}")

    # The best model is registered: its page, its download, and a test on a CSV file.
    best = page.locator("#best-model a")
    assert best.inner_text() == f"{EXPERIMENT}:1"
    best.click()
    page.wait_for_url(f"**/models/{EXPERIMENT}")
    lineage = page.inner_text("table.grid tbody tr td:nth-child(2)")
    assert lineage.startswith(f"credit_g:1 → {EXPERIMENT} → ")
    with page.expect_download() as download:
        page.click("text=download")
    model_file = Path(download.value.path())
    shown_sha = page.inner_text("table.grid tbody tr td.mono")
    assert hashlib.sha256(model_file.read_bytes()).hexdigest().startswith(shown_sha)
    assert download.value.suggested_filename == f"{EXPERIMENT}-v1.joblib"

    rows = pd.read_csv(CREDIT).drop(columns="target").head(25)
    rows.to_csv(tmp_path / "score.csv", index=False)
    page.set_input_files("#predict-form input[type=file]", str(tmp_path / "score.csv"))
    page.click("#predict-form button[type=submit]")
    page.wait_for_selector("#predictions tbody tr")
    assert page.locator("#predictions tbody tr").count() == 25
    header = page.locator("#predictions thead th").all_inner_texts()
    assert header[-3:] == ["prediction", "probability_bad", "probability_good"]
    shown = page.locator("#predictions tbody tr td:nth-child(21)").all_inner_texts()
    assert set(shown) <= {"good", "bad"}
    with page.expect_download() as download:
        page.click("#predict-download a")
    predictions = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(predictions) == 25 and predictions["prediction"].tolist() == shown

    # The experiments list shows it, and the models list names the model.
    page.goto(server.base)
    first = page.locator("#experiments tbody tr").first
    assert first.locator("td").first.inner_text() == EXPERIMENT
    assert "completed" in first.inner_text()
    page.goto(f"{server.base}/models")
    assert EXPERIMENT in page.inner_text("table.grid tbody")
    tab.check_clean()


def test_a_forecast_from_the_wizard_draws_its_band(tab: Tab, server: Server) -> None:
    page = tab.page
    page.goto(f"{server.base}/experiments/new")
    page.set_input_files("#upload-file", str(RETAIL))
    page.click("#upload-button")
    page.wait_for_selector("#step-settings:not([hidden])")
    assert page.is_hidden("#forecasting-settings")
    page.select_option("[name=task]", "forecasting")
    assert page.is_visible("#forecasting-settings")
    assert page.input_value("[name=label_column_name]") == "y"
    page.fill("[name=experiment_name]", "retail")
    page.select_option("[name=fc_time_column_name]", "ds")
    page.fill("[name=fc_forecast_horizon]", "12")
    page.fill("[name=fc_quantiles]", "0.1, 0.9")
    page.select_option("[name=allowed_models]", ["Naive", "SeasonalNaive"])
    page.fill("[name=max_trials]", "2")
    page.click("#review-button")
    page.wait_for_selector("#step-review:not([hidden])")
    spec = json.loads(page.inner_text("#review"))
    assert spec["forecasting_parameters"] == {
        "time_column_name": "ds",
        "forecast_horizon": 12,
        "quantiles": [0.1, 0.9],
    }
    page.click("#start-button")
    page.wait_for_url("**/experiments/retail")
    watch_live(tab)
    page.wait_for_function(f"({PAINTED})('chart-best-1') > 500")
    names = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-best-1')).getOption()"
        ".series.map((s) => s.name)"
    )
    assert names[:2] == ["forecast", "actual"] and len(names) == 4  # and the band's two edges
    # Charts a forecast does not have are not shown as empty boxes.
    assert page.is_hidden("#chart-best-2") and page.is_hidden("#chart-best-3")
    tab.check_clean()


def test_a_regression_draws_predicted_vs_actual_and_residuals(tab: Tab, server: Server) -> None:
    from trials import Workspace

    with Workspace(server.workspace) as workspace:
        workspace.datasets.register("credit_g", CREDIT)  # the same version as an upload
    page = tab.page
    page.goto(server.base)
    started = page.evaluate(START, {
        "dataset": "credit_g:1", "experiment_name": "amount", "task": "regression",
        "label_column_name": "credit_amount", "allowed_models": ["ElasticNet", "DecisionTree"],
        "validation": "holdout", "validation_size": 0.25, "max_trials": 2,
    })  # fmt: skip
    assert started[0] == 201, started
    page.goto(f"{server.base}/experiments/amount")
    watch_live(tab)
    assert page.inner_text("#status") == "completed"
    for chart in ("chart-best-1", "chart-best-2", "chart-importance"):
        page.wait_for_function(f"({PAINTED})('{chart}') > 500")
    titles = page.evaluate(
        "['chart-best-1', 'chart-best-2'].map((id) => echarts.getInstanceByDom("
        "document.getElementById(id)).getOption().title[0].text)"
    )
    assert titles == ["Predicted vs actual", "Residuals"]
    assert page.is_hidden("#chart-best-3")
    tab.check_clean()


def test_a_leaderboard_longer_than_a_page_says_so(tab: Tab, server: Server) -> None:
    from trials import Workspace

    with Workspace(server.workspace) as workspace:  # a big experiment, written by a controller
        writer = workspace.writer()
        config = {"objective": {"primary_metric": "accuracy", "goal": "maximize"},
                  "searcher": {"type": "automl", "task": "classification"}}  # fmt: skip
        experiment = writer.create_experiment("wide", kind="automl", config=config)
        parent = writer.start_run(experiment.id, kind="parent")
        for index in range(205):
            child = writer.start_run(
                experiment.id, parent_id=parent, index=index, params={"learner": "DecisionTree"}
            )
            writer.log_metrics(child, {"accuracy": (index * 37 % 205) / 205})
            writer.set_status(child, "completed")
        writer.set_status(parent, "completed")
        writer.commit()
    page = tab.page
    page.goto(f"{server.base}/experiments/wide")
    note = page.locator("#board-note")
    wait_for("the leaderboard's note", lambda: note.inner_text(), timeout=30)
    assert note.inner_text() == "The best 200 of 205 children (sorting reorders these)."
    assert page.locator("#leaderboard tbody tr").count() == 200
    assert (
        page.inner_text("#leaderboard tbody tr:first-child td:nth-child(5)") == "0.9951"
    )  # 204 / 205
    tab.check_clean()


def test_the_page_follows_an_experiment_across_a_studio_restart_and_cancels_it(
    tab: Tab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from trials import Workspace

    folder = tmp_path_factory.mktemp("restart")
    first = serve(folder)
    second: Server | None = None
    try:
        with Workspace(first.workspace) as workspace:
            workspace.datasets.register("credit", CREDIT)
        page = tab.page
        page.goto(first.base)
        started = page.evaluate(START, {
            "dataset": "credit:1", "experiment_name": "survivor", "task": "classification",
            "label_column_name": "target", "allowed_models": ["LogisticRegression", "DecisionTree"],
            "n_cross_validations": 3, "max_trials": 400, "enable_early_stopping": False,
        })  # fmt: skip
        assert started[0] == 201, started
        page.goto(f"{first.base}/experiments/survivor")
        page.evaluate("window.sameDocument = true")  # gone if the page reloads
        rows = page.locator("#leaderboard tbody tr")
        wait_for("a first child", lambda: rows.count() >= 1, timeout=60)
        assert page.inner_text("#status") == "running"

        stop_studio(first)  # the studio goes, the experiment does not; the page keeps trying
        message = page.locator("#action-message")
        wait_for("the page to notice", lambda: message.inner_text(), timeout=20)
        second = serve(folder, port=int(first.base.rsplit(":", 1)[1]))
        wait_for("the page to reconnect", lambda: message.inner_text() == "", timeout=30)
        assert page.inner_text("#status") == "running"  # still running, shown live
        after = rows.count()
        wait_for("children after the restart", lambda: rows.count() > after, timeout=60)

        page.click("#cancel")
        wait_for("the cancel", lambda: page.inner_text("#status") == "canceled", timeout=60)
        assert page.is_hidden("#cancel")
        assert page.evaluate("window.sameDocument === true"), "the page reloaded"
        tab.check_clean()
    finally:
        stop(second or first)

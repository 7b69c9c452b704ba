"""The studio in a real browser: Debian's Chromium driven by Playwright for Python.

A real ``automl studio`` server (a subprocess on a free port) serves a fresh workspace;
experiments it starts run in their own job processes, as they do for a user. The tests go
through what a new user does: upload ``credit_g.csv``, the New-experiment wizard, the
leaderboard filling live, the charts, the registered model (download, test on a file), and
the safety cases a browser can show: names that look like HTML stay text, an oversized
upload is a clear error, traversal is 404, a forged cross-site form is refused, and a studio
with a token answers 401 until the printed URL is opened.

Needs ``apt-get install chromium`` and ``pip install playwright`` (the ``dev`` extra);
Playwright's own browser download is not used.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from automl import AutoMLConfig
from tests.automl.studio.conftest import CREDIT
from tests.support import missing_requirement

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "browser-test-token-0123456789"
EXPERIMENT = "credit-browser"
RETAIL = CREDIT.parent / "us_retail_sales.csv"
START = """async (form) => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch("/api/experiments", {method: "POST", body: JSON.stringify(form),
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}});
  return [response.status, await response.text()];
}"""
PAINTED = """(id) => {
  const node = document.getElementById(id), canvas = node && node.querySelector("canvas");
  const chart = node && window.echarts && echarts.getInstanceByDom(node);
  if (!canvas || !canvas.width || !chart) return 0;
  const data = chart.getOption().series.map((s) => (s.data || []).length);
  if (!data.some((n) => n > 0)) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted += 1;
  return painted;
}"""


# ---- the browser and the servers ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (skips, or fails under CI=true, where it is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_requirement("Playwright is not installed: pip install playwright")
    if not CHROMIUM.is_file():
        missing_requirement(f"Chromium is not installed ({CHROMIUM}): apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class Server:
    """A running ``automl studio`` subprocess."""

    base: str
    workspace: Path
    process: subprocess.Popen[bytes]

    def api(self, path: str) -> Any:
        """GET a JSON API path (loopback, no token)."""
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return json.load(response)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:  # not listening yet
        return 0


def _serve(folder: Path, *options: str, ready: int = 200, port: int | None = None) -> Server:
    folder.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    log = open(folder / "studio.log", "ab")  # noqa: SIM115 - the server writes while it runs
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from automl.cli import main; sys.exit(main())",
         "-w", str(folder / "ws"), "studio", "--port", str(port), *options],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while _status(f"{base}/api/meta") != ready:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = (folder / "studio.log").read_text(errors="replace")
            raise AssertionError(f"the studio did not start:\n{output}")
        time.sleep(0.2)
    return Server(base, folder / "ws", process)


def _stop_studio(server: Server) -> None:
    """Ctrl-C for the studio (the jobs it started go on)."""
    os.killpg(server.process.pid, signal.SIGINT)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def _stop(server: Server) -> None:
    """Stop the studio, then any job it started that still runs (they outlive it)."""
    _stop_studio(server)
    for job in server.workspace.glob("artifacts/studio/jobs/*/job.json"):
        pid = int(json.loads(job.read_text())["pid"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A loopback studio over a new workspace; uploads are limited to 1 MB."""
    server = _serve(tmp_path_factory.mktemp("studio"), "--max-upload-mb", "1")
    yield server
    _stop(server)


@dataclass
class Tab:
    """A browser page that records dialogs (none may open) and script errors."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"the page's script failed: {self.errors}"


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    """A fresh browser context (no cookies) and page at 1280x800."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    result = Tab(page)

    def on_dialog(dialog: Dialog) -> None:
        result.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: result.errors.append(str(error)))
    yield result
    context.close()


def _wait(what: str, check: Callable[[], Any], timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


# ---- the new user's path ------------------------------------------------------------------


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
    _wait("the field's error", lambda: error.inner_text(), timeout=20)
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


def _watch_live(tab: Tab) -> list[int]:
    """Row counts of the leaderboard seen on one page load until the experiment ends."""
    page = tab.page
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    seen: list[int] = []

    def ended() -> bool:
        seen.append(page.locator("#leaderboard tbody tr").count())
        return page.inner_text("#status") in {"completed", "failed", "canceled"}

    _wait("the experiment to end", ended, timeout=120)
    assert page.evaluate("window.sameDocument === true"), "the page reloaded"
    assert page.inner_text("#status") == "completed", page.inner_text("#action-message")
    return seen


def test_upload_start_watch_charts_model_download_and_predict(
    tab: Tab, server: Server, tmp_path: Path
) -> None:
    page = tab.page
    _start_experiment(tab, server)
    seen = _watch_live(tab)
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
    _watch_live(tab)
    page.wait_for_function(f"({PAINTED})('chart-best-1') > 500")
    names = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('chart-best-1')).getOption()"
        ".series.map((s) => s.name)"
    )
    assert names[:2] == ["forecast", "actual"] and len(names) == 4  # and the band's two edges
    # Charts a forecast does not have are not shown as empty boxes.
    assert page.is_hidden("#chart-best-2") and page.is_hidden("#chart-best-3")
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
    _wait("the leaderboard's note", lambda: note.inner_text(), timeout=30)
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
    first = _serve(folder)
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
        _wait("a first child", lambda: rows.count() >= 1, timeout=60)
        assert page.inner_text("#status") == "running"

        _stop_studio(first)  # the studio goes, the experiment does not; the page keeps trying
        message = page.locator("#action-message")
        _wait("the page to notice", lambda: message.inner_text(), timeout=20)
        second = _serve(folder, port=int(first.base.rsplit(":", 1)[1]))
        _wait("the page to reconnect", lambda: message.inner_text() == "", timeout=30)
        assert page.inner_text("#status") == "running"  # still running, shown live
        after = rows.count()
        _wait("children after the restart", lambda: rows.count() > after, timeout=60)

        page.click("#cancel")
        _wait("the cancel", lambda: page.inner_text("#status") == "canceled", timeout=60)
        assert page.is_hidden("#cancel")
        assert page.evaluate("window.sameDocument === true"), "the page reloaded"
        tab.check_clean()
    finally:
        _stop(second or first)


# ---- safety -------------------------------------------------------------------------------


def test_names_that_look_like_html_stay_text(tab: Tab, server: Server, tmp_path: Path) -> None:
    frame = pd.read_csv(CREDIT, nrows=40)
    frame.insert(0, "<script>alert(1)</script>", range(40))
    frame = frame.rename(columns={"purpose": "<img src=x onerror=alert(2)>"})
    frame.to_csv(tmp_path / "tricky.csv", index=False)
    page = tab.page
    page.goto(f"{server.base}/datasets")
    page.fill("#upload-form input[name=name]", "tricky")
    page.set_input_files("#upload-form input[type=file]", str(tmp_path / "tricky.csv"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/datasets/tricky")
    profile = page.locator("table.grid tbody tr td:first-child").all_inner_texts()
    assert profile[0] == "<script>alert(1)</script>"
    assert "<img src=x onerror=alert(2)>" in profile

    page.click("text=Start an AutoML experiment on it")  # the wizard's preview (scripted)
    page.wait_for_selector("#step-preview:not([hidden])")
    assert page.locator("#preview-table thead th").first.inner_text() == profile[0]
    assert page.locator("#purposes tbody tr td").first.inner_text() == profile[0]
    options = page.locator("[name=label_column_name] option").all_inner_texts()
    assert options[0] == profile[0]
    page.wait_for_timeout(300)  # an injected handler would have fired by now
    injected = page.evaluate(
        "[...document.querySelectorAll('script')].filter((s) => s.textContent.includes"
        "('alert(')).length + document.querySelectorAll('img[src=x]').length"
    )
    assert injected == 0
    tab.check_clean()


def test_oversized_upload_is_a_clear_error_and_the_studio_keeps_serving(
    tab: Tab, server: Server, tmp_path: Path
) -> None:
    big = pd.read_csv(CREDIT)
    pd.concat([big] * 9).to_csv(tmp_path / "big.csv", index=False)  # about 1.4 MB > 1 MB
    page = tab.page
    page.goto(f"{server.base}/experiments/new")
    page.set_input_files("#upload-file", str(tmp_path / "big.csv"))
    page.click("#upload-button")
    error = page.locator('.field-error[data-for="dataset"]')
    _wait("the upload's error", lambda: error.inner_text(), timeout=30)
    assert error.inner_text() == (
        "the upload is larger than the studio's limit of 1 MB; upload a smaller file or "
        "start the studio with a larger --max-upload-mb"
    )
    assert page.is_hidden("#step-preview")
    assert page.goto(f"{server.base}/datasets").status == 200  # type: ignore[union-attr]
    tab.check_clean()


@pytest.mark.parametrize(
    "path",
    [
        "/static/..%2f..%2fws%2fworkspace.db",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/api/runs/x/artifacts/..%2f..%2fworkspace.db",
        "/api/runs/x/artifacts/%2fetc%2fpasswd",
        "/api/predictions/..%2f..%2fworkspace.db.csv",
    ],
)
def test_paths_outside_the_workspace_are_404(tab: Tab, server: Server, path: str) -> None:
    response = tab.page.goto(server.base + path)
    assert response is not None and response.status == 404, path
    assert "root:" not in tab.page.content() and "SQLite format" not in tab.page.content()


def test_a_forged_cross_site_form_is_refused(tab: Tab, server: Server) -> None:
    before = server.api("/api/datasets")
    page = tab.page
    page.goto(server.base)  # the user has the studio open (and its cookies) ...
    evil = (
        f"<form id=f method=post action='{server.base}/api/datasets' enctype=multipart/form-data>"
        "<input type=hidden name=name value=evil></form><script>f.submit()</script>"
    )
    page.route(
        "http://evil.test/**", lambda route: route.fulfill(body=evil, content_type="text/html")
    )
    with page.expect_response(f"{server.base}/api/datasets") as answer:
        page.goto("http://evil.test/")  # ... and another site posts to it
    assert answer.value.status == 403
    assert "cross-site request refused" in answer.value.json()["detail"]
    assert server.api("/api/datasets") == before


def test_a_studio_with_a_token_needs_the_printed_url(
    tab: Tab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    server = _serve(tmp_path_factory.mktemp("token"), "--token", TOKEN, ready=401)
    try:
        page = tab.page
        response = page.goto(server.base + "/datasets")
        assert response is not None and response.status == 401
        assert "this studio needs its access token" in page.inner_text("body")
        response = page.goto(f"{server.base}/?token={TOKEN}")
        assert response is not None and response.status == 200 and "token" not in page.url
        page.click("text=Datasets")  # by the cookie now, and the page's own API calls work
        page.set_input_files("#upload-form input[type=file]", str(CREDIT))
        page.click("#upload-form button[type=submit]")
        page.wait_for_url("**/datasets/credit_g")
        assert "1000 rows, 21 columns" in page.inner_text("main")
        tab.check_clean()
    finally:
        _stop(server)

"""Screenshots of the studio's main pages for the README, taken in Chromium with Playwright.

Starts ``automl studio`` over a new workspace in a temporary folder and does what a user
does: uploads ``examples/data/credit_g.csv`` in the New-experiment wizard and starts a
classification experiment (``credit-g``: LightGBM, random forest, logistic regression, 3
folds, 16 children), watches it, then starts two more through the studio's JSON API for the
list (a regression of ``credit_amount`` on the same dataset, and a monthly forecast of
``examples/data/us_retail_sales.csv``), and tests the registered model on a CSV file. Each
PNG is a 1280x800 viewport, written to ``docs/images/`` and reduced to a 256-colour palette
when larger than 250 KB.

Needs Debian's Chromium (``apt-get install chromium``) and Playwright for Python (the ``dev``
extra); about 70 s on 2 cores.

    python docs/screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from automl.studio import studio_in_background

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CHROMIUM = "/usr/bin/chromium"
CREDIT = REPO / "examples" / "data" / "credit_g.csv"
RETAIL = REPO / "examples" / "data" / "us_retail_sales.csv"
MAX_BYTES = 250_000
MORE: list[dict[str, Any]] = [
    {
        "dataset": "credit_g:1",
        "experiment_name": "credit-amount",
        "task": "regression",
        "label_column_name": "credit_amount",
        "allowed_models": ["LightGBM", "ElasticNet"],
        "max_trials": 6,
    },
    {
        "dataset": "us_retail_sales:1",
        "experiment_name": "retail-monthly",
        "task": "forecasting",
        "label_column_name": "y",
        "allowed_models": ["SeasonalNaive", "ExponentialSmoothing", "Theta"],
        "max_trials": 6,
        "forecasting_parameters": {
            "time_column_name": "ds",
            "forecast_horizon": 12,
            "quantiles": [0.1, 0.9],
        },
    },
]


def shoot(page: Any, path: Path) -> None:
    """A viewport screenshot, palette-reduced when it is too large for the README."""
    from PIL import Image

    page.screenshot(path=str(path))
    if path.stat().st_size > MAX_BYTES:
        Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)
    print(f"{path.relative_to(REPO)}: {path.stat().st_size // 1024} KB", flush=True)


def scroll_to(page: Any, selector: str) -> None:
    page.locator(selector).first.evaluate("(e) => window.scrollTo(0, e.offsetTop - 12)")
    page.wait_for_timeout(300)


def wait_until_done(page: Any, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while page.inner_text("#status") not in {"completed", "failed", "canceled"}:
        if time.monotonic() > deadline:
            raise RuntimeError("the experiment did not end in time")
        page.wait_for_timeout(500)


def start_by_api(page: Any, form: dict[str, Any]) -> None:
    """POST a New-experiment form from the page (its CSRF token, as its own script does)."""
    result = page.evaluate(
        """async (form) => {
          const csrf = document.querySelector('meta[name="csrf-token"]').content;
          const r = await fetch("/api/experiments", {method: "POST", body: JSON.stringify(form),
            headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}});
          return [r.status, await r.text()];
        }""",
        form,
    )
    if result[0] != 201:
        raise RuntimeError(f"starting {form['experiment_name']} failed: {result}")


def wizard(page: Any, base: str, out: Path) -> None:
    """Upload credit_g, fill the wizard, start ``credit-g``; shots of the wizard."""
    page.goto(f"{base}/experiments/new")
    page.set_input_files("#upload-file", str(CREDIT))
    page.click("#upload-button")
    page.wait_for_selector("#step-settings:not([hidden])")
    page.fill("[name=experiment_name]", "credit-g")
    page.select_option("[name=primary_metric]", "AUC_weighted")
    page.select_option("[name=allowed_models]", ["LightGBM", "RandomForest", "LogisticRegression"])
    page.select_option("[name=validation]", "kfold")
    page.fill("[name=n_cross_validations]", "3")
    page.fill("[name=max_trials]", "16")
    page.fill("[name=experiment_timeout_minutes]", "1")
    page.fill("[name=max_concurrent_iterations]", "2")
    page.click("#review-button")
    page.wait_for_selector("#step-review:not([hidden])")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, out / "studio-new-experiment.png")
    scroll_to(page, "#step-settings")
    shoot(page, out / "studio-new-experiment-settings.png")
    page.click("#start-button")
    page.wait_for_url("**/experiments/credit-g")


def live_experiment(page: Any, out: Path) -> None:
    """The credit-g page while children arrive, then its charts once it ended."""
    page.wait_for_function("document.querySelectorAll('#leaderboard tbody tr').length >= 4")
    page.wait_for_timeout(1600)  # one more refresh of the live charts
    shoot(page, out / "studio-experiment-running.png")
    wait_until_done(page)
    page.wait_for_timeout(2000)  # the best model's charts
    boxes = page.locator("#leaderboard tbody input[type=checkbox]")
    for row in range(3):  # the step curves of the three best children
        boxes.nth(row).check()
    page.click("#curves-selected")
    page.wait_for_timeout(1000)
    scroll_to(page, "#chart-timeline")
    shoot(page, out / "studio-experiment-charts.png")
    scroll_to(page, "#best-note")
    shoot(page, out / "studio-best-model-charts.png")


def more_experiments(page: Any, base: str, out: Path) -> None:
    """A regression and a forecast for the list; the forecast's chart."""
    page.goto(f"{base}/datasets")
    page.set_input_files("#upload-form input[type=file]", str(RETAIL))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/datasets/us_retail_sales")
    for form in MORE:
        start_by_api(page, form)
    for form in MORE:
        page.goto(f"{base}/experiments/{form['experiment_name']}")
        wait_until_done(page)
    page.wait_for_timeout(2000)
    scroll_to(page, "#best-note")
    shoot(page, out / "studio-forecast-charts.png")
    page.goto(base)
    shoot(page, out / "studio-experiments.png")


def model_test(page: Any, base: str, out: Path, folder: Path) -> None:
    """The registered credit-g model tested on 20 rows of a CSV file."""
    import pandas as pd

    page.goto(f"{base}/models/credit-g")
    score = folder / "new_applicants.csv"
    pd.read_csv(CREDIT, nrows=20).drop(columns="target").to_csv(score, index=False)
    page.set_input_files("#predict-form input[type=file]", str(score))
    page.click("#predict-form button[type=submit]")
    page.wait_for_selector("#predictions tbody tr")
    scroller = "(table) => (table.parentElement.scrollLeft = table.parentElement.scrollWidth)"
    page.locator("#predictions").evaluate(scroller)  # the predictions are the last columns
    shoot(page, out / "studio-model.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "images", help="folder of the PNGs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        studio_in_background(Path(tmp) / "ws") as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        wizard(page, base, args.out)
        live_experiment(page, args.out)
        more_experiments(page, base, args.out)
        model_test(page, base, args.out, Path(tmp))
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

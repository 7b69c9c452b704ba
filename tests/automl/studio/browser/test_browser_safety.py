"""The studio's safety in Chromium: names that look like HTML stay text (no dialog opens), an
oversized upload is a clear error and the studio keeps serving, paths outside the workspace
are 404, a forged cross-site form is refused, and a studio with a token answers 401 until the
printed URL is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from tests.automl.studio.browser.conftest import Server, Tab, serve, stop, wait_for
from tests.automl.studio.conftest import CREDIT

if TYPE_CHECKING:
    from playwright.sync_api import Route

pytestmark = pytest.mark.browser

TOKEN = "browser-test-token-0123456789"


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
    wait_for("the upload's error", lambda: error.inner_text(), timeout=30)
    assert error.inner_text() == (
        "the upload is larger than the studio's limit of 1 MB; upload a smaller file or "
        "start the studio with a larger --max-upload-mb"
    )
    assert page.is_hidden("#step-preview")
    assert page.goto(f"{server.base}/datasets").status == 200  # type: ignore[union-attr]
    tab.check_clean()


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"\x00\x01\x02 not a table", "garbage.csv"), (b"a,b\n", "header_only.csv")],
)
def test_a_file_without_rows_is_refused_at_the_dataset_field(
    tab: Tab, server: Server, tmp_path: Path, content: bytes, name: str
) -> None:
    before = server.api("/api/datasets")
    (tmp_path / name).write_bytes(content)
    page = tab.page
    page.goto(f"{server.base}/experiments/new")
    page.set_input_files("#upload-file", str(tmp_path / name))
    page.click("#upload-button")
    error = page.locator('.field-error[data-for="dataset"]')
    wait_for("the upload's error", lambda: error.inner_text(), timeout=30)
    assert error.inner_text() == (
        f"the file '{name}' has no rows (or no table a CSV or Parquet reader understands); "
        "upload a table with a header and at least one row"
    )
    assert page.is_hidden("#step-preview") and server.api("/api/datasets") == before
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
    server = serve(tmp_path_factory.mktemp("token"), "--token", TOKEN, ready=401)
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
        stop(server)


def test_every_page_works_offline(tab: Tab, server: Server) -> None:
    page = tab.page
    outside: list[str] = []

    def refuse(route: Route) -> None:
        outside.append(route.request.url)
        route.abort()

    page.context.route(lambda url: not url.startswith(server.base), refuse)
    for path in ("/", "/experiments/new", "/models", "/datasets"):
        assert page.goto(server.base + path).status == 200  # type: ignore[union-attr]
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof echarts.init") == "function"  # the vendored ECharts
    page.goto(f"{server.base}/docs")  # the API's docs: vendored Swagger UI
    page.wait_for_selector(".swagger-ui .info .title")
    assert "openaml studio" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector('.opblock-summary-path[data-path="/api/experiments"]')
    assert outside == [], f"requests left the studio: {outside}"
    tab.check_clean()

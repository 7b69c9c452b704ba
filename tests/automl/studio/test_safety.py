"""Safety: the token off loopback, CSRF, the upload limit, containment, escaping."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from automl.studio import create_app
from automl.studio._paths import clean_relative, contained
from automl.studio._security import CSRF_COOKIE, TOKEN_COOKIE, is_loopback
from tests.automl.studio.conftest import CLASSIFICATION, CREDIT, Studio
from trials import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture
def guarded(filled_workspace: Path) -> Iterator[TestClient]:
    """A studio configured with a token (as `automl studio --host 0.0.0.0` is)."""
    app = create_app(filled_workspace, token=TOKEN, max_upload_mb=1)
    with TestClient(app, follow_redirects=False) as client:
        yield client
    app.state.studio.workspace.close()


def test_without_the_token_everything_is_401(guarded: TestClient) -> None:
    for url in ("/", "/api/experiments", f"/experiments/{CLASSIFICATION}", "/static/studio.js"):
        response = guarded.get(url)
        assert response.status_code == 401, url
    assert "needs its access token" in guarded.get("/api/experiments").json()["detail"]
    assert guarded.get("/api/experiments?token=wrong").status_code == 401
    guarded.cookies.set(TOKEN_COOKIE, "wrong")
    assert guarded.get("/api/experiments").status_code == 401


def test_token_in_url_sets_a_strict_httponly_cookie(guarded: TestClient) -> None:
    response = guarded.get(f"/?token={TOKEN}&page=1")
    assert response.status_code == 303 and response.headers["location"] == "/?page=1"
    cookie = response.headers["set-cookie"]
    assert f"{TOKEN_COOKIE}={TOKEN}" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert guarded.get("/api/experiments").status_code == 200  # the cookie now
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    guarded.cookies.clear()
    assert guarded.get("/api/experiments", headers=bearer).status_code == 200


def test_state_changing_requests_need_the_csrf_token(studio: Studio) -> None:
    client = studio.client
    no_header = client.post("/api/experiments/validate", json={})
    assert no_header.status_code == 403
    assert "missing or wrong CSRF token" in no_header.json()["detail"]
    csrf = studio.csrf()
    wrong = client.post("/api/experiments/validate", json={}, headers={"X-CSRF-Token": "x" * 32})
    assert wrong.status_code == 403
    other_site = client.post(
        "/api/experiments/validate",
        json={},
        headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
    )
    assert other_site.status_code == 403 and "evil.example" in other_site.json()["detail"]
    cross = client.post(
        "/api/experiments/validate",
        json={},
        headers={"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    cancel = client.post(f"/api/experiments/{CLASSIFICATION}/cancel")
    assert cancel.status_code == 403
    same_origin = client.post(
        "/api/experiments/validate",
        json={},
        headers={"X-CSRF-Token": csrf, "Origin": "http://testserver"},
    )
    assert same_origin.status_code == 422  # past the guard: the form's own check


def test_pages_set_the_csrf_cookie_and_embed_it(studio: Studio) -> None:
    page = studio.client.get("/")
    cookie = page.headers["set-cookie"]
    assert CSRF_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    token = studio.client.cookies[CSRF_COOKIE]
    assert f'<meta name="csrf-token" content="{token}">' in page.text


def test_oversized_upload_is_413_and_the_studio_keeps_serving(guarded: TestClient) -> None:
    guarded.get(f"/?token={TOKEN}")
    guarded.get("/api/meta")
    csrf = guarded.cookies[CSRF_COOKIE]
    big = b"a,b\n" + b"1,2\n" * 300_000  # 1.2 MB > 1 MB
    response = guarded.post(
        "/api/datasets", files={"file": ("big.csv", big)}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 413
    assert "larger than the studio's limit of 1 MB" in response.json()["detail"]
    assert "--max-upload-mb" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"x" * 100_000

    chunked = guarded.post(
        "/api/datasets",
        content=chunks(),
        headers={"X-CSRF-Token": csrf, "Content-Type": "multipart/form-data; boundary=zz"},
    )
    assert chunked.status_code == 413
    page = guarded.post("/datasets", content=big, headers={"X-CSRF-Token": csrf})
    assert page.status_code == 413 and "Upload too large" in page.text
    assert guarded.get("/api/experiments").status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "../../../workspace.db",
        "..%2F..%2F..%2Fworkspace.db",
        "%2e%2e/%2e%2e/%2e%2e/workspace.db",
        "%252e%252e%252f%252e%252e%252fworkspace.db",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
        "..\\..\\workspace.db",
        "C:/Windows/win.ini",
        "oof.joblib%00.txt",
    ],
)
def test_artifact_traversal_is_404(studio: Studio, name: str) -> None:
    run_id = studio.get(f"/api/experiments/{CLASSIFICATION}/leaderboard").json()["rows"][0][
        "run_id"
    ]
    response = studio.client.get(f"/api/runs/{run_id}/artifacts/{name}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/static/../_app.py",
        "/static/%2e%2e/_app.py",
        "/static/..%2f_app.py",
        "/static/%252e%252e/_app.py",
        "/api/predictions/..%2F..%2Fworkspace.csv",
        "/api/runs/..%2F..%2F/artifacts/workspace.db",
    ],
)
def test_other_traversal_is_404(studio: Studio, url: str) -> None:
    assert studio.client.get(url).status_code == 404


def test_containment_helpers(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "ok.txt").write_text("ok")
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "root" / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert contained(tmp_path / "root", "ok.txt") == (tmp_path / "root" / "ok.txt").resolve()
    assert contained(tmp_path / "root", "link.txt") is None  # a link out of the root
    assert contained(tmp_path / "root", "../secret.txt") is None
    assert clean_relative("a/./b.txt") == "a/b.txt"
    assert clean_relative("%25252e%25252e") is None  # ".." three times encoded
    assert clean_relative("a//b") is None and clean_relative("") is None


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_script_names_render_as_text(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    image = "<img src=x onerror=alert(1)>"  # a URL path cannot hold the '/' of </script>
    frame = pd.DataFrame({evil: [1, 2, 3, 4], "y": ["a", "b", "a", "b"]})
    objective = {"objective": {"primary_metric": evil, "goal": "maximize"}}
    with Workspace(tmp_path / "ws") as workspace:
        workspace.datasets.register("evil", frame, description=evil)
        workspace.get_or_create_experiment(image, kind="automl", config=objective)
    app = create_app(tmp_path / "ws")
    with TestClient(app) as client:
        pages = [
            client.get("/").text,
            client.get("/datasets").text,
            client.get("/datasets/evil").text,
            client.get("/experiments/new?dataset=evil:1").text,
        ]
        experiment = client.get("/experiments/%3Cimg%20src=x%20onerror=alert(1)%3E")
        assert experiment.status_code == 200
        pages.append(experiment.text)
        api = client.get("/api/datasets/evil/1/preview").json()
    app.state.studio.workspace.close()
    for page in pages:
        assert evil not in page and image not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[2]  # the column, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0]  # the experiment, as text
    assert "\\u003cimg src=x" in pages[4]  # JSON for the page's script, via |tojson
    assert api["columns"][0] == evil  # the API returns data; pages use textContent


def test_create_app_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"`max_upload_mb` must be a number > 0, got 0"):
        create_app(tmp_path / "ws", max_upload_mb=0)
    with pytest.raises(ValueError, match=r"`token` must be a string of at least 16 characters"):
        create_app(tmp_path / "ws", token="short")
    assert CREDIT.is_file()


def test_loopback_studio_refuses_other_host_names(filled_workspace: Path) -> None:
    app = create_app(filled_workspace, allowed_hosts={"127.0.0.1", "localhost", "::1"})
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        assert client.get("/api/experiments").status_code == 200
        assert client.get("/api/meta", headers={"Host": "localhost:8765"}).status_code == 200
        assert client.get("/api/meta", headers={"Host": "[::1]:8765"}).status_code == 200
        rebound = client.get("/api/experiments", headers={"Host": "evil.example:8765"})
        assert rebound.status_code == 400
        assert "host 'evil.example:8765' is not this studio's address" in rebound.json()["detail"]
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    app.state.studio.workspace.close()

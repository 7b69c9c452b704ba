"""Fixtures of the studio's browser tests: Debian's Chromium, real studio servers, pages.

A real ``automl studio`` server (a subprocess on a free port) serves a fresh workspace per
test module; experiments it starts run in their own job processes, as they do for a user.
Chromium is launched from ``/usr/bin/chromium`` (``apt-get install chromium``) by Playwright
for Python (``pip install playwright``, in the ``dev`` extra); Playwright's own browser
download is not used. Where either is missing the tests skip saying what to install, and
under ``CI=true`` they fail.
"""

from __future__ import annotations

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

import pytest

from tests.support import missing_requirement

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

CHROMIUM = Path("/usr/bin/chromium")
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:  # not listening yet
        return 0


def serve(folder: Path, *options: str, ready: int = 200, port: int | None = None) -> Server:
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
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
    while status_of(f"{base}/api/meta") != ready:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = (folder / "studio.log").read_text(errors="replace")
            raise AssertionError(f"the studio did not start:\n{output}")
        time.sleep(0.2)
    return Server(base, folder / "ws", process)


def stop_studio(server: Server) -> None:
    """Ctrl-C for the studio (the jobs it started go on)."""
    os.killpg(server.process.pid, signal.SIGINT)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def stop(server: Server) -> None:
    """Stop the studio, then any job it started that still runs (they outlive it)."""
    stop_studio(server)
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
    server = serve(tmp_path_factory.mktemp("studio"), "--max-upload-mb", "1")
    yield server
    stop(server)


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


def wait_for(what: str, check: Callable[[], Any], timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def watch_live(tab: Tab) -> list[int]:
    """Row counts of the leaderboard seen on one page load until the experiment ends."""
    page = tab.page
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    seen: list[int] = []

    def ended() -> bool:
        seen.append(page.locator("#leaderboard tbody tr").count())
        return page.inner_text("#status") in {"completed", "failed", "canceled"}

    wait_for("the experiment to end", ended, timeout=120)
    assert page.evaluate("window.sameDocument === true"), "the page reloaded"
    assert page.inner_text("#status") == "completed", page.inner_text("#action-message")
    return seen

"""`automl studio`: arguments, the printed URL and token, and a real server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from automl.cli import build_parser, main
from automl.cli._studio_command import allowed_hosts, resolve_token, studio_url


def test_parser_defaults_and_options() -> None:
    args = build_parser().parse_args(["studio"])
    assert (args.host, args.port, args.token, args.max_upload_mb) == ("127.0.0.1", 8765, None, 200)
    args = build_parser().parse_args(
        ["-w", "ws", "studio", "--host", "0.0.0.0", "--port", "9000", "--max-upload-mb", "5"]
    )
    assert (args.workspace, args.host, args.port, args.max_upload_mb) == ("ws", "0.0.0.0", 9000, 5)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["studio", "--port", "0"], "must be a port number 1-65535, got '0'"),
        (["studio", "--port", "http"], "must be a port number 1-65535, got 'http'"),
        (["studio", "--max-upload-mb", "-1"], "must be a number > 0, got '-1'"),
    ],
)
def test_bad_arguments(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    assert message in capsys.readouterr().err


def test_short_token_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-w", str(tmp_path / "ws"), "studio", "--token", "short"]) == 2
    assert "--token must be at least 16 characters, got 5" in capsys.readouterr().err


def test_token_only_off_loopback_and_url() -> None:
    assert resolve_token("127.0.0.1", None) is None
    assert resolve_token("localhost", None) is None
    generated = resolve_token("0.0.0.0", None)
    assert generated is not None and len(generated) >= 32
    assert resolve_token("127.0.0.1", "given-token-0123456789") == "given-token-0123456789"
    assert studio_url("127.0.0.1", 8765, None) == "http://127.0.0.1:8765/"
    assert studio_url("::1", 80, "a b") == "http://[::1]:80/?token=a%20b"
    assert allowed_hosts("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts("127.0.0.2") == {"127.0.0.1", "127.0.0.2", "localhost", "::1"}
    assert allowed_hosts("0.0.0.0") is None  # the token guards it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(url: str, opener: urllib.request.OpenerDirector | None = None) -> int:
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:  # not listening yet
        return 0


def test_serves_off_loopback_with_the_printed_token(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from automl.cli import main; sys.exit(main())",
         "-w", str(tmp_path / "ws"), "studio",
         "--host", "0.0.0.0", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline(), process.stdout.readline()]
        match = re.search(r"\?token=([\w%-]+)", lines[1])
        assert match, lines
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while _status(f"{base}/api/meta") != 401:  # up, and refusing without the token
            assert time.monotonic() < deadline and process.poll() is None, lines
            time.sleep(0.2)
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        assert _status(f"{base}/api/experiments?token={match.group(1)}", browser) == 200
        assert _status(f"{base}/api/experiments", browser) == 200  # by the cookie now
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=20)

"""``studio_in_background``: the real ``automl studio`` for scripts, stopped with the block."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest

from automl.studio import studio_in_background


def test_it_serves_while_the_block_runs_and_stops_after(tmp_path: Path) -> None:
    with studio_in_background(tmp_path / "ws") as url:
        with urllib.request.urlopen(f"{url}/api/meta", timeout=10) as response:
            assert response.status == 200
        port = int(url.rsplit(":", 1)[1])
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):  # it stopped
        sock.connect(("127.0.0.1", port))


def test_a_studio_that_cannot_start_is_an_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with (
            pytest.raises(RuntimeError, match=r"`automl studio` exited with status"),
            studio_in_background(tmp_path / "ws", port=port),
        ):
            pass  # never reached: the studio cannot bind its port

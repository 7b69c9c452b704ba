"""``studio_in_background``: ``automl studio`` in a process of its own, for scripts.

The benchmark of the studio's pages and the README's screenshot script serve a workspace
this way: the real command on a free loopback port, returned once it answers, and stopped
as Ctrl-C stops it (SIGINT to its process group) when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["studio_in_background"]

_COMMAND = "import sys; from automl.cli import main; sys.exit(main())"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def studio_in_background(
    workspace: str | os.PathLike[str], *, port: int | None = None, timeout: float = 60.0
) -> Iterator[str]:
    """Serve ``workspace`` with ``automl studio`` on 127.0.0.1 while the block runs.

    Args:
        workspace: The workspace folder or database URL.
        port: The port (None: a free one).
        timeout: Seconds to wait for the studio to answer.

    Yields:
        The studio's base URL, e.g. ``"http://127.0.0.1:53817"``.

    Raises:
        RuntimeError: The studio exited or did not answer within ``timeout`` seconds.

    Example:
        >>> with studio_in_background("automl_workspace") as url:  # doctest: +SKIP
        ...     print(url)
    """
    chosen = _free_port() if port is None else port
    command = [sys.executable, "-c", _COMMAND, "-w", str(workspace), "studio"]
    process = subprocess.Popen(
        [*command, "--port", str(chosen)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{chosen}"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(f"{url}/api/meta"):
            if process.poll() is not None:
                raise RuntimeError(f"`automl studio` exited with status {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"`automl studio` did not answer at {url} in {timeout:g} s")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

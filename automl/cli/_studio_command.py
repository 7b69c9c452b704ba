"""`automl studio`: serve the studio web app over a workspace until Ctrl-C.

    automl [--workspace W] studio [--host 127.0.0.1] [--port 8765] [--token T]
                                  [--max-upload-mb N]

Bound to a loopback address it needs no token; on any other address a token is required
(generated unless given) and the printed URL carries it.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["allowed_hosts", "register", "resolve_token", "studio_url"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `studio` command."""
    parser = commands.add_parser(
        "studio",
        help="serve the studio web app (experiments, runs, models, datasets)",
        description="Serve the studio over the workspace until Ctrl-C. On an address other "
        "than loopback a token is required; the printed URL carries it.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind ({DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    parser.add_argument(
        "--token",
        default=None,
        help="access token (generated when the host is not loopback and none is given)",
    )
    parser.add_argument(
        "--max-upload-mb",
        type=_positive_number,
        default=200.0,
        help="largest upload accepted, in MB (200)",
    )
    parser.set_defaults(handler=_studio)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number 1-65535, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 1-65535, got {text!r}")
    return value


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def studio_url(host: str, port: int, token: str | None) -> str:
    """The URL to open (with ``?token=`` when one is needed)."""
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):  # every address: this machine's name works
        import socket

        shown = socket.gethostname()
    url = f"http://{shown}:{port}/"
    if token is not None:
        from urllib.parse import quote

        url += f"?token={quote(token)}"
    return url


def resolve_token(host: str, token: str | None) -> str | None:
    """The token to require: the one given, or a new one off loopback, else None."""
    import secrets

    from automl.studio._security import is_loopback

    if token is not None:
        if len(token) < 16:
            raise ValueError(
                f"--token must be at least 16 characters, got {len(token)}; omit it to get a "
                "generated one"
            )
        return token
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def allowed_hosts(host: str) -> set[str] | None:
    """On loopback, the loopback names only (against DNS rebinding); elsewhere any (the
    token guards it)."""
    from automl.studio._security import is_loopback

    if not is_loopback(host):
        return None
    return {"127.0.0.1", "localhost", "::1", host.strip("[]").lower()}


def _studio(args: argparse.Namespace) -> Any:
    try:
        import uvicorn

        from automl.studio import create_app
    except ImportError as error:
        raise ValueError(
            f"the studio needs the 'studio' extra ({error}): pip install 'openaml[studio]'"
        ) from None
    token = resolve_token(args.host, args.token)
    app = create_app(
        args.workspace,
        token=token,
        max_upload_mb=args.max_upload_mb,
        allowed_hosts=allowed_hosts(args.host),
    )
    workspace = app.state.studio.workspace
    print(f"openaml studio over workspace {workspace.location}")
    print(f"  open {studio_url(args.host, args.port, token)}  (Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")

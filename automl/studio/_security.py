"""The studio's guard: token, cross-site request forgery and upload size, as one ASGI layer.

- **Token.** Bound to a loopback address the studio needs none; elsewhere every request
  must carry it: ``?token=...`` once (which sets an HttpOnly, SameSite=Strict cookie), the
  cookie, or an ``Authorization: Bearer`` header. Anything else gets 401.
- **CSRF.** Every page sets a random per-browser CSRF cookie and embeds its value; a
  state-changing request (POST, PUT, PATCH, DELETE) must echo it in the ``X-CSRF-Token``
  header (the pages' JavaScript does), and an ``Origin`` header, when sent, must name this
  host. Otherwise 403.
- **Upload size.** A body larger than the limit is refused with 413 before it is read
  (``Content-Length``) or as soon as it grows past the limit (chunked bodies).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "TOKEN_COOKIE",
    "GuardSettings",
    "StudioGuard",
    "is_loopback",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_COOKIE = "automl_studio_token"
CSRF_COOKIE = "automl_studio_csrf"
CSRF_HEADER = "x-csrf-token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class GuardSettings:
    """What the guard enforces.

    Attributes:
        token: The access token, or None when none is needed (loopback).
        max_upload_bytes: Largest request body accepted.
        allowed_hosts: Host names a request's ``Host`` header may carry (None: any). A
            studio on loopback without a token allows only loopback names, so that a web
            page whose DNS name is rebound to 127.0.0.1 cannot read it.
    """

    token: str | None
    max_upload_bytes: int
    allowed_hosts: frozenset[str] | None = None


class _TooLarge(Exception):
    """The request body grew past the upload limit."""


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header counts as none
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:80`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class StudioGuard:
    """ASGI middleware enforcing :class:`GuardSettings` (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: GuardSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        cookies = _cookies(headers)
        path = str(scope.get("path", ""))
        allowed = self.settings.allowed_hosts
        if allowed is not None and _host_name(headers.get("host", "")) not in allowed:
            await _error(
                send,
                path,
                400,
                f"host {headers.get('host', '')!r} is not this studio's address; open it as "
                f"{' or '.join(sorted(allowed))}",
            )
            return
        token = self.settings.token
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if token is not None:
            if _same(query.get("token"), token):
                await self._redirect_with_cookie(scope, send, query, token)
                return
            header = headers.get("authorization", "")
            bearer = header[7:] if header.lower().startswith("bearer ") else None
            if not (_same(cookies.get(TOKEN_COOKIE), token) or _same(bearer, token)):
                await _error(
                    send,
                    path,
                    401,
                    "this studio needs its access token: open the URL it printed "
                    "(…/?token=...) or send 'Authorization: Bearer <token>'",
                )
                return
        csrf = cookies.get(CSRF_COOKIE) or ""
        new_csrf = None
        if len(csrf) < 16:
            csrf = new_csrf = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf"] = csrf
        if scope["method"] in _UNSAFE:
            problem = self._forgery(headers, cookies)
            if problem is not None:
                await _error(send, path, 403, problem)
                return
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > self.settings.max_upload_bytes:
                await _error(send, path, 413, self._too_large())
                return
        await self._forward(scope, receive, send, new_csrf, path)

    def _forgery(self, headers: dict[str, str], cookies: dict[str, str]) -> str | None:
        origin = headers.get("origin")
        if origin is not None and origin != "null":
            if urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
                return (
                    f"cross-site request refused: Origin {origin!r} is not this studio "
                    f"({headers.get('host', '')!r})"
                )
        elif origin == "null":
            return "cross-site request refused: Origin 'null'"
        if headers.get("sec-fetch-site") == "cross-site":
            return "cross-site request refused (Sec-Fetch-Site: cross-site)"
        expected = cookies.get(CSRF_COOKIE)
        if not expected or not _same(headers.get(CSRF_HEADER), expected):
            return (
                "missing or wrong CSRF token: a state-changing request must send the "
                f"{CSRF_COOKIE} cookie's value in the X-CSRF-Token header (reload the page)"
            )
        return None

    def _too_large(self) -> str:
        limit_mb = self.settings.max_upload_bytes / 2**20
        return (
            f"the upload is larger than the studio's limit of {limit_mb:g} MB; upload a "
            "smaller file or start the studio with a larger --max-upload-mb"
        )

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, new_csrf: str | None, path: str
    ) -> None:
        received = 0
        started = False
        limit = self.settings.max_upload_bytes

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def cookie_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if new_csrf is not None:
                    cookie = f"{CSRF_COOKIE}={new_csrf}; Path=/; HttpOnly; SameSite=Strict"
                    message.setdefault("headers", []).append(
                        (b"set-cookie", cookie.encode("latin-1"))
                    )
            await send(message)

        try:
            await self.app(scope, counting_receive, cookie_send)
        except _TooLarge:
            if not started:
                await _error(send, path, 413, self._too_large())

    async def _redirect_with_cookie(
        self, scope: Scope, send: Send, query: dict[str, str], token: str
    ) -> None:
        rest = {key: value for key, value in query.items() if key != "token"}
        target = str(scope.get("path", "/")) + (f"?{urlencode(rest)}" if rest else "")
        cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", target.encode("latin-1")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


async def _error(send: Send, path: str, status: int, message: str) -> None:
    """A JSON error for ``/api`` paths, a small escaped HTML page elsewhere."""
    import html

    if path.startswith("/api"):
        body = json.dumps({"detail": message}).encode()
        kind = b"application/json"
    else:
        titles = {
            400: "Bad request",
            401: "Token required",
            403: "Request refused",
            413: "Upload too large",
        }
        title = titles.get(status, "Error")
        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{status} {title}</h1><p>{html.escape(message)}</p>"
            "<p><a href='/'>Back to the studio</a></p></body></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""``create_app``: the studio's FastAPI application over one workspace.

Pages (``automl.studio._pages``) and the JSON API under ``/api``
(``automl.studio._api``, documented at ``/docs``) read the same functions; the guard
(``automl.studio._security``) wraps everything; charts and scripts are served from the
package's ``static`` folder, so the studio works offline.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from automl.studio._jobs import JobManager
from automl.studio._security import GuardSettings, StudioGuard

if TYPE_CHECKING:
    import jinja2
    from fastapi import FastAPI

    from trials import Workspace

__all__ = ["StudioContext", "create_app", "studio_context"]

PACKAGE_DIR = Path(__file__).parent


@dataclass
class StudioContext:
    """What every route needs: the workspace, the jobs, the templates and the limits."""

    workspace: Workspace
    jobs: JobManager
    templates: jinja2.Environment
    max_upload_bytes: int
    token: str | None

    @property
    def studio_root(self) -> Path:
        """The studio's own folder in the artifact root (jobs, uploads, predictions)."""
        return self.workspace.artifact_root / "studio"


def studio_context(request: Request) -> StudioContext:
    """The context of the app serving ``request``."""
    context: StudioContext = request.app.state.studio
    return context


def _templates() -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=True,
        undefined=jinja2.Undefined,
    )
    environment.filters["num"] = _number
    environment.filters["seconds"] = _seconds
    return environment


def _number(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _seconds(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "–"
    minutes, seconds = divmod(int(value), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {seconds:02d}s" if hours else f"{minutes}m {seconds:02d}s"


def _offline_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the package's static files (vendored swagger-ui-dist)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="openaml studio - API",
            swagger_js_url="/static/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui.css",
            swagger_favicon_url="data:,",
        )


def _check_limit(max_upload_mb: object) -> float:
    if (
        isinstance(max_upload_mb, bool)
        or not isinstance(max_upload_mb, (int, float))
        or not max_upload_mb > 0
    ):
        raise ValueError(f"`max_upload_mb` must be a number > 0, got {max_upload_mb!r}")
    return float(max_upload_mb)


def create_app(
    workspace: Workspace | str | os.PathLike[str] | None = None,
    *,
    token: str | None = None,
    max_upload_mb: float = 200,
    allowed_hosts: Iterable[str] | None = None,
) -> FastAPI:
    """Build the studio app over ``workspace``.

    Args:
        workspace: A folder or a database URL (None: ``AUTOML_WORKSPACE``, else
            ``./automl_workspace``), or an open :class:`~trials.Workspace` (for a database
            URL pass the URL itself: an open workspace hides its password, and the jobs the
            studio starts need it).
        token: The access token every request must carry (``?token=`` once, then a
            cookie); None: no token, for a studio bound to a loopback address only.
        max_upload_mb: Largest request body (upload) accepted, in MB.
        allowed_hosts: Host names requests may address (the ``Host`` header); None: any.
            ``automl studio`` on loopback allows only loopback names (DNS rebinding).

    Returns:
        The ASGI application (serve it with uvicorn; ``automl studio`` does).

    Example:
        >>> from fastapi.testclient import TestClient  # doctest: +SKIP
        >>> client = TestClient(create_app("automl_workspace"))  # doctest: +SKIP
        >>> client.get("/api/experiments").json()["total"]  # doctest: +SKIP
        0
    """
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    from automl.studio import _api, _errors, _pages
    from trials import Workspace

    limit_mb = _check_limit(max_upload_mb)
    if token is not None and (not isinstance(token, str) or len(token) < 16):
        got = f"{len(token)} characters" if isinstance(token, str) else type(token).__name__
        raise ValueError(
            "`token` must be a string of at least 16 characters (e.g. "
            f"secrets.token_urlsafe()), got {got}"
        )
    if isinstance(workspace, Workspace):
        opened, location = workspace, workspace.location  # a URL's password is hidden here
    else:
        opened = Workspace(workspace)
        location = os.fspath(workspace) if workspace is not None else opened.location
    url = opened.backend != "sqlite" or "://" in str(location)
    jobs = JobManager(
        opened.artifact_root / "studio" / "jobs",
        str(location),
        artifact_root=opened.artifact_root if url else None,
    )
    app = FastAPI(
        title="openaml studio",
        description="Start automated ML experiments, watch them live, compare runs, and "
        "manage models and datasets of a workspace.",
        version="1",
        docs_url=None,  # served below from the package's files: no CDN
        redoc_url=None,
    )
    _offline_docs(app)
    app.state.studio = StudioContext(
        workspace=opened,
        jobs=jobs,
        templates=_templates(),
        max_upload_bytes=int(limit_mb * 2**20),
        token=token,
    )
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    app.include_router(_api.router)
    app.include_router(_pages.router)
    _errors.install(app)
    app.add_middleware(
        StudioGuard,
        settings=GuardSettings(
            token=token,
            max_upload_bytes=int(limit_mb * 2**20),
            allowed_hosts=None if allowed_hosts is None else frozenset(allowed_hosts),
        ),
    )
    return app

"""How errors reach the user: JSON under ``/api``, an escaped HTML page elsewhere.

A name the store does not know is 404 (the store's message lists what exists), a bad value
is 400 with the message of the layer that refused it, a form value ``AutoMLConfig``
refuses is 422 with its field; the studio keeps serving after any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response

__all__ = ["error_response", "install"]

_TITLES = {400: "Bad request", 404: "Not found", 409: "Conflict", 422: "Check the form"}


def error_response(request: Request, status: int, detail: Any) -> Response:
    """``{"detail": ...}`` for the API, the error page for a page."""
    from fastapi.responses import HTMLResponse, JSONResponse

    if request.url.path.startswith("/api"):
        return JSONResponse({"detail": detail}, status_code=status)
    from automl.studio._app import studio_context

    message = detail.get("message") if isinstance(detail, dict) else detail
    template = studio_context(request).templates.get_template("error.html")
    page = template.render(
        status=status,
        title=_TITLES.get(status, "Error"),
        message=str(message),
        csrf=getattr(request.state, "csrf", ""),
        active="",
    )
    return HTMLResponse(page, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    from starlette.exceptions import HTTPException

    from automl.studio._wizard import SpecError
    from trials import NotFoundError

    async def not_found(request: Request, error: Exception) -> Response:
        return error_response(request, 404, str(error.args[0] if error.args else error))

    async def bad_value(request: Request, error: Exception) -> Response:
        return error_response(request, 400, str(error))

    async def spec_error(request: Request, error: Exception) -> Response:
        spec = cast("SpecError", error)
        return error_response(request, 422, {"field": spec.field, "message": spec.message})

    async def http_error(request: Request, error: Exception) -> Response:
        http = cast("HTTPException", error)
        return error_response(request, http.status_code, http.detail)

    app.add_exception_handler(SpecError, spec_error)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(LookupError, not_found)
    app.add_exception_handler(ValueError, bad_value)
    app.add_exception_handler(HTTPException, http_error)

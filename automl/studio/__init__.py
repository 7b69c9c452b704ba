"""The studio: a local web app over a workspace (``automl studio``).

Start automated ML experiments (each in its own process, with the same controller as the
Python API), watch them live, compare runs in charts, and manage models and datasets.
Needs the ``studio`` extra: ``pip install 'openaml[studio]'``.

Example:
    >>> from automl.studio import create_app  # doctest: +SKIP
    >>> app = create_app("automl_workspace")  # doctest: +SKIP
    >>> with studio_in_background("automl_workspace") as url:  # doctest: +SKIP
    ...     ...  # the real `automl studio`, stopped when the block ends
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl.studio._app import create_app
    from automl.studio._background import studio_in_background

__all__ = ["create_app", "studio_in_background"]


def __getattr__(name: str) -> Any:
    if name == "studio_in_background":
        from automl.studio._background import studio_in_background

        return studio_in_background
    if name == "create_app":
        try:
            from automl.studio._app import create_app
        except ImportError as error:  # fastapi, jinja2 or python-multipart missing
            raise ImportError(
                f"the studio needs the 'studio' extra ({error.name} is missing): "
                "pip install 'openaml[studio]'"
            ) from error
        return create_app
    raise AttributeError(f"module 'automl.studio' has no attribute {name!r}")

"""``load_model``: a registered AutoML model of any task, back from the registry.

Classification and regression experiments register an
:class:`~automl._pipeline.AutoMLPipeline`; forecasting experiments a
:class:`~automl.tasks.forecasting.ForecastingPipeline`. The file's sha256 is checked
before it is deserialised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl._pipeline import AutoMLPipeline
    from automl.tasks.forecasting import ForecastingPipeline

__all__ = ["load_model"]


def load_model(
    workspace: Any, name: str, version: int | str = "latest"
) -> AutoMLPipeline | ForecastingPipeline:
    """Load a registered AutoML model, after checking its file's sha256.

    Args:
        workspace: The :class:`~trials.Workspace` holding the registry.
        name: The registered model's name (an experiment's ``registered_model_name``).
        version: Its version, or ``"latest"``.

    Returns:
        An ``AutoMLPipeline`` (classification, regression) or a ``ForecastingPipeline``.

    Raises:
        trials.NotFoundError: Unknown name or version.
        trials.ArtifactIntegrityError: The stored file was modified since registration.
        TypeError: The registered file is not an AutoML model.

    Example:
        >>> model = load_model(workspace, result.registered_model_name)  # doctest: +SKIP
    """
    import joblib

    from automl._pipeline import AutoMLPipeline
    from automl.tasks.forecasting._pipeline import ForecastingPipeline

    path = workspace.models.path(name, version)
    model = joblib.load(path)
    if not isinstance(model, (AutoMLPipeline, ForecastingPipeline)):
        raise TypeError(
            f"model {name!r} version {version!r} must be an AutoMLPipeline or a "
            f"ForecastingPipeline, got {type(model).__name__}"
        )
    return model

"""What a forecaster is and what it was fitted on: :class:`ForecasterInfo` (capabilities
known without fitting or importing the model's library), :class:`FitContext` (the checked
arguments of ``fit`` and the panel's series), and the quantile-to-interval rule shared by the
models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, get_args

import numpy as np

__all__ = [
    "FitContext",
    "ForecasterInfo",
    "ForecasterKind",
    "MissingDependencyError",
    "NotFittedError",
    "level_for_quantile",
]

ForecasterKind: TypeAlias = Literal["local", "global"]
"""``"local"``: one model per series (statistical models); ``"global"``: one across series."""

_KINDS: tuple[str, ...] = get_args(ForecasterKind)


_PACKAGE_NAMES = {"torch": "PyTorch", "sklearn": "scikit-learn"}


class MissingDependencyError(ImportError):
    """A forecaster whose library is not installed was asked to fit; the message names the
    extra of openaml to install (``pip install 'openaml[torch]'``)."""


class NotFittedError(RuntimeError):
    """A forecaster was asked for forecasts (or fit results) before :meth:`Forecaster.fit`."""


def level_for_quantile(q: float) -> float:
    """The central prediction-interval level (in %) whose lower or upper bound is quantile ``q``.

    ``q`` and ``1 - q`` share a level: the lower bound of the ``100 * (1 - 2q)`` % interval is
    quantile ``q`` (for ``q < 0.5``), its upper bound quantile ``1 - q``. ``q = 0.5`` has level 0
    (the point forecast of a symmetric interval).

    Example:
        >>> level_for_quantile(0.1), level_for_quantile(0.9), level_for_quantile(0.5)
        (80.0, 80.0, 0.0)
    """
    return round(100.0 * (1.0 - 2.0 * min(q, 1.0 - q)), 9)


@dataclass(frozen=True, slots=True)
class ForecasterInfo:
    """What a forecaster is and can do, known without fitting it or importing its library.

    Attributes:
        name: Azure ML's model name where Azure has one (``"Naive"``, ``"SeasonalNaive"``,
            ``"Average"``, ``"SeasonalAverage"``, ``"ExponentialSmoothing"``, ``"AutoArima"``),
            else ours (``"Theta"``).
        kind: ``"local"`` (one model per series) or ``"global"`` (one model across series).
        min_points: The fewest points a series needs to be modelled as itself.
        min_seasons: Whole seasons a series needs for the seasonal form of the model (when the
            seasonality is above 1); a shorter series gets the non-seasonal form, reported.
        supports_quantiles: Whether :meth:`Forecaster.predict` accepts ``quantiles``.
        iterative: Whether training proceeds in chunks of iterations (boosting rounds,
            epochs) that a policy can stop early; statistical models fit in one go.
        requires_seasonality: True for models that are their non-seasonal fallback when the
            seasonality is 1 (SeasonalNaive, SeasonalAverage), so a search can skip them.
        supports_stl: Whether the model takes ``use_stl=True`` (an STL-deseasonalised variant).
        package: The import name of the library the model needs.
        extra: The pip extra of openaml that installs that library, or None for a core
            dependency.
    """

    name: str
    kind: ForecasterKind
    min_points: int = 1
    min_seasons: int = 0
    supports_quantiles: bool = True
    iterative: bool = False
    requires_seasonality: bool = False
    supports_stl: bool = False
    package: str = "statsforecast"
    extra: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"`kind` must be one of {', '.join(_KINDS)}, got {self.kind!r}")
        if self.min_points < 1 or self.min_seasons < 0:
            raise ValueError(
                "`min_points` must be >= 1 and `min_seasons` >= 0, got "
                f"(min_points={self.min_points!r}, min_seasons={self.min_seasons!r})"
            )

    def install_hint(self) -> str:
        """What installs the model's library.

        Example:
            >>> ForecasterInfo("TCN", "global", package="torch", extra="torch").install_hint()
            "PyTorch: pip install 'openaml[torch]'"
        """
        label = _PACKAGE_NAMES.get(self.package, self.package)
        what = f"openaml[{self.extra}]" if self.extra else self.package
        return f"{label}: pip install '{what}'"

    def min_length(self, horizon: int, seasonality: int) -> int:
        """The shortest series modelled as itself, with its seasonality, without a fallback.

        The statistical models' rule does not depend on ``horizon``; global models, whose lags
        and targets reach across the horizon, override :meth:`Forecaster.min_length`.

        Example:
            >>> ForecasterInfo("X", "local", min_points=8, min_seasons=2).min_length(6, 12)
            24
        """
        seasonal = self.min_seasons * seasonality if seasonality > 1 else 0
        return max(self.min_points, seasonal)


@dataclass(frozen=True, slots=True)
class FitContext:
    """What a forecaster was fitted on: the checked arguments of :meth:`Forecaster.fit` and the
    panel's series, in panel order.

    Attributes:
        freq: The pandas offset alias.
        seasonality: Season length in periods (1: none).
        horizon: The most periods :meth:`Forecaster.predict` may be asked for.
        series_ids: Each series' ``unique_id``.
        lengths: Each series' number of rows.
        last_ds: Each series' last timestamp (a ``pandas.DatetimeIndex``).
    """

    freq: str
    seasonality: int
    horizon: int
    series_ids: np.ndarray
    lengths: np.ndarray
    last_ds: Any

    @property
    def starts(self) -> np.ndarray:
        """Each series' first row in the panel."""
        starts: np.ndarray = np.r_[0, np.cumsum(self.lengths)[:-1]]
        return starts

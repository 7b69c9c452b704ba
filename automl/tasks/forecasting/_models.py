"""The forecasting model catalogue: which models a forecasting search may use, by name.

Two families, named as Azure names its forecasting models:

- **Statistical** forecasters of :mod:`forecasting.models` (``Naive``, ``SeasonalNaive``,
  ``Average``, ``SeasonalAverage``, ``Theta``, ``ExponentialSmoothing``, ``AutoArima``), each
  per series, plus their STL variants (``STL-Theta``, ...) when ``use_stl`` is set.
- **Global regressors**: a regression learner of the model zoo (``LightGBM``,
  ``ElasticNet``, ``RandomForest``, ...) trained across all series by
  :class:`forecasting.models.GlobalRegressionForecaster` on lag, window, calendar, holiday and
  Fourier features (Azure forecasts with its regression learners the same way). The default
  search uses :data:`DEFAULT_REGRESSORS`; any regression learner may be named in
  ``allowed_models``.

A child's parameters are ``{"learner": <model name>, "hyperparameters": {...}}``; a global
regressor's hyperparameters hold the forecaster's own (``strategy``, ``scaling``,
``calendar``, ``fourier``) and the learner's under ``"regressor"``. :func:`build_forecaster`
turns them into an unfitted :class:`~forecasting.models.Forecaster`.

Importing this module imports no learning library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from automl.learners import LEARNERS, get_learner, learner_names
from forecasting.models import FORECASTERS, GlobalRegressionForecaster, get_forecaster

if TYPE_CHECKING:
    from forecasting.models import Forecaster
    from search_spaces import SearchSpace

__all__ = [
    "DEFAULT_REGRESSORS",
    "GlobalSettings",
    "ModelPlan",
    "build_forecaster",
    "canonical_model",
    "forecast_model_names",
    "is_regressor",
    "model_cost",
    "model_defaults",
    "model_space",
    "plan_models",
]

GLOBAL = GlobalRegressionForecaster.info.name
STL_PREFIX = "STL-"
DEFAULT_REGRESSORS: tuple[str, ...] = ("LightGBM", "ElasticNet", "RandomForest")
"""The zoo learners a default forecasting search trains as global regressors."""
FIRST_CONFIG_CAPS: dict[str, dict[str, float]] = {
    "LightGBM": {"learning_rate": 0.05, "n_estimators": 1000},
    "RandomForest": {"n_estimators": 100},
}
"""Where the zoo's first portfolio configuration is sized for one tabular fit, the first
configuration a forecasting search tries is cut to these values (a learning rate is raised
to it, a count lowered): a global model is fitted on every row of every series, twice (the
holdout calibration), before the refit. On m4_hourly (330k rows, 2 cores) LightGBM's first
portfolio configuration (4600 rounds at 0.0217) took ~200 s a fit for a test MASE of 0.814;
1000 rounds at 0.05 took ~17 s for 0.839. A forest gains little past 100 trees."""
_REFERENCE_LEARNER = "GradientBoosting"  # the regressor GlobalRegressionForecaster.cost counts
_CALENDAR_FEATURES = 6


def _key(name: str) -> str:
    return "".join(char for char in name.lower() if char not in "_- ")


NEURAL = ("TCN",)
"""Forecasters that are neural networks: searched by default only with ``enable_dnn``, and
the ones a child given a GPU (``gpus_per_iteration``) trains on it."""


def statistical_names() -> tuple[str, ...]:
    """The statistical forecasters, in default order."""
    return tuple(name for name in FORECASTERS if name != GLOBAL)


def stl_names() -> tuple[str, ...]:
    """The STL variants of the statistical forecasters that offer one."""
    return tuple(
        STL_PREFIX + name for name in statistical_names() if FORECASTERS[name].info.supports_stl
    )


def regressor_names() -> tuple[str, ...]:
    """Every regression learner of the zoo (installed or not)."""
    return learner_names("regression")


def forecast_model_names() -> tuple[str, ...]:
    """Every model name a forecasting search knows: statistical, STL variants, regressors.

    Example:
        >>> forecast_model_names()[:3]
        ('Naive', 'SeasonalNaive', 'Average')
    """
    return (*statistical_names(), *stl_names(), *regressor_names())


def is_regressor(name: str) -> bool:
    """Whether ``name`` (canonical) is a zoo learner trained as a global regressor."""
    return name in LEARNERS


def canonical_model(name: object, field_name: str = "allowed_models") -> str:
    """The canonical name of a forecasting model (case, ``_``, ``-`` and spaces ignored).

    Raises:
        ValueError: Not a forecasting model; the message lists the valid names.

    Example:
        >>> canonical_model("light_gbm"), canonical_model("stl_theta")
        ('LightGBM', 'STL-Theta')
    """
    known = {_key(model): model for model in forecast_model_names()}
    if isinstance(name, str) and _key(name) in known:
        return known[_key(name)]
    import difflib

    close = (
        difflib.get_close_matches(_key(name), list(known), n=1, cutoff=0.6)
        if isinstance(name, str)
        else []
    )
    hint = f" (did you mean {known[close[0]]!r}?)" if close else ""
    raise ValueError(
        f"`{field_name}` contains {name!r}, which is not a forecasting model{hint}. Valid for "
        f"forecasting: {', '.join(forecast_model_names())}"
    )


@dataclass(frozen=True)
class ModelPlan:
    """The models a forecasting search uses, and those left out with the reason."""

    names: tuple[str, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)


def plan_models(
    allowed: Sequence[str] | None,
    blocked: Iterable[str],
    *,
    use_stl: bool,
    seasonality: int | None,
    enable_dnn: bool = False,
) -> ModelPlan:
    """The models to search, from ``allowed_models`` / ``blocked_models`` (canonical names).

    Without ``allowed_models``: every statistical forecaster, the STL variants when
    ``use_stl``, :data:`DEFAULT_REGRESSORS`, and the neural networks (:data:`NEURAL`: the TCN)
    only with ``enable_dnn`` (Azure's rule: TCNForecaster needs ``enable_dnn=True``). With a
    known ``seasonality`` of 1 the models that need a season (SeasonalNaive, SeasonalAverage,
    the STL variants) are left out: they would repeat their non-seasonal forms. Regressors
    and forecasters (the TCN without PyTorch) whose library is missing are left out (named in
    ``skipped``) unless named in ``allowed_models``, where they raise.

    Raises:
        ValueError: Nothing left to search.
        MissingDependencyError: An allowed model's library is not installed.
    """
    blocked_set = set(blocked)
    if allowed is None:
        candidates = [*statistical_names(), *(stl_names() if use_stl else ()), *DEFAULT_REGRESSORS]
    else:
        candidates = list(dict.fromkeys(allowed))
    names: list[str] = []
    skipped: dict[str, str] = {}
    for name in candidates:
        if name in blocked_set:
            continue
        if allowed is None and name in NEURAL and not enable_dnn:
            skipped[name] = "a neural network: set enable_dnn=True to search it"
            continue
        if is_regressor(name):
            if not LEARNERS[name].available():
                if allowed is not None:
                    LEARNERS[name].require()
                skipped[name] = f"not installed; {name} needs {LEARNERS[name].info.install_hint()}"
                continue
        elif not (forecaster := FORECASTERS[name.removeprefix(STL_PREFIX)]).available():
            hint = forecaster.info.install_hint()
            if allowed is not None:
                from automl.learners import MissingDependencyError

                raise MissingDependencyError(f"`allowed_models`: {name} needs {hint}")
            skipped[name] = f"not installed; {name} needs {hint}"
            continue
        elif seasonality == 1 and _needs_season(name):
            skipped[name] = "needs a seasonality above 1; the data's seasonality is 1"
            continue
        names.append(name)
    if not names:
        reasons = "".join(f"; {name}: {why}" for name, why in skipped.items())
        raise ValueError(
            f"every model is blocked: no forecasting model of {', '.join(candidates)} is left "
            f"to search (`blocked_models`{reasons}); allow or unblock another"
        )
    return ModelPlan(tuple(names), skipped)


def _needs_season(name: str) -> bool:
    if name.startswith(STL_PREFIX):
        return True
    return FORECASTERS[name].info.requires_seasonality


@dataclass(frozen=True)
class GlobalSettings:
    """What a global regressor takes from the forecasting parameters and the data.

    Attributes:
        target_lags: ``"auto"`` or the lags of the target.
        rolling_windows: ``"auto"`` or the rolling window lengths.
        holidays_country: The holiday calendar (``country_or_region_for_holidays``).
        known_covariates: Numeric covariates known at forecast time.
        seed: Seed of the regressor.
        n_jobs: Threads of the regressor.
    """

    target_lags: Literal["auto"] | tuple[int, ...] = "auto"
    rolling_windows: Literal["auto"] | tuple[int, ...] = "auto"
    holidays_country: str | None = None
    known_covariates: tuple[str, ...] = ()
    seed: int = 0
    n_jobs: int = 1

    def lags(self, seasonality: int, freq: str | None = None) -> tuple[int, ...]:
        """The target lags (``"auto"`` resolved for the seasonality and frequency)."""
        from forecasting.models._global import auto_target_lags

        if self.target_lags == "auto":
            return tuple(auto_target_lags(seasonality, freq))
        return self.target_lags

    def n_features(self, seasonality: int, freq: str | None = None) -> int:
        """About how many features the regressor sees (for its search space and cost)."""
        from forecasting.models._global import auto_fourier, auto_rolling_windows

        lags = self.lags(seasonality, freq)
        windows = (
            auto_rolling_windows(seasonality)
            if self.rolling_windows == "auto"
            else self.rolling_windows
        )
        fourier = 2 * sum(order for _, order in auto_fourier(seasonality))
        return (
            len(lags)
            + 3 * len(windows)
            + fourier
            + _CALENDAR_FEATURES
            + len(self.known_covariates)
            + (1 if self.holidays_country else 0)
        )

    def lookback(self, seasonality: int, freq: str | None = None) -> int:
        """The longest lag or window (rows of a series before its first training row)."""
        from forecasting.models._global import auto_rolling_windows

        lags = self.lags(seasonality, freq)
        windows = (
            auto_rolling_windows(seasonality)
            if self.rolling_windows == "auto"
            else self.rolling_windows
        )
        return int(max([*lags, *windows]))


@dataclass(frozen=True)
class PanelSize:
    """The size of a training panel (one fold's), for spaces and costs."""

    n_series: int
    n_rows: int
    horizon: int
    seasonality: int
    freq: str | None = None

    def regression_rows(self, settings: GlobalSettings) -> int:
        """Rows a global regressor trains on: each series less its lookback."""
        lookback = settings.lookback(self.seasonality, self.freq)
        return max(self.n_rows - self.n_series * lookback, self.n_series, 1)

    def n_features(self, settings: GlobalSettings) -> int:
        """Features a global regressor sees (at least 1)."""
        return max(1, settings.n_features(self.seasonality, self.freq))


def _global_forecaster(hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in hyperparameters.items() if key != "regressor"}


def model_space(name: str, size: PanelSize, settings: GlobalSettings) -> dict[str, Any]:
    """The search space of model ``name`` as a ``choice`` option: ``{"learner": name, ...}``."""
    from search_spaces import choice

    if not is_regressor(name):
        return {"learner": name, **dict(get_forecaster(name).search_space())}
    learner = get_learner(name)
    space: SearchSpace = learner.search_space(
        "regression",
        n_rows=size.regression_rows(settings),
        n_features=size.n_features(settings),
    )
    return {
        "learner": name,
        **dict(GlobalRegressionForecaster().search_space()),
        "regressor": choice(dict(space)),
    }


def model_defaults(name: str, size: PanelSize, settings: GlobalSettings) -> list[dict[str, Any]]:
    """Strong configurations of ``name``, best first (each inside :func:`model_space`).

    A statistical forecaster's own defaults; a regressor's first portfolio configuration
    under the global forecaster's first default (recursive).
    """
    if not is_regressor(name):
        return [dict(config) for config in get_forecaster(name).defaults()]
    learner = get_learner(name)
    portfolio = learner.portfolio(
        "regression",
        n_rows=size.regression_rows(settings),
        n_features=size.n_features(settings),
    )
    first = GlobalRegressionForecaster().defaults()[0]
    return [{**first, "regressor": _capped(portfolio[0], FIRST_CONFIG_CAPS.get(name, {}))}]


def _capped(config: Mapping[str, Any], caps: Mapping[str, float]) -> dict[str, Any]:
    """``config`` with ``learning_rate`` raised and counts lowered to ``caps``."""
    capped = dict(config)
    for key, cap in caps.items():
        if key not in capped:
            continue
        raise_it = key == "learning_rate"
        capped[key] = (
            max(capped[key], cap) if raise_it else min(capped[key], type(capped[key])(cap))
        )
    return capped


def model_cost(
    name: str, hyperparameters: Mapping[str, Any], size: PanelSize, settings: GlobalSettings
) -> float:
    """Counted work of fitting and forecasting one panel of ``size`` (never a timing).

    A global regressor costs what the global forecaster counts for its reference regressor
    (histogram gradient boosting), scaled by the learner's cost relative to that reference.
    """
    kwargs = {
        "n_series": size.n_series,
        "n_rows": max(size.n_rows, 1),
        "horizon": size.horizon,
        "seasonality": size.seasonality,
    }
    if not is_regressor(name):
        return float(get_forecaster(name, **hyperparameters).cost(**kwargs))
    forecaster = GlobalRegressionForecaster(**_global_forecaster(hyperparameters))
    rows = size.regression_rows(settings)
    features = size.n_features(settings)
    learner = get_learner(name)
    reference = get_learner(_REFERENCE_LEARNER)
    own = learner.cost(
        dict(hyperparameters.get("regressor") or {}), n_rows=rows, n_features=features
    )
    base = reference.cost({}, n_rows=rows, n_features=features)
    ratio = own / base if base > 0 and math.isfinite(own) else 1.0
    return float(forecaster.cost(**kwargs) * ratio)


def build_forecaster(
    name: str, hyperparameters: Mapping[str, Any], settings: GlobalSettings
) -> Forecaster:
    """The unfitted forecaster of a child (see the module docstring).

    Example:
        >>> build_forecaster("SeasonalAverage", {"window_seasons": 2}, GlobalSettings())
        SeasonalAverage(window_seasons=2)
    """
    if not is_regressor(name):
        own = FORECASTERS[name.removeprefix(STL_PREFIX)].param_defaults
        seeded = {"seed": settings.seed, "n_jobs": settings.n_jobs} if "seed" in own else {}
        return get_forecaster(name, **seeded, **dict(hyperparameters))
    from automl.tasks.forecasting._regressor import ZooRegressor

    regressor = ZooRegressor(
        name,
        dict(hyperparameters.get("regressor") or {}),
        seed=settings.seed,
        n_jobs=settings.n_jobs,
    )
    own = _global_forecaster(hyperparameters)
    return GlobalRegressionForecaster(
        regressor=regressor,
        target_lags=(
            settings.target_lags if settings.target_lags == "auto" else list(settings.target_lags)
        ),
        rolling_windows=(
            settings.rolling_windows
            if settings.rolling_windows == "auto"
            else list(settings.rolling_windows)
        ),
        holidays_country=settings.holidays_country,
        known_covariates=settings.known_covariates,
        **own,
    )

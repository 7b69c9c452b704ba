"""The ``forecasting:`` section of a v2 AutoML job, and forecasting's algorithm names.

The section holds Azure's v2 ``ForecastingSettings`` keys, mapped to the fields of
:class:`forecasting.ForecastingParameters` by its one table, :data:`forecasting._parameters.
V2_NAMES` (``frequency`` -> ``freq``, ``short_series_handling_config`` ->
``short_series_handling_configuration``, ``target_aggregate_function`` ->
``target_aggregation_function``; the other names are the same)::

    task: forecasting
    target_column_name: sales
    forecasting:
      time_column_name: date
      forecast_horizon: 14
      time_series_id_column_names: [store]
      country_or_region_for_holidays: AU

An unknown key is an error listing the valid keys (a Python name gets its YAML name as the
hint); a bad value is an error naming ``forecasting.<key>``. Writing a config back gives
``time_column_name`` and every setting that differs from its default.

``training.allowed_training_algorithms`` of a forecasting job names forecasting models in the
v2 spelling (``auto_arima``, ``exponential_smoothing``, ``seasonal_naive``, ``theta``,
``stl_theta``, and the regressors ``light_gbm``, ``elastic_net``, ...); Azure's ``prophet``
and ``arimax`` are models openaml does not provide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from automl import _yaml_values as values
from automl._config_checks import closest, describe
from automl._yaml_values import AutoMLJobError, camel_to_snake, check_keys, fold, mapping

if TYPE_CHECKING:
    from forecasting import ForecastingParameters

__all__ = [
    "AZURE_ONLY_FORECAST_MODELS",
    "SECTION",
    "read_algorithms",
    "read_forecast_algorithms",
    "read_forecasting",
    "reader",
    "v2_key",
    "write_algorithms",
    "write_forecast_algorithms",
    "write_forecasting",
    "writer",
]

SECTION = "forecasting"
AZURE_ONLY_FORECAST_MODELS: tuple[str, ...] = ("prophet", "arimax", "tcn_forecaster")
"""v2 forecasting algorithms Azure has and openaml does not (unless a model of that name is
registered: the TCN forecaster comes with ``openaml[torch]``)."""
_BACKTICKED = re.compile(r"`([A-Za-z_]+)`")


def _v2_names() -> Mapping[str, str]:
    from forecasting._parameters import V2_NAMES

    return V2_NAMES


def read_forecasting(value: object, where: str = SECTION) -> ForecastingParameters:
    """The ``forecasting:`` section as :class:`~forecasting.ForecastingParameters`.

    Raises:
        AutoMLJobError: Not a mapping, an unknown key (the valid ones listed), no
            ``time_column_name``, or a bad value (named ``forecasting.<key>``).
    """
    from forecasting import ForecastingError, ForecastingParameters

    names = _v2_names()
    section = mapping(value, where, "write time_column_name, forecast_horizon, ... under it")
    hints = {
        python: f"that is the Python name; the YAML key is `{v2}`"
        for v2, python in names.items()
        if python != v2
    }
    check_keys(section, list(names), where, hints)
    if section.get("time_column_name") is None:
        raise AutoMLJobError(
            f"`{where}.time_column_name` is required: the column of timestamps (a forecasting "
            "job needs it)"
        )
    kwargs = {names[key]: item for key, item in section.items()}
    try:
        return ForecastingParameters(**kwargs)
    except (ForecastingError, TypeError, ValueError) as error:
        raise AutoMLJobError(_in_yaml_words(str(error), where)) from None


def v2_key(python: str) -> str:
    """The v2 key of a ForecastingParameters field (``freq`` -> ``frequency``)."""
    return {p: v2 for v2, p in _v2_names().items()}.get(python, python)


def _in_yaml_words(message: str, where: str) -> str:
    """A ForecastingParameters message with its field names as ``forecasting.<v2 key>``."""
    v2_of = {python: v2 for v2, python in _v2_names().items()}
    v2_of.setdefault("frequency", "frequency")

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"`{where}.{v2_of[name]}`" if name in v2_of else match.group(0)

    return _BACKTICKED.sub(swap, message)


def write_forecasting(params: ForecastingParameters) -> dict[str, Any]:
    """The section of ``params``: ``time_column_name`` and every non-default setting."""
    from forecasting import ForecastingParameters

    written = params.to_dict()
    defaults = ForecastingParameters(params.time_column_name).to_dict()
    return {
        key: value
        for key, value in written.items()
        if key == "time_column_name" or value != defaults[key]
    }


def _model_by_fold() -> dict[str, str]:
    from automl.tasks.forecasting import forecast_model_names

    return {fold(write_forecast_algorithm(name)): name for name in forecast_model_names()}


def write_forecast_algorithm(name: str) -> str:
    """A forecasting model's v2 spelling: ``AutoArima`` -> ``auto_arima``, ``STL-Theta`` ->
    ``stl_theta``, ``LightGBM`` -> ``light_gbm``."""
    if name.startswith("STL-"):
        return "stl_" + camel_to_snake(name[len("STL-") :])
    return camel_to_snake(name)


def write_forecast_algorithms(names: Sequence[str]) -> list[str]:
    """Forecasting model names in their v2 spelling."""
    return [write_forecast_algorithm(name) for name in names]


def read_forecast_algorithms(
    value: object, where: str, notices: list[str], *, blocking: bool
) -> list[str]:
    """v2 forecasting algorithm names -> openaml's model names.

    An Azure model openaml lacks is an error when allowed and dropped with a notice when
    blocked (blocking it changes nothing).
    """
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise AutoMLJobError(f"`{where}` must be a list of algorithm names, got {describe(value)}")
    known = _model_by_fold()
    valid = [write_forecast_algorithm(name) for name in known.values()]
    azure_only = {fold(name): name for name in AZURE_ONLY_FORECAST_MODELS}
    names: list[str] = []
    for item in value:
        key = fold(item) if isinstance(item, str) else ""
        if key in known:
            names.append(known[key])
        elif key in azure_only and blocking:
            notices.append(
                f"`{where}`: {item!r} is an Azure model that openaml does not provide; "
                "blocking it changes nothing"
            )
        elif key in azure_only:
            raise AutoMLJobError(
                f"`{where}` contains {item!r}, an Azure forecasting model that openaml does "
                f"not provide; valid: {', '.join(valid)}"
            )
        else:
            raise AutoMLJobError(
                f"`{where}` contains unknown forecasting algorithm {describe(item)}"
                f"{closest(str(item), valid)}; valid: {', '.join(valid)}"
            )
    return names


def _forecasting(task: object) -> bool:
    return isinstance(task, str) and task.strip().lower() == "forecasting"


def read_algorithms(
    value: object, task: object, where: str, notices: list[str], *, blocking: bool
) -> list[str]:
    """``training.*_training_algorithms`` for ``task``: forecasting models for forecasting,
    the tabular learners otherwise."""
    if _forecasting(task):
        return read_forecast_algorithms(value, where, notices, blocking=blocking)
    return values.read_algorithms(value, where, notices, blocking=blocking)


def write_algorithms(names: Sequence[str], task: object) -> list[str]:
    """Model names of ``task`` in their v2 spelling."""
    if _forecasting(task):
        return write_forecast_algorithms(names)
    return values.write_algorithms(names)


def reader(value: Any, context: Any, where: str) -> ForecastingParameters:
    """The table's reader of the ``forecasting`` key (:func:`read_forecasting`)."""
    return read_forecasting(value, where)


def writer(value: Any, context: Any, where: str) -> dict[str, Any]:
    """The table's writer of ``forecasting_parameters`` (:func:`write_forecasting`)."""
    return write_forecasting(value)

"""The public names of each package: a change here is a change of the public API, on purpose."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_API: dict[str, set[str]] = {
    "search_spaces": {
        "BayesianSampler", "Choice", "Constant", "Distribution", "Expression", "Goal",
        "GridSampler", "LogNormal", "LogUniform", "Normal", "QLogNormal", "QLogUniform",
        "QNormal", "QUniform", "RandInt", "RandomSampler", "Sampler", "SearchExhaustedError",
        "SearchSpace", "SearchSpaceError", "TrialState", "Uniform", "choice", "flatten_params",
        "lognormal", "loguniform", "make_sampler", "normal", "parse_search_space", "qlognormal",
        "qloguniform", "qnormal", "quniform", "randint", "uniform",
    },
    "trials": {
        "ArtifactIntegrityError", "ArtifactRecord", "AshaPolicy", "BanditPolicy",
        "CommandTarget", "DatasetRegistry", "DatasetVersion", "EarlyTerminationPolicy",
        "Executor", "Experiment", "LocalExecutor", "MedianStoppingPolicy", "ModelRegistry",
        "ModelVersion", "NoTerminationPolicy", "NotFoundError", "RayExecutor", "Resources", "Run",
        "RunStatus",
        "StatusChange", "StoreError", "StoreWriter", "TrialContext", "TruncationSelectionPolicy",
        "Workspace", "WorkspaceVersionError", "make_policy",
        "BestTrial", "CommandTemplate", "Controller", "ControllerOptions", "ExperimentConfigError",
        "ExperimentInUseError", "FunctionTarget", "Limits", "Objective", "SamplerSearcher",
        "Searcher", "Sweep", "SweepResult", "TrialOutcome", "TrialRequest", "TrialTarget",
        "SweepJob", "SweepJobError", "load_sweep_job", "parse_sweep_job",
    },
    "automl": {
        "__version__", "AutoMLConfig", "AutoMLConfigError", "AutoMLResult", "AutoMLPipeline",
        "load_model", "AutoMLJob", "AutoMLJobError", "load_automl_job", "load_training_data",
    },
    "featurization": {
        "Adapter", "AdapterKind", "BLOCKABLE_TRANSFORMERS", "BaseRepresentation", "ColumnPurpose",
        "ColumnPurposeInfo", "FeaturizationConfig", "FeaturizationError", "Featurizer",
        "Guardrail", "GuardrailReport", "GuardrailStatus", "HashOneHotEncoderParams",
        "ImputerParams", "PurposeThresholds", "TargetEncoderParams", "TfIdfParams",
        "drop_missing_target", "infer_column_purposes", "make_adapter", "resolve_featurization",
        "run_guardrails",
    },
    "forecasting": {
        "FORECAST_METRICS", "FeatureBuilder", "Fold", "ForecastingError",
        "ForecastingParameters", "METRIC_GOALS", "PreparedPanel", "SeriesScaler",
        "canonical_freq", "forecast_metrics", "infer_panel_freq", "infer_series_freq",
        "minimum_series_length", "owa", "prepare_future", "prepare_panel",
        "rolling_origin_folds", "score_forecast", "seasonality_for",
    },
}  # fmt: skip


@pytest.mark.parametrize("package", sorted(PUBLIC_API))
def test_public_names_are_pinned(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC_API[package]
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{package}.__all__ names what it does not define: {missing}"

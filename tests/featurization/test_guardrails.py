"""Data guardrails: each status on a crafted case, and the report's forms."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from featurization import (
    FeaturizationConfig,
    FeaturizationError,
    Guardrail,
    GuardrailReport,
    GuardrailStatus,
    infer_column_purposes,
    run_guardrails,
)

PASSED, DONE, ALERTED = GuardrailStatus.PASSED, GuardrailStatus.DONE, GuardrailStatus.ALERTED
GB = 1 << 30


def clean(n: int = 100) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(list("abc"), n)})


def statuses(report: GuardrailReport) -> dict[str, GuardrailStatus]:
    return {guardrail.name: guardrail.status for guardrail in report}


def test_clean_data_passes_everything() -> None:
    report = run_guardrails(clean(), [0, 1] * 50, task="classification", available_memory=GB)
    assert statuses(report) == {
        "Missing target values": PASSED,
        "Class balancing detection": PASSED,
        "Missing feature values imputation": PASSED,
        "High cardinality feature detection": PASSED,
        "Memory issues detection": PASSED,
    }
    assert not report.alerted


def test_missing_labels_are_done() -> None:
    y = pd.Series([1.0, None, 3.0, None] * 25)
    report = run_guardrails(clean(), y, task="regression", available_memory=GB)
    guardrail = report["Missing target values"]
    assert guardrail.status is DONE
    assert guardrail.details == ({"rows dropped": 50, "rows kept": 50},)
    assert "Class balancing detection" not in statuses(report)


@pytest.mark.parametrize(
    ("labels", "status", "text"),
    [
        (["a"] * 85 + ["b"] * 15, ALERTED, "under 20% of the rows of the largest"),
        (["a"] * 80 + ["b"] * 20, PASSED, "balanced"),
        (["a"] * 100, ALERTED, "Only 1 class"),
        (["a"] * 6 + ["b"] * 6 + [None] * 88, ALERTED, "has only 6 rows"),
    ],
)
def test_class_balancing(labels: list[str | None], status: GuardrailStatus, text: str) -> None:
    report = run_guardrails(clean(), labels, task="classification", available_memory=GB)
    guardrail = report["Class balancing detection"]
    assert guardrail.status is status and text in guardrail.description
    assert {row["class"] for row in guardrail.details} <= {"a", "b"}


def test_missing_feature_values_are_done_with_the_handling() -> None:
    frame = clean()
    frame.loc[:9, "x"] = np.nan
    frame.loc[:4, "c"] = None
    frame["empty"] = np.nan
    config = FeaturizationConfig(transformer_params={"Imputer": {"strategy": "median"}})
    report = run_guardrails(frame, [0, 1] * 50, task="classification", config=config)
    guardrail = report["Missing feature values imputation"]
    assert guardrail.status is DONE
    rows = {row["column"]: row for row in guardrail.details}
    assert rows["x"]["missing"] == 10 and rows["x"]["share"] == "10.0%"
    assert rows["x"]["handling"] == "filled with the median, plus a missing-value indicator"
    assert rows["c"]["handling"] == "kept as a missing category (code -1)"
    assert rows["empty"]["handling"] == "column dropped: every value is missing"


def test_high_cardinality_is_done_or_alerted() -> None:
    rng = np.random.default_rng(1)
    frame = clean(300).assign(city=[f"c{k}" for k in rng.integers(0, 200, 300)], row=np.arange(300))
    report = run_guardrails(frame, [0, 1] * 150, task="classification", available_memory=GB)
    guardrail = report["High cardinality feature detection"]
    assert guardrail.status is DONE
    rows = {row["column"]: row["handling"] for row in guardrail.details}
    assert rows == {"city": "hashed into 1024 buckets", "row": "dropped: an identifier"}
    target = FeaturizationConfig(high_cardinality_encoding="target")
    report = run_guardrails(frame, [0, 1] * 150, task="classification", config=target)
    assert report["High cardinality feature detection"].details[0]["handling"] == (
        "target encoded (out of fold)"
    )
    forced = FeaturizationConfig(column_purposes={"city": "Categorical"})
    report = run_guardrails(frame, [0, 1] * 150, task="classification", config=forced)
    assert report["High cardinality feature detection"].status is ALERTED
    assert report.alerted == [report["High cardinality feature detection"]]


def test_memory_is_alerted_when_the_data_is_large_for_the_machine() -> None:
    report = run_guardrails(clean(), [0, 1] * 50, task="classification", available_memory=1000)
    guardrail = report["Memory issues detection"]
    assert guardrail.status is ALERTED and "available" in guardrail.description
    assert guardrail.details[0]["available"] == "1000 B"
    found = run_guardrails(clean(), [0, 1] * 50, task="classification")
    assert found["Memory issues detection"].details[0]["available"] != "unknown"


def test_validation_choice_is_reported_and_purposes_can_be_reused() -> None:
    frame = clean()
    purposes = infer_column_purposes(frame)
    report = run_guardrails(
        frame,
        [0, 1] * 50,
        task="classification",
        purposes=purposes,
        validation="10-fold cross validation: fewer than 1,000 rows",
    )
    first = next(iter(report))
    assert first.name == "Validation split handling" and first.status is DONE
    assert "10-fold" in first.description


def test_report_serialises_and_prints() -> None:
    frame = clean()
    frame.loc[:2, "x"] = np.nan
    report = run_guardrails(frame, ["a"] * 90 + ["b"] * 10, task="classification")
    data = json.loads(json.dumps(report.to_dict()))
    assert GuardrailReport.from_dict(data) == report
    text = str(report)
    assert "[Alerted] Class balancing detection" in text and "[Done] Missing feature" in text
    rich = pytest.importorskip("rich.console")
    console = rich.Console(record=True, width=160)
    console.print(report)
    assert "Class balancing detection" in console.export_text()
    with pytest.raises(KeyError, match="no guardrail named 'Nope'"):
        report["Nope"]
    with pytest.raises(FeaturizationError, match=r"GuardrailReport\.to_dict"):
        GuardrailReport.from_dict({"guardrails": [{"name": "x", "status": "Fine"}]})
    assert len(report) == len(data["guardrails"])
    assert Guardrail("n", PASSED, "d").to_dict()["status"] == "Passed"


def test_guardrail_errors() -> None:
    with pytest.raises(FeaturizationError, match=r"one label per row of X \(100\), got 3"):
        run_guardrails(clean(), [1, 2, 3], task="regression")
    with pytest.raises(FeaturizationError, match=r"`task` must be one of"):
        run_guardrails(clean(), [0] * 100, task="ranking")
    with pytest.raises(FeaturizationError, match="at least one row"):
        run_guardrails(clean().iloc[:0], [], task="regression")
    with pytest.raises(FeaturizationError, match="`min_class_rows` must be an integer"):
        run_guardrails(clean(), [0] * 100, task="classification", min_class_rows=2.5)  # type: ignore[arg-type]

"""`fit(show_output=...)`: progress like a sweep's, plain lines when the output is not a TTY."""

from __future__ import annotations

from pathlib import Path

import pytest

from automl._config import AutoMLConfig
from tests.automl.experiment.test_errors import tiny


def test_fit_shows_plain_progress_lines_when_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = AutoMLConfig(
        "classification",
        training_data=tiny(),
        label_column_name="y",
        max_trials=2,
        allowed_models=["DecisionTree", "LogisticRegression"],
        enable_voting_ensemble=False,
        enable_stack_ensemble=False,
        workspace=str(tmp_path / "ws"),
        experiment_name="progress",
    )
    result = config.fit()  # show_output=True by default, as Azure's submit(show_output=True)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("trial ")]
    assert len(lines) == len(result.leaderboard) == 2
    assert all("completed" in line and "accuracy=" in line and "best=" in line for line in lines)
    assert "\x1b[" not in out  # no terminal control codes in a pipe

    again = AutoMLConfig.from_dict(
        config.to_dict(), training_data=config.training_data, max_trials=3
    )
    again.fit(show_output=False)
    assert capsys.readouterr().out == ""

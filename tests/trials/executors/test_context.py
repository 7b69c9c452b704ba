"""TrialContext and trials.report on their own (no worker process)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from trials import report
from trials._context import Decision, TrialContext, check_metrics

pytestmark = pytest.mark.timeout(60)


class FakeLink:
    """Records what the context sends; hands out queued decisions."""

    def __init__(self, decisions: list[Decision] | None = None) -> None:
        self.reports: list[tuple[int, dict[str, float], bool]] = []
        self.artifacts: list[tuple[str, str, int]] = []
        self.decisions = list(decisions or [])

    def send_report(self, step: int, metrics: dict[str, float], awaits_decision: bool) -> None:
        self.reports.append((step, metrics, awaits_decision))

    def send_artifact(self, name: str, path: str, size: int) -> None:
        self.artifacts.append((name, path, size))

    def next_decision(self, block: bool) -> Decision | None:
        if self.decisions:
            return self.decisions.pop(0)
        if block:
            raise AssertionError("would block forever")
        return None


def context(tmp_path: Path, link: FakeLink, deterministic: bool = False) -> TrialContext:
    return TrialContext(
        run_id="r1",
        index=0,
        params={"lr": 0.1},
        artifact_dir=tmp_path / "r1",
        deterministic=deterministic,
        link=link,
    )


def test_steps_count_up_when_omitted(tmp_path: Path) -> None:
    link = FakeLink()
    ctx = context(tmp_path, link)
    ctx.report(loss=1)
    ctx.report(step=5, loss=0.5)
    ctx.report(loss=0.25)
    assert [(s, m) for s, m, _ in link.reports] == [
        (1, {"loss": 1.0}),
        (5, {"loss": 0.5}),
        (6, {"loss": 0.25}),
    ]
    assert all(type(v) is float for _, m, _ in link.reports for v in m.values())


@pytest.mark.parametrize(
    ("step", "metrics", "error", "message"),
    [
        (
            None,
            {"loss": math.nan},
            ValueError,
            r"metric 'loss' in report\(\) must be a finite number, got nan",
        ),
        (None, {"loss": math.inf}, ValueError, r"must be a finite number, got inf"),
        (
            None,
            {"loss": "0.3"},
            TypeError,
            r"metric 'loss' in report\(\) must be a real number, got '0.3' \(str\)",
        ),
        (None, {"ok": True}, TypeError, r"must be a real number, got True \(bool\)"),
        (None, {}, ValueError, r"report\(\) needs at least one metric"),
        (1.5, {"loss": 1.0}, TypeError, r"`step` must be an integer, got 1.5"),
        (-1, {"loss": 1.0}, ValueError, r"`step` must be >= 0, got -1"),
    ],
)
def test_bad_reports(
    tmp_path: Path, step: object, metrics: dict[str, object], error: type[Exception], message: str
) -> None:
    link = FakeLink()
    with pytest.raises(error, match=message):
        context(tmp_path, link).report(step, **metrics)  # type: ignore[arg-type]
    assert link.reports == []


def test_steps_must_increase(tmp_path: Path) -> None:
    ctx = context(tmp_path, FakeLink())
    ctx.report(step=3, loss=1.0)
    with pytest.raises(ValueError, match=r"`step` must be greater than the previous step 3, got 3"):
        ctx.report(step=3, loss=1.0)


def test_metric_names_must_be_strings() -> None:
    with pytest.raises(
        TypeError, match=r"metric names in the returned dict must be strings, got 1"
    ):
        check_metrics({1: 0.5}, "the returned dict")


def test_numpy_like_scalars_are_accepted() -> None:
    class Scalar:
        def __float__(self) -> float:
            return 0.5

    assert check_metrics({"loss": Scalar()}, "report()") == {"loss": 0.5}


def test_deterministic_report_blocks_until_its_answer(tmp_path: Path) -> None:
    link = FakeLink([Decision(1, False, None)])
    ctx = context(tmp_path, link, deterministic=True)
    ctx.report(loss=1.0)
    assert link.reports == [(1, {"loss": 1.0}, True)] and not ctx.should_stop()
    link.decisions.append(Decision(2, True, "bandit"))
    ctx.report(loss=2.0)
    assert ctx.should_stop() and ctx.stop_reason == "bandit"
    assert ctx.status_on_return() == ("early_terminated", "bandit")
    ctx.report(loss=3.0)  # told to stop already: no more waiting
    assert link.reports[-1] == (3, {"loss": 3.0}, False)


def test_cancel_is_reported_as_canceled(tmp_path: Path) -> None:
    link = FakeLink([Decision(None, True, "user")])
    ctx = context(tmp_path, link)
    assert ctx.should_stop()
    assert ctx.status_on_return() == ("canceled", "user")


def test_log_artifact_copies_and_validates(tmp_path: Path) -> None:
    link = FakeLink()
    ctx = context(tmp_path, link)
    source = tmp_path / "model.bin"
    source.write_bytes(b"1234")
    copy = ctx.log_artifact(source)
    assert copy == tmp_path / "r1" / "model.bin" and copy.read_bytes() == b"1234"
    assert link.artifacts == [("model.bin", str(copy), 4)]
    with pytest.raises(FileNotFoundError, match=r"`path` must be an existing file, got .*missing"):
        ctx.log_artifact(tmp_path / "missing")
    with pytest.raises(IsADirectoryError, match=r"`path` must be a file, got the folder"):
        ctx.log_artifact(tmp_path)
    with pytest.raises(
        ValueError, match=r"`name` must be a relative path inside the artifact folder"
    ):
        ctx.log_artifact(source, name="../escape.bin")
    with pytest.raises(ValueError, match=r"`name` must not be 'stdout.txt'"):
        ctx.log_artifact(source, name="stdout.txt")


def test_context_is_read_only(tmp_path: Path) -> None:
    ctx = context(tmp_path, FakeLink())
    assert (ctx.run_id, ctx.index, ctx.params, ctx.deterministic) == ("r1", 0, {"lr": 0.1}, False)
    with pytest.raises(AttributeError):
        ctx.run_id = "other"  # type: ignore[misc]


def test_report_module_outside_a_trial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(report.CHANNEL_ENV, raising=False)
    monkeypatch.setattr(report, "_channel", None)
    assert not report.in_trial()
    with pytest.raises(
        RuntimeError,
        match=r"trials.report is used outside a trial: AUTOML_TRIAL_CHANNEL is not set",
    ):
        report.report(step=1, loss=0.3)
    with pytest.raises(RuntimeError, match="outside a trial"):
        report.should_stop()
    with pytest.raises(RuntimeError, match="outside a trial"):
        report.log_artifact("model.pt")
    monkeypatch.setenv(report.CHANNEL_ENV, "/tmp/socket")
    with pytest.raises(
        RuntimeError, match=r"AUTOML_TRIAL_CHANNEL must look like 'fd:N', got '/tmp/socket'"
    ):
        report.should_stop()

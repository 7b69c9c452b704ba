"""Rolling-origin folds: no validation row precedes training, counts, short series, auto step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting._errors import ForecastingError
from forecasting._splits import auto_cv_step_size, rolling_origin_folds


def make_panel(lengths: dict[str, int], freq: str = "D", end: str = "2024-03-31") -> pd.DataFrame:
    """Series ending on different dates when ``end`` is shifted per series."""
    frames = []
    for shift, (uid, n) in enumerate(lengths.items()):
        last = pd.Timestamp(end) - shift * pd.tseries.frequencies.to_offset(freq)
        ds = pd.date_range(end=last, periods=n, freq=freq)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.arange(n, dtype=float)}))
    return pd.concat(frames, ignore_index=True)


PANEL = make_panel({"long": 30, "mid": 15, "short": 7})


def test_validation_follows_training_in_every_series_of_every_fold() -> None:
    folds = rolling_origin_folds(PANEL, horizon=4, n_folds=3, step=2)
    for fold in folds:
        train, valid = fold.train(PANEL), fold.valid(PANEL)
        last_train = train.groupby("unique_id")["ds"].max()
        first_valid = valid.groupby("unique_id")["ds"].min()
        assert (first_valid > last_train.reindex(first_valid.index)).all()
        assert (last_train == fold.origins.reindex(last_train.index)).all()
        assert set(train["unique_id"]) == set(valid["unique_id"]) == set(fold.origins.index)


def test_counts_and_origins_step_back_from_each_series_end() -> None:
    folds = rolling_origin_folds(PANEL, horizon=4, n_folds=3, step=2)
    assert [f.index for f in folds] == [0, 1, 2]
    lengths = {"long": 30, "mid": 15, "short": 7}
    for fold in folds:
        back = (2 - fold.index) * 2
        valid = fold.valid(PANEL)
        train = fold.train(PANEL)
        for uid in fold.origins.index:
            assert (valid["unique_id"] == uid).sum() == 4
            assert (train["unique_id"] == uid).sum() == lengths[uid] - back - 4
    # the last fold's validation window ends at each series' own last row
    last_valid = folds[-1].valid(PANEL).groupby("unique_id")["ds"].max()
    assert (last_valid == PANEL.groupby("unique_id")["ds"].max().reindex(last_valid.index)).all()
    # each earlier origin is `step` periods earlier
    gap = folds[2].origins["long"] - folds[1].origins["long"]
    assert gap == pd.Timedelta(days=2)


def test_series_too_short_for_a_fold_are_left_out_with_a_notice() -> None:
    folds = rolling_origin_folds(PANEL, horizon=4, n_folds=3, step=2, min_train_size=2)
    # short (7 rows) needs 2 + 4 + back rows: back 4 -> 10 (out), 2 -> 8 (out), 0 -> 6 (in)
    assert [f.left_out for f in folds] == [("short",), ("short",), ()]
    assert folds[0].notice is not None and "'short'" in folds[0].notice
    assert "shorter than 10 rows" in folds[0].notice
    assert folds[2].notice is None
    assert "short" in folds[2].origins.index


def test_a_fold_no_series_can_hold_is_an_error_naming_the_arguments() -> None:
    with pytest.raises(ForecastingError, match=r"`n_folds` \(5\), `step` \(7\) and `horizon`"):
        rolling_origin_folds(PANEL, horizon=4, n_folds=5, step=7)


def test_row_order_does_not_change_the_folds() -> None:
    shuffled = PANEL.sample(frac=1.0, random_state=3)
    reference = rolling_origin_folds(PANEL, horizon=3, n_folds=2, step=3)
    again = rolling_origin_folds(PANEL, horizon=3, n_folds=2, step=3)
    other = rolling_origin_folds(shuffled, horizon=3, n_folds=2, step=3)

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)

    for a, b, c in zip(reference, again, other, strict=True):
        assert np.array_equal(a.train_rows, b.train_rows)
        assert np.array_equal(a.valid_rows, b.valid_rows)
        pd.testing.assert_frame_equal(rows(a.valid(PANEL)), rows(c.valid(shuffled)))
        pd.testing.assert_frame_equal(rows(a.train(PANEL)), rows(c.train(shuffled)))
        assert a.origins.sort_index().equals(c.origins.sort_index())


def test_sorted_panel_gives_ascending_positions() -> None:
    fold = rolling_origin_folds(PANEL, horizon=2, n_folds=1, step=1)[0]
    assert np.all(np.diff(fold.train_rows) > 0)
    assert len(fold.train_rows) + len(fold.valid_rows) == len(PANEL)


def test_auto_step_follows_azures_rule() -> None:
    # monthly: validation within two years -> min(floor((24 - 6) / 2), 6) = 6
    assert auto_cv_step_size([100], horizon=6, n_folds=3, freq="MS") == 6
    # shortest series 40: 40 - 6 - 2 * 6 < 24 -> floor((40 - 6 - 24) / 2) = 5
    assert auto_cv_step_size([40, 500], horizon=6, n_folds=3, freq="MS") == 5
    # quarterly and yearly: coarser than monthly -> 1
    assert auto_cv_step_size([100], horizon=8, n_folds=3, freq="QS") == 1
    assert auto_cv_step_size([100], horizon=4, n_folds=3, freq="YS") == 1
    # daily: min(floor((720 - 30) / 4), 30) = 30, no shrink for 1000 rows
    assert auto_cv_step_size([1000], horizon=30, n_folds=5, freq="D") == 30
    # hourly: the horizon, capped by the room the shortest series leaves
    assert auto_cv_step_size([1000], horizon=48, n_folds=3, freq="h") == 48
    assert auto_cv_step_size([100], horizon=48, n_folds=3, freq="h") == 25
    # series too short for even one fold are ignored when picking the shortest
    assert auto_cv_step_size([3, 1000], horizon=48, n_folds=3, freq="h") == 48
    assert auto_cv_step_size([10], horizon=4, n_folds=1, freq="D") == 4


def test_auto_step_in_folds_needs_freq() -> None:
    with pytest.raises(ForecastingError, match=r"`freq` must be given when `step` is 'auto'"):
        rolling_origin_folds(PANEL, horizon=2, n_folds=2, step="auto")
    # daily, shortest series 7 rows: less than two years of training -> Azure shrinks to 1
    folds = rolling_origin_folds(PANEL, horizon=2, n_folds=2, step="auto", freq="D")
    gap = folds[1].origins["long"] - folds[0].origins["long"]
    assert gap == pd.Timedelta(days=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": 0}, r"`horizon` must be an int >= 1, got 0"),
        ({"n_folds": 2.0}, r"`n_folds` must be an int >= 1, got 2.0"),
        ({"step": True}, r"`step` must be an int >= 1, got True \(bool\)"),
        ({"step": "auto", "freq": "fortnightly"}, r"`freq` must be a pandas offset alias"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"horizon": 2, "n_folds": 2, "step": 1, **kwargs}
    with pytest.raises(ForecastingError, match=message):
        rolling_origin_folds(PANEL, **arguments)  # type: ignore[arg-type]


def test_duplicate_timestamps_and_missing_columns_are_errors() -> None:
    with pytest.raises(ForecastingError, match=r"series 'short' has 2024-03-29 00:00:00 twice"):
        rolling_origin_folds(pd.concat([PANEL, PANEL.tail(1)]), horizon=2, n_folds=1, step=1)
    with pytest.raises(ForecastingError, match=r"`panel` must have a column 'ds'"):
        rolling_origin_folds(PANEL.drop(columns="ds"), horizon=2, n_folds=1, step=1)

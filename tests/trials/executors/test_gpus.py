"""GPU discovery and packing, without GPUs."""

from __future__ import annotations

import pytest

from trials.executors._gpus import GpuPool, detect_gpus

pytestmark = pytest.mark.timeout(60)


def test_fractions_pack_best_fit_and_whole_gpus_need_free_ones() -> None:
    pool = GpuPool(["0", "1"])
    assert [pool.place(0.25) for _ in range(4)] == [("0",)] * 4
    assert pool.place(0.5) == ("1",)
    assert pool.place(1) is None  # GPU 1 is half used
    assert pool.place(0.5) == ("1",)
    assert pool.place(0.1) is None
    pool.release(("0",), 0.25)
    assert pool.place(0.25) == ("0",)


def test_tenths_add_up_to_exactly_one_gpu() -> None:
    pool = GpuPool(["0"])
    assert [pool.place(0.1) for _ in range(10)] == [("0",)] * 10
    assert pool.place(0.1) is None


def test_count_placeable_does_not_reserve() -> None:
    pool = GpuPool(["0", "1", "2"])
    assert pool.count_placeable(1, limit=5) == 3
    assert pool.count_placeable(0.3, limit=100) == 9
    assert pool.count_placeable(2, limit=5) == 1
    assert pool.place(2) == ("0", "1")
    assert pool.count_placeable(1, limit=5) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0,1", ("0", "1")),
        ("", ()),
        ("-1", ()),
        ("2, 3,-1,4", ("2", "3")),
        ("GPU-abc", ("GPU-abc",)),
    ],
)
def test_cuda_visible_devices_wins(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: tuple[str, ...]
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", value)
    assert detect_gpus() == expected


def test_without_nvidia_smi_there_are_no_gpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert detect_gpus() == ()

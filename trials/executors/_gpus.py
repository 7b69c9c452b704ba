"""GPU discovery and assignment: whole GPUs exclusively, fractions packed onto one GPU."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

__all__ = ["GpuPool", "check_gpu_ids", "check_gpu_request", "detect_gpus"]

# Shares are counted in millionths of a GPU so that 0.1 * 10 or 3 * (1/3) add up exactly
# instead of drifting past 1.0 in floating point.
_WHOLE = 1_000_000


def detect_gpus() -> tuple[str, ...]:
    """The GPUs this machine lets us use, as ``CUDA_VISIBLE_DEVICES`` values.

    ``CUDA_VISIBLE_DEVICES`` wins when it is set (its entries are kept as they are, UUIDs
    included; an empty value or ``-1`` means none); else ``nvidia-smi -L`` is asked; else
    there are none.
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids: list[str] = []
        for item in visible.split(","):
            item = item.strip()
            if not item or item.startswith("-"):
                break  # CUDA stops at the first invalid entry
            ids.append(item)
        return tuple(ids)
    nvidia_smi = shutil.which("nvidia-smi")
    if nvidia_smi is None:
        return ()
    try:
        listing = subprocess.run(
            [nvidia_smi, "-L"], capture_output=True, text=True, timeout=15, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    if listing.returncode != 0:
        return ()
    count = sum(1 for line in listing.stdout.splitlines() if line.startswith("GPU "))
    return tuple(str(i) for i in range(count))


def check_gpu_ids(gpus: Sequence[int | str]) -> tuple[str, ...]:
    """Validate the ``gpus`` argument of an executor; returns the ids as strings."""
    if isinstance(gpus, (str, bytes)) or not isinstance(gpus, Sequence):
        raise TypeError(f"`gpus` must be a list of GPU ids such as [0, 1], got {gpus!r}")
    ids: list[str] = []
    for gpu in gpus:
        valid_int = isinstance(gpu, int) and not isinstance(gpu, bool) and gpu >= 0
        if not valid_int and not (isinstance(gpu, str) and gpu.strip()):
            raise ValueError(
                f"`gpus` must hold GPU indices >= 0 or device UUIDs, got {gpu!r} in {gpus!r}"
            )
        ids.append(str(gpu).strip())
    if len(set(ids)) != len(ids):
        raise ValueError(f"`gpus` must not repeat a GPU, got {list(gpus)!r}")
    return tuple(ids)


def check_gpu_request(run_id: str, gpus: float, available: Sequence[str]) -> None:
    """Raise when a trial asks for more GPUs than the executor has at all."""
    if gpus > len(available):
        listed = ", ".join(available) if available else "none were found"
        raise ValueError(
            f"trial {run_id!r} asks for `gpus`={gpus:g} but this executor has "
            f"{len(available)} GPU(s) ({listed}); ask for at most {len(available)}, or pass "
            "the GPUs with LocalExecutor(gpus=[0, 1, ...])"
        )


def _shares(gpus: float) -> int:
    return max(1, round(gpus * _WHOLE))


class GpuPool:
    """Tracks which GPU is free for how much.

    A request below 1 goes to the GPU that is already the most used among those with room
    for it (best fit), so four trials asking 0.25 share one GPU and leave the others whole;
    a request of n >= 1 takes n GPUs that are entirely free.

    Example:
        >>> pool = GpuPool(["0", "1"])
        >>> [pool.place(0.25) for _ in range(4)]
        [('0',), ('0',), ('0',), ('0',)]
        >>> pool.place(1.0)
        ('1',)
    """

    def __init__(self, ids: Sequence[str]) -> None:
        self._free: dict[str, int] = {gpu: _WHOLE for gpu in ids}

    def __len__(self) -> int:
        return len(self._free)

    @property
    def ids(self) -> tuple[str, ...]:
        """All GPU ids, in order."""
        return tuple(self._free)

    def place(self, gpus: float) -> tuple[str, ...] | None:
        """Reserve GPUs for a request; None when they are not free now."""
        chosen = self._choose(self._free, gpus)
        if chosen is not None:
            self._take(self._free, chosen, gpus)
        return chosen

    def release(self, ids: Sequence[str], gpus: float) -> None:
        """Give back what :meth:`place` reserved for the same request."""
        share = _shares(gpus) if gpus < 1 else _WHOLE
        for gpu in ids:
            self._free[gpu] = min(_WHOLE, self._free[gpu] + share)

    def count_placeable(self, gpus: float, limit: int) -> int:
        """How many requests of ``gpus`` would fit now (at most ``limit``)."""
        free = dict(self._free)
        count = 0
        while count < limit:
            chosen = self._choose(free, gpus)
            if chosen is None:
                break
            self._take(free, chosen, gpus)
            count += 1
        return count

    @staticmethod
    def _choose(free: dict[str, int], gpus: float) -> tuple[str, ...] | None:
        if gpus < 1:
            need = _shares(gpus)
            fitting = [
                (room, position, gpu)
                for position, (gpu, room) in enumerate(free.items())
                if room >= need
            ]
            return (min(fitting)[2],) if fitting else None
        whole = [gpu for gpu, room in free.items() if room == _WHOLE]
        count = int(gpus)
        return tuple(whole[:count]) if len(whole) >= count else None

    @staticmethod
    def _take(free: dict[str, int], chosen: tuple[str, ...], gpus: float) -> None:
        share = _shares(gpus) if gpus < 1 else _WHOLE
        for gpu in chosen:
            free[gpu] -= share

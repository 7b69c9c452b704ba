"""What a Ray cluster can take: a trial's demand in Ray's resource names, whether any node
could ever run it, and how many more fit beside the trials already running."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from time import monotonic
from typing import Any

from trials.executors._spec import Resources

__all__ = ["ClusterView", "demand_of"]

_MIB = 1024 * 1024
_REFRESH_S = 1.0  # how long the list of nodes is trusted
_EPSILON = 1e-6


def demand_of(resources: Resources) -> dict[str, float]:
    """A trial's resources under Ray's names (``CPU``, ``GPU``, ``memory`` in bytes, and
    the custom ones)."""
    demand = {"CPU": float(resources.cpus)}
    if resources.gpus:
        demand["GPU"] = resources.gpus
    if resources.mem_in_mb is not None:
        demand["memory"] = float(resources.mem_in_mb * _MIB)
    demand.update(resources.custom)
    return demand


def _describe(demand: Mapping[str, float]) -> str:
    parts = []
    for name, amount in demand.items():
        if name == "memory":
            parts.append(f"memory={amount / _MIB:g} MiB")
        else:
            parts.append(f"{name}={amount:g}")
    return ", ".join(parts)


class ClusterView:
    """The alive nodes' resources, refreshed at most every second."""

    def __init__(self, ray: Any) -> None:
        self._ray = ray
        self._nodes: list[dict[str, float]] = []
        self._totals: dict[str, float] = {}
        self._read_at = -math.inf

    def nodes(self) -> list[dict[str, float]]:
        """Each alive node's total resources."""
        now = monotonic()
        if now - self._read_at >= _REFRESH_S:
            self._nodes = [
                {name: float(amount) for name, amount in node["Resources"].items()}
                for node in self._ray.nodes()
                if node.get("Alive", node.get("alive"))
            ]
            totals: dict[str, float] = {}
            for node in self._nodes:
                for name, amount in node.items():
                    totals[name] = totals.get(name, 0.0) + amount
            self._totals = totals
            self._read_at = now
        return self._nodes

    def check_fits(self, run_id: str, demand: Mapping[str, float]) -> None:
        """Raise ValueError when no node has the resources ``demand`` asks for."""
        nodes = self.nodes()
        if any(_fits(node, demand) for node in nodes):
            return
        shown = "; ".join(
            _describe({k: v for k, v in node.items() if k in demand or k == "CPU"})
            for node in nodes
        )
        raise ValueError(
            f"trial {run_id!r} asks for {_describe(demand)} but no node of the Ray cluster "
            f"has that much (its nodes: {shown or 'none'}); ask for less, or add a node "
            "that has it"
        )

    def free_slots(
        self, demand: Mapping[str, float], running: Iterable[Mapping[str, float]]
    ) -> int:
        """How many more trials asking ``demand`` fit in the whole cluster beside
        ``running`` (totals only: a trial that fits in the sum but on no single node waits
        in Ray's queue until one has room)."""
        nodes = self.nodes()
        if not any(_fits(node, demand) for node in nodes):
            return 0
        free = dict(self._totals)
        for used in running:
            for name, amount in used.items():
                free[name] = free.get(name, 0.0) - amount
        slots = math.inf
        for name, amount in demand.items():
            if amount > 0:
                slots = min(slots, math.floor(free.get(name, 0.0) / amount + _EPSILON))
        return 0 if slots == math.inf else max(0, int(slots))


def _fits(node: Mapping[str, float], demand: Mapping[str, float]) -> bool:
    return all(node.get(name, 0.0) + _EPSILON >= amount for name, amount in demand.items())

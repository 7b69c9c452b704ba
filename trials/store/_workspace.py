"""The workspace: a database of experiments, runs, models and datasets, plus artifact files.

Importing this module is cheap: SQLAlchemy, Alembic and pandas are imported when a workspace
is opened or a query needs them, never at ``import trials``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from trials.store._errors import StoreError
from trials.store._records import (
    ArtifactRecord,
    Experiment,
    Run,
    RunStatus,
    StatusChange,
)
from trials.store._validation import check_optional_str, describe, dumps

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd
    import sqlalchemy as sa

    from trials.store._datasets import DatasetRegistry
    from trials.store._overview import ExperimentSummary
    from trials.store._registry import ModelRegistry
    from trials.store._writer import StoreWriter

__all__ = ["DEFAULT_LOCATION", "Workspace"]

DEFAULT_LOCATION = "automl_workspace"
DATABASE_FILE = "workspace.db"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _resolve(
    location: str | os.PathLike[str] | None, artifact_root: str | os.PathLike[str] | None
) -> tuple[str | Path, str, Path]:
    """Return ``(URL or SQLite file, location for messages, artifact root)``."""
    if location is None:
        location = os.environ.get("AUTOML_WORKSPACE") or DEFAULT_LOCATION
    if not isinstance(location, (str, os.PathLike)):
        raise TypeError(
            f"`location` must be a folder path or a database URL, got {describe(location)}"
        )
    text = os.fspath(location)
    if isinstance(location, str) and _URL.match(text):
        if artifact_root is None:
            artifact_root = os.environ.get("AUTOML_ARTIFACT_ROOT") or os.path.join(
                DEFAULT_LOCATION, "artifacts"
            )
        from trials.store._engine import redact

        return text, redact(text), Path(artifact_root).expanduser().absolute()
    folder = Path(text).expanduser().absolute()
    if artifact_root is not None:
        raise ValueError(
            "`artifact_root` must be None for a folder workspace, "
            f"got {os.fspath(artifact_root)!r}; "
            f"a folder workspace keeps its artifacts in {str(folder / 'artifacts')!r} "
            "(artifact_root= is for database URL workspaces)"
        )
    if folder.exists() and not folder.is_dir():
        raise ValueError(
            f"`location` must be a folder (or a database URL), got {str(folder)!r}, which is a file"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder / DATABASE_FILE, str(folder), folder / "artifacts"


class Workspace:
    """A workspace: run history, model registry and datasets of a project.

    Args:
        location: A folder (created if missing; holds ``workspace.db``, a SQLite database in
            WAL mode, and ``artifacts/``) or a database URL
            (``postgresql+psycopg://user@host:5432/db``, ``sqlite:///path/file.db``).
            ``None`` uses the ``AUTOML_WORKSPACE`` environment variable, else
            ``./automl_workspace``.
        artifact_root: For a URL only: where artifact files go. ``None`` uses
            ``AUTOML_ARTIFACT_ROOT``, else ``./automl_workspace/artifacts``.

    Opening upgrades a workspace made by an older openaml and refuses one made by a newer
    one (:class:`WorkspaceVersionError`).

    Example:
        >>> import tempfile
        >>> from trials import Workspace
        >>> with Workspace(tempfile.mkdtemp()) as ws:
        ...     exp = ws.get_or_create_experiment("demo", kind="sweep")
        ...     [e.name for e in ws.list_experiments()]
        ['demo']
    """

    def __init__(
        self,
        location: str | os.PathLike[str] | None = None,
        *,
        artifact_root: str | os.PathLike[str] | None = None,
    ) -> None:
        target, where, artifacts = _resolve(location, artifact_root)
        import sqlalchemy as sa

        from trials.store import _engine, _migrate

        if isinstance(target, Path):
            url = sa.URL.create("sqlite", database=str(target))
        else:
            url = sa.make_url(target)
            if url.get_backend_name() == "sqlite":
                if url.database in (None, "", ":memory:"):
                    raise ValueError(
                        f"`location` must be a file-backed database, got the in-memory {where!r}; "
                        "use a folder (Workspace('path/to/folder')) for a local workspace"
                    )
                Path(url.database).expanduser().absolute().parent.mkdir(parents=True, exist_ok=True)
        self._location = where
        self._artifact_root = artifacts
        self._closed = False
        self._engine, self._read_engine = _engine.create_store_engine(url)
        try:
            self._revision = _migrate.upgrade(self._engine, self._read_engine, where)
        except sa.exc.OperationalError as exc:
            self._engine.dispose()
            raise StoreError(
                f"cannot open the workspace database at {where}: {exc.orig}; check that the "
                "server is running and the URL (user, host, port, database) is right"
            ) from exc
        except BaseException:
            self._engine.dispose()
            raise
        artifacts.mkdir(parents=True, exist_ok=True)
        self._models: ModelRegistry | None = None
        self._datasets: DatasetRegistry | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"Workspace({self._location!r})"

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connections. Records already read stay usable."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    @property
    def location(self) -> str:
        """The folder, or the database URL with its password hidden."""
        return self._location

    @property
    def artifact_root(self) -> Path:
        """Folder holding artifact files (``runs/``, ``models/``, ``datasets/``)."""
        return self._artifact_root

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return str(self._engine.dialect.name)

    @property
    def revision(self) -> str:
        """Schema revision (Alembic) of the database."""
        return self._revision

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self!r} is closed; open a new Workspace to use it")

    def _write_engine(self) -> sa.Engine:
        self._check_open()
        return self._engine

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        self._check_open()
        with self._read_engine.connect() as conn:
            yield conn

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        self._check_open()
        with self._engine.begin() as conn:
            yield conn

    # -- experiments -------------------------------------------------------------------

    def _create_experiment(
        self, name: str, kind: str, fingerprint: str | None, config: Any
    ) -> tuple[Experiment, bool]:
        if not isinstance(name, str) or not name.strip() or len(name) > 256:
            raise ValueError(
                f"`name` must be a non-empty string of at most 256 characters, got {describe(name)}"
            )
        if not isinstance(kind, str) or not kind or len(kind) > 32:
            raise ValueError(
                f"`kind` must be a non-empty string (<= 32 chars), got {describe(kind)}"
            )
        check_optional_str("fingerprint", fingerprint)
        try:
            dumps(config)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"`config` must be JSON-serializable, got {describe(config)}: {exc}"
            ) from None
        from trials.store import _queries

        return _queries.get_or_create_experiment(
            self._write_engine(), name, kind, fingerprint, config
        )

    def get_or_create_experiment(
        self,
        name: str,
        *,
        kind: str,
        fingerprint: str | None = None,
        config: Any = None,
    ) -> Experiment:
        """Return the experiment named ``name``, creating it if it does not exist.

        An existing experiment is returned as stored: comparing its ``fingerprint`` with the
        one of the configuration at hand (to resume, or to refuse) is the caller's decision.

        Args:
            name: Experiment name, unique in the workspace.
            kind: ``"sweep"``, ``"automl"``, ...
            fingerprint: Hash of the search-defining configuration.
            config: The configuration, JSON-serializable.
        """
        return self._create_experiment(name, kind, fingerprint, config)[0]

    def get_experiment(self, name: str) -> Experiment:
        """Return the experiment named ``name`` (raises :class:`NotFoundError` listing names)."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.get_experiment(conn, name)

    def list_experiments(self) -> list[Experiment]:
        """Return every experiment, oldest first."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.list_experiments(conn)

    def experiment_page(
        self,
        *,
        limit: int = 25,
        offset: int = 0,
        name_contains: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        task: str | None = None,
    ) -> tuple[list[ExperimentSummary], int]:
        """Return one page of experiments, newest first, and how many match in all.

        Each row carries the parent run, its number of children and the best final value
        of the primary metric (see :class:`~trials.store._overview.ExperimentSummary`);
        a page costs a few indexed queries whatever the size of the workspace.

        Args:
            limit: Page size, 1 to 500.
            offset: Experiments to skip.
            name_contains: Only names containing this text (case-insensitive).
            kind: Only this kind (``"automl"``, ``"sweep"``).
            status: Only experiments whose parent run has this status.
            task: Only AutoML experiments of this task.
        """
        from trials.store import _overview

        with self._reading() as conn:
            return _overview.experiment_page(
                conn,
                limit=limit,
                offset=offset,
                name_contains=name_contains,
                kind=kind,
                status=status,
                task=task,
            )

    def metric_names(self, experiment: str, parent_id: str | None = None) -> list[str]:
        """Return the sorted names of the metrics logged by the runs of ``experiment`` (the
        metric columns of :meth:`leaderboard`), optionally only by children of ``parent_id``."""
        from trials.store import _overview

        with self._reading() as conn:
            return _overview.metric_names(conn, experiment, parent_id)

    # -- runs --------------------------------------------------------------------------

    def writer(self) -> StoreWriter:
        """Return a new batched writer (see :class:`StoreWriter`)."""
        from trials.store._writer import StoreWriter

        self._check_open()
        return StoreWriter(self)

    def get_run(self, run_id: str) -> Run:
        """Return the run ``run_id`` (raises :class:`NotFoundError`)."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.get_run(conn, run_id)

    def run_history(self, run_id: str) -> list[StatusChange]:
        """Return the status changes of ``run_id``, oldest first."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.run_history(conn, run_id)

    def runs(
        self,
        experiment: str | int | None = None,
        status: str | RunStatus | Iterable[str | RunStatus] | None = None,
        parent_id: str | None = None,
        kind: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Run]:
        """Return the runs matching every filter given, in creation order.

        Args:
            experiment: Experiment name (or id).
            status: A status or several.
            parent_id: Only children of this run.
            kind: Only runs of this kind (``"trial"``, ``"parent"``, ...).
            limit: At most this many runs.
            offset: Skip this many first.
        """
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.runs(
                conn,
                experiment=experiment,
                status=status,
                parent_id=parent_id,
                kind=kind,
                limit=limit,
                offset=offset,
            )

    def count_runs(
        self,
        experiment: str | int | None = None,
        status: str | RunStatus | Iterable[str | RunStatus] | None = None,
        parent_id: str | None = None,
        kind: str | None = None,
    ) -> int:
        """Return how many runs :meth:`runs` would return with these filters and no limit."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.count_runs(
                conn, experiment=experiment, status=status, parent_id=parent_id, kind=kind
            )

    def children(self, run_id: str) -> list[Run]:
        """Return the child runs of ``run_id`` by trial index."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.children(conn, run_id)

    def metric_history(self, run_id: str, key: str | None = None) -> pd.DataFrame:
        """Return the logged values of ``run_id`` (columns step, key, value, timestamp)."""
        from trials.store import _leaderboard

        with self._reading() as conn:
            return _leaderboard.metric_history(conn, run_id, key)

    def final_metrics(self, run_id: str) -> dict[str, float]:
        """Return ``{metric: value at its highest step}`` of ``run_id``."""
        from trials.store import _leaderboard, _queries

        with self._reading() as conn:
            _queries.get_run(conn, run_id)
            return _leaderboard.final_metrics(conn, run_id)

    def leaderboard(
        self,
        experiment: str,
        metric: str,
        goal: Literal["maximize", "minimize"],
        parent_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Return one row per trial/ensemble run of ``experiment``, best ``metric`` first.

        Args:
            experiment: Experiment name.
            metric: Metric to rank by (its final value: the one at the highest step).
            goal: ``"maximize"`` or ``"minimize"``.
            parent_id: Only children of this run.
            limit: At most this many rows (a page; sorting happens in the database).
            offset: Skip this many best rows first.

        Returns:
            Columns run_id, index, kind, status, status_reason, duration_seconds, the final
            value of every metric (``metric`` first), then every parameter flattened
            (``"model.C"``). Runs without a value of ``metric`` (or NaN) come last.
        """
        from trials.store import _leaderboard

        with self._reading() as conn:
            return _leaderboard.leaderboard(
                conn, experiment, metric, goal, parent_id, limit=limit, offset=offset
            )

    def request_cancel(self, run_id: str) -> bool:
        """Ask the controller owning ``run_id`` to cancel it.

        Returns:
            ``True`` if the request was recorded, ``False`` if the run had already ended.
        """
        from trials.store import _queries

        with self._writing() as conn:
            return _queries.request_cancel(conn, run_id)

    def cancel_requested(self, experiment_id: int | str) -> set[str]:
        """Return the ids of active runs of the experiment whose cancel was requested."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.cancel_requested(conn, experiment_id)

    # -- artifacts ---------------------------------------------------------------------

    def artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """Return the artifact records of ``run_id``, by name."""
        from trials.store import _queries

        with self._reading() as conn:
            return _queries.artifacts(conn, run_id)

    def open_artifact(self, run_id: str, name: str) -> Path:
        """Return the local path of artifact ``name`` of ``run_id`` after checking its sha256.

        Raises:
            NotFoundError: no such run or artifact (lists the run's artifacts).
            ArtifactIntegrityError: the file was modified or deleted since it was logged.
        """
        from trials.store import _artifacts, _queries

        relative = _artifacts.check_relative_name("name", name)
        with self._reading() as conn:
            record = _queries.artifact_record(conn, run_id, relative)
        path = self._artifact_root / "runs" / run_id / relative
        _artifacts.verify_file(path, record.sha256, f"artifact {relative!r} of run {run_id!r}")
        return path

    # -- registries --------------------------------------------------------------------

    @property
    def models(self) -> ModelRegistry:
        """The model registry of this workspace."""
        if self._models is None:
            from trials.store._registry import ModelRegistry

            self._models = ModelRegistry(self)
        return self._models

    @property
    def datasets(self) -> DatasetRegistry:
        """The dataset registry of this workspace."""
        if self._datasets is None:
            from trials.store._datasets import DatasetRegistry

            self._datasets = DatasetRegistry(self)
        return self._datasets

"""Named, versioned entries shared by the model and dataset registries.

A name has a row in a parent table (``models`` / ``datasets``) and one row per version in a
version table with a unique (parent, version) constraint. The next version number is
``max + 1`` read inside the write transaction; when two processes register the same name at
once, the unique constraint refuses the second insert and the registration is retried with
the next number. The staged files are renamed into their version's folder after the row is
inserted and before the commit. This module imports SQLAlchemy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from trials.store._artifacts import publish
from trials.store._errors import NotFoundError, StoreError
from trials.store._validation import describe, list_names

__all__ = [
    "Family",
    "check_version",
    "get_version",
    "latest_versions",
    "register",
    "update_tags",
    "versions",
]

_ATTEMPTS = 30


@dataclass(frozen=True)
class Family:
    """A parent table, its version table, and the word for messages ("model", "dataset")."""

    parent: sa.Table
    versions: sa.Table
    fk: str
    noun: str

    @property
    def fk_column(self) -> sa.Column[Any]:
        """The version table's column referring to the parent row."""
        return self.versions.c[self.fk]


def check_version(version: object) -> int | None:
    """Return ``version`` as an int, or ``None`` for ``"latest"``; raise otherwise."""
    if version == "latest":
        return None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"`version` must be an integer >= 1 or 'latest', got {describe(version)}")
    return version


def _find_parent(conn: sa.Connection, family: Family, name: str) -> int | None:
    parent = family.parent
    return conn.execute(sa.select(parent.c.id).where(parent.c.name == name)).scalar()


def _ensure_parent(conn: sa.Connection, family: Family, name: str) -> int:
    found = _find_parent(conn, family, name)
    if found is not None:
        return found
    parent = family.parent
    try:
        with conn.begin_nested():
            inserted = conn.execute(
                sa.insert(parent).values(name=name, created_at=time.time()).returning(parent.c.id)
            )
            return int(inserted.scalar_one())
    except sa.exc.IntegrityError:
        # Created concurrently since the select.
        return int(conn.execute(sa.select(parent.c.id).where(parent.c.name == name)).scalar_one())


def _latest(conn: sa.Connection, family: Family, parent_id: int) -> sa.Row[Any] | None:
    v = family.versions
    query = sa.select(v).where(family.fk_column == parent_id).order_by(v.c.version.desc())
    return conn.execute(query.limit(1)).first()


def register(
    engine: sa.Engine,
    family: Family,
    name: str,
    values: Mapping[str, Any],
    *,
    path_for: Callable[[int], str],
    staging: Path,
    final_for: Callable[[int], Path],
    same_as_latest: Callable[[sa.Row[Any]], bool] | None = None,
) -> tuple[sa.Row[Any], bool]:
    """Insert the next version of ``name`` and move ``staging`` to its folder.

    Args:
        engine: Write engine.
        family: Tables of the registry.
        name: Entry name.
        values: Column values of the version row (without parent, version and path).
        path_for: Relative path stored in the row for a version number.
        staging: Folder with the files to publish.
        final_for: Absolute folder of a version number.
        same_as_latest: If it returns true for the latest version, nothing is inserted
            and that version is returned.

    Returns:
        ``(row, created)``.
    """
    v = family.versions
    for attempt in range(_ATTEMPTS):
        try:
            with engine.begin() as conn:
                parent_id = _ensure_parent(conn, family, name)
                latest = _latest(conn, family, parent_id)
                if latest is not None and same_as_latest is not None and same_as_latest(latest):
                    return latest, False
                version = 1 if latest is None else latest.version + 1
                row = conn.execute(
                    sa.insert(v)
                    .values(
                        **values, **{family.fk: parent_id}, version=version, path=path_for(version)
                    )
                    .returning(*v.c)
                ).one()
                publish(staging, final_for(version))
                return row, True
        except sa.exc.IntegrityError:
            # Someone registered this version number first: retry with the next one.
            time.sleep(random.uniform(0.0, 0.01 * (attempt + 1)))
    raise StoreError(
        f"could not register a new version of {family.noun} {name!r} after {_ATTEMPTS} "
        "attempts: too many concurrent registrations of the same name"
    )


def _names(conn: sa.Connection, family: Family) -> list[str]:
    query = sa.select(family.parent.c.name).order_by(family.parent.c.name)
    return list(conn.execute(query).scalars())


def _parent_or_raise(conn: sa.Connection, family: Family, name: str) -> int:
    parent_id = _find_parent(conn, family, name)
    if parent_id is None:
        known = list_names(_names(conn, family), empty="none registered yet")
        raise NotFoundError(
            f"no {family.noun} named {name!r} in this workspace; {family.noun}s: {known}"
        )
    return parent_id


def get_version(conn: sa.Connection, family: Family, name: str, version: object) -> sa.Row[Any]:
    """Return the row of ``name`` at ``version`` (an int or ``"latest"``).

    Raises:
        NotFoundError: unknown name (lists the names) or version (lists the versions).
    """
    number = check_version(version)
    parent_id = _parent_or_raise(conn, family, name)
    v = family.versions
    if number is None:
        row = _latest(conn, family, parent_id)
    else:
        query = sa.select(v).where(family.fk_column == parent_id, v.c.version == number)
        row = conn.execute(query).first()
    if row is None:
        existing = [r.version for r in versions(conn, family, name)]
        raise NotFoundError(
            f"{family.noun} {name!r} has no version {version!r}; its versions: "
            f"{list_names(existing, empty='none')}"
        )
    return row


def versions(conn: sa.Connection, family: Family, name: str) -> list[sa.Row[Any]]:
    """Return every version row of ``name``, oldest first (raises if the name is unknown)."""
    parent_id = _parent_or_raise(conn, family, name)
    v = family.versions
    query = sa.select(v).where(family.fk_column == parent_id).order_by(v.c.version)
    return list(conn.execute(query))


def latest_versions(conn: sa.Connection, family: Family) -> list[tuple[str, sa.Row[Any]]]:
    """Return ``(name, latest version row)`` of every name, by name."""
    v = family.versions
    newest = (
        sa.select(family.fk_column.label("pid"), sa.func.max(v.c.version).label("top"))
        .group_by(family.fk_column)
        .subquery()
    )
    query = (
        sa.select(family.parent.c.name, v)
        .join_from(
            v, newest, sa.and_(family.fk_column == newest.c.pid, v.c.version == newest.c.top)
        )
        .join(family.parent, family.parent.c.id == family.fk_column)
        .order_by(family.parent.c.name)
    )
    return [(row.name, row) for row in conn.execute(query)]


def update_tags(
    conn: sa.Connection,
    family: Family,
    name: str,
    version: object,
    set_tags: Mapping[str, Any],
    remove: frozenset[str] = frozenset(),
) -> sa.Row[Any]:
    """Merge ``set_tags`` into (and drop ``remove`` from) the tags of a version; return it."""
    row = get_version(conn, family, name, version)
    tags = {k: val for k, val in {**(row.tags or {}), **set_tags}.items() if k not in remove}
    v = family.versions
    conn.execute(sa.update(v).where(v.c.id == row.id).values(tags=tags))
    return conn.execute(sa.select(v).where(v.c.id == row.id)).one()

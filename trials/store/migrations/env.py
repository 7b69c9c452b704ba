"""Alembic environment: runs migrations on the connection handed over by openaml.

openaml calls :func:`alembic.command.upgrade` with a :class:`alembic.config.Config` built in
code whose ``attributes["connection"]`` is an open connection inside a transaction (holding
the workspace's write lock), so no ``alembic.ini`` and no URL are needed here.
"""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    """Run the pending migrations on the connection openaml passed in."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "openaml migrations run through trials.store (opening a Workspace upgrades it); "
            "they are not meant for the alembic command line"
        )
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


# Alembic executes this file with its context set up; imported any other way (documentation
# or test collection), it does nothing.
if hasattr(context, "config"):
    run_migrations()

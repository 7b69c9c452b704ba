"""Alembic migrations of the workspace schema, run by :mod:`trials.store._migrate`."""

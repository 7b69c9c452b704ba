"""Errors raised by the run store, the model registry and the dataset registry.

Bad arguments raise the built-in :class:`ValueError` / :class:`TypeError` in the house format
("`field` must be ..., got ..."); the classes here are for conditions of the workspace itself.
"""

from __future__ import annotations

__all__ = [
    "ArtifactIntegrityError",
    "NotFoundError",
    "StoreError",
    "WorkspaceVersionError",
]


class StoreError(Exception):
    """Base class of the errors raised by a :class:`~trials.Workspace` about its content."""


class WorkspaceVersionError(StoreError):
    """The workspace's schema revision is unknown to this version of openaml.

    It was created or upgraded by a newer openaml; the message names the revision found and
    the newest one this version knows.
    """


class ArtifactIntegrityError(StoreError):
    """A stored file no longer has the sha256 recorded when it was stored.

    The message names the file and both the expected and the actual sha256.
    """


class NotFoundError(StoreError, LookupError):
    """An experiment, run, artifact, model or dataset (version) does not exist.

    The message lists what does exist, where that list is short enough to help.
    """

"""Errors raised by :mod:`search_spaces`."""

from __future__ import annotations

__all__ = ["SearchExhaustedError", "SearchSpaceError"]


class SearchSpaceError(ValueError):
    """A parameter expression, search space or sampler configuration is invalid.

    The message names the field (or the parameter path), what was expected and what was
    given, plus a hint where one exists.
    """


class SearchExhaustedError(Exception):
    """A sampler with a finite number of proposals was asked for one more.

    Raised by :meth:`Sampler.ask` when ``index >= sampler.size`` (for example once a grid
    has been enumerated completely). A controller treats it as "the search is done".
    """

"""Early-termination policies: stop hopeless trials of a sweep before they finish.

A policy looks at the primary metric that trials report at integer steps (kept in a
:class:`ReportHistory`) and decides, after each report, whether to stop that trial. Azure ML's
policies (:class:`BanditPolicy`, :class:`MedianStoppingPolicy`,
:class:`TruncationSelectionPolicy`, :class:`NoTerminationPolicy`) and asynchronous successive
halving (:class:`AshaPolicy`) are provided; :func:`make_policy` builds one from YAML.
"""

from trials.policies._asha import AshaPolicy
from trials.policies._bandit import BanditPolicy
from trials.policies._base import Decision, EarlyTerminationPolicy
from trials.policies._factory import POLICY_TYPES, make_policy
from trials.policies._history import Goal, HistoryView, ReportHistory
from trials.policies._median import MedianStoppingPolicy
from trials.policies._none import NoTerminationPolicy
from trials.policies._truncation import TruncationSelectionPolicy

__all__ = [
    "POLICY_TYPES",
    "AshaPolicy",
    "BanditPolicy",
    "Decision",
    "EarlyTerminationPolicy",
    "Goal",
    "HistoryView",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "ReportHistory",
    "TruncationSelectionPolicy",
    "make_policy",
]

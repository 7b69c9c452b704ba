"""The process of a studio job: ``python -m automl.studio._job <job.json>``.

It builds the ``AutoMLConfig`` the record describes and calls ``fit()``: the same
controller as the Python API. What the store does not keep (guardrails, featurization
summary, validation, the registered model) is written next to the record as
``result.json`` when the fit ends; a failure writes its error there instead.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "run_job"]


def _write_result(folder: Path, data: dict[str, Any]) -> None:
    path = folder / "result.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    temporary.replace(path)


def run_job(job_file: Path) -> int:
    """Run the job recorded in ``job_file``; returns the process exit status."""
    from automl import AutoMLConfig
    from automl.studio._jobs import STOPPED_FILE

    record = json.loads(job_file.read_text(encoding="utf-8"))
    folder = job_file.parent
    if (folder / STOPPED_FILE).is_file():  # canceled before this process could hear it
        _write_result(folder, {"status": "canceled", "error": "canceled before it started"})
        return 130
    try:
        # workspace=None: AUTOML_WORKSPACE (and AUTOML_ARTIFACT_ROOT), set by the studio
        config = AutoMLConfig(**record["spec"], experiment_name=record["experiment_name"])
        result = config.fit(show_output=True)
    except KeyboardInterrupt:
        _write_result(folder, {"status": "canceled", "error": "interrupted (SIGINT)"})
        return 130
    except BaseException as error:  # the studio shows it: nothing is lost
        _write_result(
            folder,
            {
                "status": "failed",
                "error": f"{type(error).__name__}: {error}",
                "traceback": traceback.format_exc(),
            },
        )
        traceback.print_exc()
        return 1
    _write_result(
        folder,
        {
            "status": result.status,
            "status_reason": result.status_reason,
            "parent_run_id": result.parent_run_id,
            "best_run_id": None if result.best_run is None else result.best_run.id,
            "best_score": result.best_score,
            "guardrails": result.guardrails.to_dict(),
            "featurization_summary": result.featurization_summary,
            "validation": result.validation,
            "skipped_models": dict(result.skipped_models),
            "registered_model_name": result.registered_model_name,
            "registered_model_version": result.registered_model_version,
            "test_scores": dict(result.test_scores),
        },
    )
    print(f"studio job done: {result.status} ({result.status_reason})", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: one argument, the job record's path."""
    import signal

    # The studio cancels with SIGINT; a process started from a shell's background inherits
    # SIGINT ignored, and Python then installs no KeyboardInterrupt handler: install it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not Path(args[0]).is_file():
        print(f"usage: python -m automl.studio._job JOB.json (got {args!r})", file=sys.stderr)
        return 2
    return run_job(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())

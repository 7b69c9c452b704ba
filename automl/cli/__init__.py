"""The `automl` command line: one entry point for every command of the project.

    automl [--workspace W] experiments ls
    automl [--workspace W] runs ls [--experiment NAME] [--status S] [--limit N]
    automl [--workspace W] runs show RUN_ID
    automl [--workspace W] models ls | models show NAME[:VERSION]
    automl [--workspace W] datasets ls | datasets show NAME[:VERSION] | datasets register NAME PATH
    automl [--workspace W] runs cancel RUN_ID
    automl [--workspace W] sweep FILE.yaml [--name NAME] [--quiet] [--json]
    automl [--workspace W] run JOB.yaml [--name NAME] [--quiet] [--json]
    automl [--workspace W] studio [--host H] [--port P] [--token T] [--max-upload-mb N]

Every read command prints a table in a terminal and JSON with `--json`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from automl.cli import _run_command, _store_commands, _studio_command, _sweep_command

__all__ = ["CliError", "build_parser", "main"]


class CliError(Exception):
    """A user-facing command-line error: printed without a traceback, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automl",
        description="openaml: AutoML and hyperparameter sweeps on your own machine.",
    )
    parser.add_argument(
        "--workspace",
        "-w",
        default=None,
        help="workspace folder or database URL "
        "(default: $AUTOML_WORKSPACE, else ./automl_workspace)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _store_commands.register(commands)
    _sweep_command.register(commands)
    _run_command.register(commands)
    _studio_command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `automl` command; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except (CliError, LookupError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"automl: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `automl runs ls | head`
        return 0
    return 0

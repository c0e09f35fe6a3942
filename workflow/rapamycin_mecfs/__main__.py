"""Command line: ``python -m rapamycin_mecfs <command> ...``.

Sub-commands import their module lazily so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

# command name -> (module, one-line help); each module exposes add_arguments(parser) and run(args)
COMMANDS = {
    "generate": (
        "rapamycin_mecfs.synthetic.cli",
        "write the synthetic supplement (seeded, documented)",
    ),
    "trace": (
        "rapamycin_mecfs.trace",
        "show the supplement cells behind a number in a results table",
    ),
    "init": (
        "rapamycin_mecfs.draft",
        "draft a commented config from a supplement's files (.xlsx, .csv, .pdf)",
    ),
}


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` ends quietly
    parser = argparse.ArgumentParser(prog="python -m rapamycin_mecfs", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(sub)
        sub.set_defaults(_module=module)
    args = parser.parse_args(argv)
    return int(args._module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

"""The `countersign` console script: no command opens the window, a command runs the CLI.

This module imports nothing heavy at load time, so `countersign doctor` on a server without
Qt (or without a display) never touches PySide6.
"""
from __future__ import annotations

import sys


def wants_window(argv: list[str]) -> bool:
    """True for no arguments or only `--data-dir DIR` / `--data-dir=DIR`; anything else,
    including --help and unknown words, goes to the CLI so it can explain itself."""
    rest = list(argv)
    while rest:
        head = rest.pop(0)
        if head == "--data-dir" and rest:
            rest.pop(0)
        elif not head.startswith("--data-dir="):
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["--self-test"]:  # what an installer's smoke check runs on the frozen app
        args = ["self-test", *args[1:]]
    if wants_window(args):
        from desktop.app import main as gui_main

        return gui_main(args)
    from agents.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())

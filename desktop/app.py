"""Starting the desktop app: argument parsing, the no-display check, the window, first-run seeding."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported only once we know a window can be shown
    from agents.services import Countersign
    from desktop.main_window import MainWindow

NO_DISPLAY_EXIT = 2
NO_DISPLAY_MESSAGE = ("countersign: no display found; set QT_QPA_PLATFORM=offscreen or run the CLI: "
                      "countersign --help")


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="countersign", description="Countersign desktop window")
    parser.add_argument("--data-dir", help="data directory (default: $COUNTERSIGN_DATA_DIR or the OS default)")
    # Anything else (e.g. -platform offscreen) is left for Qt.
    return parser.parse_known_args(argv)


def display_missing(environ: dict[str, str] | None = None, platform: str | None = None) -> bool:
    """On Linux without X11/Wayland, Qt would abort the process; say so and exit cleanly instead."""
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return False
    return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def build_window(core: "Countersign") -> "MainWindow":
    """The window over an opened core, styled; used by main(), tests and the screenshot script."""
    from PySide6.QtWidgets import QApplication

    from desktop import style
    from desktop.main_window import MainWindow
    from desktop.tasks import TaskRunner
    from desktop.widgets.window_state import WindowState

    app = QApplication.instance()
    if app is None:
        raise RuntimeError("create the QApplication before building the window")
    # The window's thread needs the interpreter for every timer and paint it handles in Python;
    # a background thread running Python (chunking, ranking) hands it over only at the switch
    # interval, 5 ms by default. 1 ms keeps the window's wait short; the 19-filing ingestion of
    # benchmarks/ui_responsiveness.py was not slower with it (666 s in stop 19, 864 s in stop 17).
    sys.setswitchinterval(0.001)
    style.apply(app, WindowState(core.paths.root).theme())
    return MainWindow(core, TaskRunner())


# Long enough for the first frames to paint and a first-run seed to be queued, short enough that
# the libraries are loaded before anyone could have chosen a file or typed a question.
WARM_UP_DELAY_MS = 300


def schedule_warm_up(window: "MainWindow", delay_ms: int = WARM_UP_DELAY_MS) -> None:
    """Load the heavy libraries in the background once the window is up, never before it shows."""
    from PySide6.QtCore import QTimer

    QTimer.singleShot(delay_ms, window, window.warm_up)  # never fires if the window is already gone


def seed_on_first_run(window: "MainWindow") -> bool:
    """A data directory with no matter gets the sample matter, indexed in the background; a seed
    cut short by closing the app is completed at the next start."""
    if not window.core.sample_pending():
        return False
    window.tabs.setCurrentWidget(window.library)
    window.library.seed_sample_matter()
    return True


def open_core(app, data_dir: str | None, sign_in=None):
    """The core, asking for the database passphrase when it has one that $COUNTERSIGN_PASSPHRASE
    does not give, and in firm mode for the account's name and password (`sign_in(name, message)`
    returns (name, password), or None when cancelled; the dialog by default). Three tries each; a
    wrong one changes nothing. Cancel stops with the reason."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from agents.services import (Countersign, PassphraseNeeded, SignInRefused, SignInRequired, WrongKey,
                                 forget_passphrases, give_passphrase)

    sign_in = sign_in or _sign_in_dialog
    prompt = "The data directory's database is protected by a passphrase.\nPassphrase:"
    user = password = message = ""
    for attempt in range(4):
        try:
            return Countersign.open(data_dir, vector_process=True, user=user, password=password)
        except PassphraseNeeded as exc:
            if app.platformName() in ("offscreen", "minimal"):  # nobody could type into a box there
                raise
            text, ok = QInputDialog.getText(None, "Countersign", prompt, QLineEdit.EchoMode.Password)
            if not ok:
                raise
            give_passphrase(exc.key_id, text)
        except WrongKey:
            if attempt == 2 or app.platformName() in ("offscreen", "minimal"):
                raise
            forget_passphrases()
            prompt = "That passphrase does not open the database (nothing was changed).\nPassphrase:"
        except (SignInRequired, SignInRefused) as exc:
            if attempt == 3 or (isinstance(exc, SignInRequired) and "no accounts yet" in str(exc)):
                raise
            message = str(exc) if isinstance(exc, SignInRefused) else ""
            given = sign_in(user, message)
            if given is None:
                raise
            user, password = given
    return Countersign.open(data_dir, vector_process=True, user=user, password=password)


def _sign_in_dialog(name: str, message: str):
    from desktop.widgets.sign_in_dialog import SignInDialog

    dialog = SignInDialog(name, message)
    return dialog.credentials() if dialog.exec() == SignInDialog.DialogCode.Accepted else None


def main(argv: list[str] | None = None) -> int:
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    if display_missing():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return NO_DISPLAY_EXIT

    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("Countersign")
    app.setApplicationDisplayName("Countersign")
    try:
        core = open_core(app, args.data_dir)
    except (ValueError, RuntimeError, OSError) as exc:
        # A bad settings file or an unusable data directory: say which and why, then stop.
        print(f"countersign: {exc}", file=sys.stderr)
        if app.platformName() not in ("offscreen", "minimal"):  # nobody could close a box there
            QMessageBox.critical(None, "Countersign cannot start", str(exc))
        return 1
    try:
        window = build_window(core)
        app.aboutToQuit.connect(window.shutdown)  # however the app ends, the workers stop first
        window.show()
        if os.environ.get("COUNTERSIGN_QUIT_WHEN_SHOWN"):
            # The packaging smoke check's cold-start probe: the launcher timed the exec.
            app.processEvents()
            print(json.dumps({"shown_at": time.time(), "title": window.windowTitle()}), flush=True)
            return 0
        schedule_warm_up(window)
        if not seed_on_first_run(window):
            window.library.reembed_pending()  # the embedder setting changed since the last run
        return app.exec()
    finally:
        core.close()


if __name__ == "__main__":
    sys.exit(main())

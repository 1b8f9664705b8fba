"""Where Countersign keeps its data: --data-dir, then $COUNTERSIGN_DATA_DIR, then the firm profile's default, then the OS default."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from agents.runtime.firm import active_firm

DATA_DIR_ENV = "COUNTERSIGN_DATA_DIR"
MODELS_DIR_ENV = "COUNTERSIGN_MODELS_DIR"
EXPORTS_DIR_ENV = "COUNTERSIGN_EXPORTS_DIR"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "countersign.sqlite3"

    @property
    def vectors(self) -> Path:
        return self.root / "vectors"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def exports(self) -> Path:
        """Where exports go unless the user picks a file: outside the data directory, whose
        database is encrypted, because an export is plaintext meant for people to read."""
        override = os.environ.get(EXPORTS_DIR_ENV)
        if override:
            return Path(override).expanduser()
        import platformdirs

        return Path(platformdirs.user_documents_dir()) / "Countersign exports"

    @property
    def legacy_exports(self) -> Path:
        """Where exports went before the database was encrypted; doctor names what is left there."""
        return self.root / "exports"

    @property
    def models(self) -> Path:
        # Assembled models are large and identical for every data directory of a user, so a
        # shared folder may be named by environment (tests and firm images use this).
        override = os.environ.get(MODELS_DIR_ENV)
        return Path(override) if override else self.root / "models"

    def ensure(self) -> "DataPaths":
        for p in (self.root, self.vectors, self.logs, self.models):
            p.mkdir(parents=True, exist_ok=True)
        return self


def resolve_data_dir(cli_value: str | None = None, firm_default: Path | None = None) -> DataPaths:
    """--data-dir, else $COUNTERSIGN_DATA_DIR, else the firm profile's default, else the user's data folder."""
    if cli_value:
        return DataPaths(Path(cli_value).expanduser().resolve())
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return DataPaths(Path(env).expanduser().resolve())
    firm_default = firm_default or active_firm().default_data_dir()
    if firm_default is not None:
        return DataPaths(firm_default.resolve())
    import platformdirs

    return DataPaths(Path(platformdirs.user_data_dir("Countersign", appauthor=False)))


def data_dir_source(paths: DataPaths) -> str:
    """Which of the choices picked this data directory, in words for the settings window."""
    env = os.environ.get(DATA_DIR_ENV)
    if env and Path(env).expanduser().resolve() == paths.root:
        return f"${DATA_DIR_ENV}"
    firm = active_firm()
    if firm.default_data_dir() is not None and firm.default_data_dir().resolve() == paths.root:
        return f"{firm.name}'s firm profile"
    import platformdirs

    if Path(platformdirs.user_data_dir("Countersign", appauthor=False)) == paths.root:
        return "the per-user default"
    return "--data-dir"

"""The firm profile: what a firm's IT bakes into its build (firm.toml) — the firm's name and logo,
the models it approved, its sign-off policy, a default data directory, server endpoints and the
features it turned off. The build copies it to resources/firm/; a checkout without one runs as
a plain single-user install."""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from agents.domain.signoff_policy import PolicyError, SignOffPolicy, with_setting
from agents.runtime.resources import resources_root

# What a firm can switch off, and what each switch does.
FEATURES = {
    "review_packages": "exporting and importing review packages",
    "model_server": "using an inference server instead of the bundled model",
    "ocr": "reading scanned pages with Tesseract",
}
_KEYS = {"name", "logo", "data_dir", "approved_models", "policy", "servers", "features_off", "templates", "playbooks"}
_SHA = re.compile(r"^[0-9a-f]{64}$")


class FirmProfileError(ValueError):
    """The firm profile cannot be used; the message names the key and the file."""


@dataclass(frozen=True)
class ApprovedModel:
    name: str
    sha256: str


@dataclass(frozen=True)
class FirmProfile:
    name: str = ""
    logo: Path | None = None
    data_dir: str = ""  # ~ and $VARS expanded when used
    approved_models: tuple[ApprovedModel, ...] = ()
    policy: dict[str, str] = field(default_factory=dict)  # sign-off policy settings the firm fixes
    model_server_url: str = ""
    model_server_model: str = ""
    features_off: frozenset[str] = frozenset()
    templates: Path | None = None  # folders of the firm's own work products and playbooks
    playbooks: Path | None = None

    @property
    def active(self) -> bool:
        return bool(self.name)

    def allows(self, feature: str) -> bool:
        return feature not in self.features_off

    def refuse_unless(self, feature: str) -> None:
        if not self.allows(feature):
            raise FirmProfileError(f"{self.name} has turned off {FEATURES[feature]} in its firm profile; ask IT")

    def governed(self, settings):
        """The user's settings with what the firm decides put over them (not written to the file)."""
        update: dict[str, object] = {}
        if self.approved_models:
            update["allowed_model_sha256"] = [m.sha256 for m in self.approved_models]
        if self.model_server_url and not settings.model_server_url:
            update |= {"model_server_url": self.model_server_url, "model_server_model": self.model_server_model}
        if not self.allows("model_server"):
            update["model_server_url"] = ""
        if not self.allows("ocr"):
            update["ocr"] = False
        return settings.model_copy(update=update)

    def default_data_dir(self) -> Path | None:
        return Path(os.path.expandvars(self.data_dir)).expanduser() if self.data_dir else None


NO_FIRM = FirmProfile()


def bundled_dir() -> Path:
    return resources_root() / "firm"


def active_firm() -> FirmProfile:
    """The profile baked into this build, or NO_FIRM."""
    path = bundled_dir() / "firm.toml"
    return load_firm(path) if path.is_file() else NO_FIRM


def load_firm(path: Path) -> FirmProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FirmProfileError(f"cannot read the firm profile {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FirmProfileError(f"the firm profile {path} is not valid TOML: {exc}") from None
    firm = data.get("firm", {})
    unknown = set(firm) - _KEYS
    if unknown or not isinstance(firm, dict):
        raise FirmProfileError(f"{path}: unknown key(s) in [firm]: {', '.join(sorted(unknown))}; known: "
                               f"{', '.join(sorted(_KEYS))}")
    name = str(firm.get("name", "")).strip()
    if not name:
        raise FirmProfileError(f"{path}: [firm] name is required (it is shown in the window and on exports)")
    models = []
    for i, m in enumerate(firm.get("approved_models", [])):
        sha = str(m.get("sha256", "")).lower()
        if not _SHA.match(sha):
            raise FirmProfileError(f"{path}: approved_models[{i}] needs sha256 = 64 hex digits, got {sha!r}")
        models.append(ApprovedModel(str(m.get("name", sha[:12])), sha))
    off = frozenset(firm.get("features_off", []))
    if off - set(FEATURES):
        raise FirmProfileError(f"{path}: features_off has {', '.join(sorted(off - set(FEATURES)))}; "
                               f"features are: {', '.join(FEATURES)}")
    servers = firm.get("servers", {})
    url = str(servers.get("model_server_url", ""))
    if url and not re.match(r"^https?://\S+$", url):
        raise FirmProfileError(f"{path}: servers.model_server_url must be an http(s) URL, got {url!r}")
    here = path.parent

    def folder(key: str) -> Path | None:
        value = firm.get(key)
        return (here / value) if value else None

    return FirmProfile(name, folder("logo"), str(firm.get("data_dir", "")), tuple(models), _policy(path, firm), url,
                       str(servers.get("model_server_model", "")), off, folder("templates"), folder("playbooks"))


def _policy(path: Path, firm: dict) -> dict[str, str]:
    """[firm.policy] as `countersign policy set` keys: signers tables become signers.DOMAIN."""
    flat: dict[str, str] = {}
    for key, value in firm.get("policy", {}).items():
        if key == "signers" and isinstance(value, dict):
            flat.update({f"signers.{d}": ",".join(r) if isinstance(r, list) else str(r) for d, r in value.items()})
        else:
            flat[key] = ("on" if value else "off") if isinstance(value, bool) else str(value)
    policy = SignOffPolicy()
    for key, value in flat.items():
        try:
            policy = with_setting(policy, key, value)
        except PolicyError as exc:
            raise FirmProfileError(f"{path}: [firm.policy] {exc}") from None
    return flat

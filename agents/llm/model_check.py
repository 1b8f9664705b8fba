"""`countersign models add` and `models check`: everything a firm's IT person needs to know about
a model file before anyone drafts with it, without loading it into llama.cpp."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agents.llm import registry
from agents.llm.chat_template import ChatTemplate
from agents.llm.gguf import GGUFInfo, read_gguf
from agents.llm.model_files import BUNDLED, assemble, parts_installed, sha256_of
from agents.llm.protocol import ModelUnavailable
from agents.llm.ram import check_memory
from agents.llm.user_models import AddedModel, UserModels

PROBE = [{"role": "system", "content": "You review contracts."}, {"role": "user", "content": "Summarise clause 4."}]


@dataclass
class CheckReport:
    name: str
    path: str = ""
    size_bytes: int = 0
    sha256: str = ""
    expected_sha256: str = ""  # the bundled hash, or the one recorded when the file was added
    gguf_version: int = 0
    architecture: str = ""
    model_name: str = ""
    context_length: int | None = None
    quantization: str = ""
    parameter_count: int = 0
    tensor_count: int = 0
    chat_template: str = ""
    memory_need_bytes: int = 0  # estimated at n_ctx
    n_ctx: int = 0
    memory_available_bytes: int | None = None
    allow_list: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def template_verdict(info: GGUFInfo) -> str:
    if info.chat_template is None:
        return "none in the file; prompts use ChatML"
    template = ChatTemplate(info.chat_template, "", "", info.name, warn=False)  # the verdict says it
    if template.render(PROBE).from_template:
        return "renders in the sandbox"
    return f"cannot be used ({template.problem}); prompts use ChatML"


def allow_verdict(sha256: str, allowed: list[str]) -> str:
    if not allowed:
        return "no allow-list: every model may load"
    return "on the allow-list" if sha256 in allowed else "NOT on the allow-list: loading is refused"


def _target(ref: str | None, user: UserModels, settings) -> tuple[str, Path | None, str, object]:
    """(name, path, expected hash, bundled entry or None) of what `ref` names."""
    ref = settings.model_path if ref is None else ref
    entry = registry.bundled(ref)
    if entry is not None:
        return entry.id, None, entry.sha256, entry
    added = user.find(ref)
    if added is not None:
        return added.name, Path(added.path), added.sha256, None
    return Path(ref).stem, Path(ref).expanduser(), "", None


def check(ref: str | None, models_dir: Path, user: UserModels, settings) -> CheckReport:
    """The active model, a bundled model's id, an added model's name, or any path."""
    name, path, expected, entry = _target(ref, user, settings)
    report = CheckReport(name, expected_sha256=expected)
    if entry is not None:
        try:
            if not parts_installed(entry) and not (models_dir / entry.filename).exists():
                raise ModelUnavailable(f"{entry.id} is {entry.install_hint}")
            path = assemble(entry, models_dir)  # checks the bundled hash itself
        except ModelUnavailable as exc:
            report.problems.append(str(exc))
            return report
    return inspect(path, report, settings)


def inspect(path: Path, report: CheckReport, settings) -> CheckReport:
    """Validate the header, hash the whole file (the cached hash trusts size and mtime; a check
    trusts nothing), and give the allow-list, memory and chat-template verdicts."""
    report.path = str(path)
    try:
        info = read_gguf(path)
    except ModelUnavailable as exc:
        report.problems.append(str(exc))
        return report
    report.size_bytes, report.gguf_version, report.tensor_count = info.file_size, info.version, info.tensor_count
    report.architecture, report.model_name, report.context_length = info.architecture, info.name, info.context_length
    report.quantization, report.parameter_count = info.quantization, info.parameter_count
    report.sha256 = sha256_of(path)
    if report.expected_sha256 and report.sha256 != report.expected_sha256:
        report.problems.append(f"{path} has SHA-256 {report.sha256}, but {report.expected_sha256} was recorded for it; "
                               "if the change is intended, run `countersign models add` on it again")
    allowed = settings.allowed_model_sha256
    report.allow_list = allow_verdict(report.sha256, allowed)
    if allowed and report.sha256 not in allowed:
        report.problems.append(f"{report.name} is not on the firm's allow-list (allowed_model_sha256), so it will not load")
    try:
        report.n_ctx = settings.n_ctx
        memory = check_memory(info, settings.n_ctx)
        report.memory_need_bytes, report.memory_available_bytes = memory.need_bytes, memory.available_bytes
        if memory.warning:
            report.warnings.append(memory.warning)
    except ModelUnavailable as exc:
        report.problems.append(str(exc))
    report.chat_template = template_verdict(info)
    return report


def add_model(path: Path, name: str, user: UserModels, settings) -> tuple[AddedModel, CheckReport]:
    """Record a GGUF the user supplies. A file that is not a valid GGUF, or cannot fit this
    machine's memory, is refused; one off the allow-list is recorded with a warning (IT may
    list it later) but will not load."""
    path = path.expanduser().resolve()
    info = read_gguf(path)  # a bad file fails here with its reason
    report = inspect(path, CheckReport(path.stem), settings)
    off_list = [p for p in report.problems if "allow-list" in p]
    refused = [p for p in report.problems if p not in off_list]
    if refused:
        raise ModelUnavailable("; ".join(refused))
    report.problems, report.warnings = [], [*report.warnings, *off_list]
    record = user.add(info, report.sha256, name, reserved=tuple(b.id for b in BUNDLED))
    report.name, report.expected_sha256 = record.name, record.sha256
    return record, report

"""`countersign doctor`: what is installed, where, how big, its hash, and what to fix."""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field

from agents.cli import doctor_storage
from agents.knowledge.embedder import Embedder, EmbedderUnavailable
from agents.llm import llama_loader, registry
from agents.llm.model_files import DEFAULT_MODEL, sha256_of
from agents.llm.protocol import ModelUnavailable
from agents.runtime.paths import DataPaths
from agents.runtime.settings import Settings


@dataclass
class ModelReport:
    name: str
    path: str = ""
    size_bytes: int = 0
    sha256: str = ""
    expected_sha256: str = ""
    load_seconds: float = 0.0
    ok: bool = False


@dataclass
class DoctorReport:
    data_dir: str
    free_disk_mb: int
    models: list[ModelReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    database_encryption: str = ""
    key_storage: str = ""
    warnings: list[str] = field(default_factory=list)  # weaker protection than it could be; not a failure
    llama_build: str = ""  # what the local llama.cpp was compiled with ("" with a firm's model server)

    @property
    def ok(self) -> bool:
        return not self.problems


def run(paths: DataPaths, settings: Settings, load: bool = True) -> DoctorReport:
    free = shutil.disk_usage(paths.root).free // 1_000_000
    report = DoctorReport(str(paths.root), free)
    if free < 2 * DEFAULT_MODEL.size // 1_000_000:
        report.problems.append(f"only {free} MB free in {paths.root}; free at least 1 GB for models and indexes")
    if settings.workspace_url:  # the data is on the firm's PostgreSQL: its disk, its encryption
        from agents.runtime.pg_database import where

        report.database_encryption = f"the firm workspace ({where(settings.workspace_url)}): the server's disk encryption"
        report.key_storage = "the firm's server (see `countersign server check`)"
    else:
        report.database_encryption, report.key_storage, problems, report.warnings = doctor_storage.check(paths)
        report.problems.extend(problems)
    if not settings.model_server_url:
        try:
            report.llama_build = llama_loader.build_info()
        except ImportError as exc:
            report.problems.append(f"llama-cpp-python cannot be imported ({exc}); run `make install`")
        if report.llama_build and llama_loader.has_amx_kernels():
            report.warnings.append("llama.cpp was compiled with AMX kernels (-march=native on an AMX CPU), which crash "
                                   "on prompts; models load without them. Reinstall with `make install`, "
                                   "which builds the portable wheel")
    llm = ModelReport("llm")
    report.models.append(llm)
    try:
        choice = registry.resolve(settings.model_path, paths.models)
        llm.name, llm.path, llm.size_bytes = choice.id, str(choice.path), choice.path.stat().st_size
        llm.expected_sha256 = choice.sha256 if choice.bundled else ""
        # doctor re-hashes in full: the cached hash trusts size and mtime, doctor trusts nothing.
        llm.sha256 = sha256_of(choice.path)
        if llm.expected_sha256 and llm.sha256 != llm.expected_sha256:
            report.problems.append(f"{choice.path} has SHA-256 {llm.sha256}, expected {llm.expected_sha256}: delete it and run again to re-assemble")
        elif load:
            started = time.perf_counter()
            registry.load_with(choice, settings, n_ctx=min(settings.n_ctx, 2048))
            llm.load_seconds = round(time.perf_counter() - started, 2)
            llm.ok = True
        else:
            llm.ok = True
    except ModelUnavailable as exc:
        report.problems.append(str(exc))
    emb = ModelReport(settings.embedder)  # the one the settings choose (assembled on first use)
    report.models.append(emb)
    try:
        embedder = Embedder(settings.embedder, paths.models, settings.n_threads)
        path = embedder.model_path()
        weights = max(path.rglob("*.safetensors"), key=lambda p: p.stat().st_size, default=None)
        emb.path = str(path)
        if weights:
            emb.size_bytes, emb.sha256 = weights.stat().st_size, sha256_of(weights)
        if load:
            embedder.embed(["doctor check"])
            emb.load_seconds = round(embedder.load_seconds, 2)
        emb.ok = True
    except (EmbedderUnavailable, OSError) as exc:
        report.problems.append(str(exc))
    return report

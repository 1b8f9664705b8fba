"""`countersign models list|add|check|use|bench`: the model registry from the command line.

These commands open neither the database nor the vector store: a firm's IT person can vet a
model file on a machine where no matter has ever been opened."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from agents.cli.commands import UserError
from agents.cli.output import emit_json, err, plain
from agents.llm import bench, model_check, registry
from agents.llm.protocol import ModelUnavailable
from agents.llm.user_models import UserModels
from agents.runtime import settings as settings_mod
from agents.runtime.paths import resolve_data_dir


def add_parser(models: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    sub = models.add_subparsers(dest="action", required=True)
    sub.add_parser("list", parents=[common], help="bundled, optional and added models; * marks the one in use")
    p = sub.add_parser("add", parents=[common], help="validate a GGUF file and record it")
    p.add_argument("path", type=Path)
    p.add_argument("--name", default="", help="name to use it by (default: the file name)")
    p = sub.add_parser("check", parents=[common], help="validate, hash and give the allow-list verdict")
    p.add_argument("model", nargs="?", help="a name from `models list` or a path (default: the model in use)")
    p = sub.add_parser("use", parents=[common], help="load this model from now on")
    p.add_argument("model", help="a name from `models list`")
    p = sub.add_parser("bench", parents=[common], help="prompt and generation speed of a model on this machine")
    p.add_argument("model", nargs="?", help="a name from `models list` or a path (default: the model in use)")
    p.add_argument("--runs", type=int, default=3)


def dispatch(args) -> int:
    paths = resolve_data_dir(args.data_dir).ensure()
    try:
        settings = settings_mod.load(paths.settings)
        user = UserModels(paths.root / "models.json")
        return HANDLERS[args.action](args, paths, settings, user)
    except (settings_mod.SettingsError, ModelUnavailable, ValueError, OSError) as exc:
        raise UserError(str(exc)) from exc


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _list(args, paths, settings, user) -> int:
    entries = registry.catalogue(paths.models, user, settings.model_path)
    if args.json:
        emit_json({"models": entries, "active": next((e.name for e in entries if e.active), None)})
        return 0
    print(f"  {'NAME':<38} {'KIND':<9} {'STATUS':<14} {'ARCH':<10} {'CONTEXT':>7}  {'QUANT':<8} SIZE")
    for e in entries:
        ctx = str(e.context_length) if e.context_length else "-"
        print(f"{'*' if e.active else ' '} {e.name:<38} {e.kind:<9} {e.status:<14} {e.architecture or '-':<10} {ctx:>7}  "
              f"{e.quantization or '-':<8} {_size(e.size_bytes) if e.size_bytes else '-'}")
        if e.note:
            print(f"    {e.note}")
    return 0


def _print_report(r: model_check.CheckReport) -> None:
    print(f"{r.name}\n  path          {r.path}\n  size          {r.size_bytes:,} B\n  sha256        {r.sha256}")
    if r.architecture:
        print(f"  model         {r.model_name} ({r.parameter_count / 1e9:.2f} B parameters, {r.tensor_count} tensors, "
              f"GGUF v{r.gguf_version})\n  architecture  {r.architecture}\n  context       {r.context_length}"
              f"\n  quantization  {r.quantization}\n  chat template {r.chat_template}\n  allow-list    {r.allow_list}")
    if r.memory_need_bytes:
        free = f", {_size(r.memory_available_bytes)} free" if r.memory_available_bytes is not None else ""
        print(f"  memory        about {_size(r.memory_need_bytes)} at n_ctx {r.n_ctx}{free}")


def _add(args, paths, settings, user) -> int:
    record, report = model_check.add_model(args.path, args.name, user, settings)
    if args.json:
        emit_json({"model": record, "check": {**plain(report), "ok": report.ok}})
    else:
        print(f"added '{record.name}'; use it with `countersign models use {record.name}`")
        _print_report(report)
    for w in report.warnings:
        err(f"warning: {w}")
    return 0


def _check(args, paths, settings, user) -> int:
    report = model_check.check(args.model, paths.models, user, settings)
    if args.json:
        emit_json({**plain(report), "ok": report.ok})
    else:
        _print_report(report)
        print("verdict: " + ("ok" if report.ok else "NOT OK"))
        for p in report.problems:
            print(f"PROBLEM: {p}")
    for w in report.warnings:
        err(f"warning: {w}")
    return 0 if report.ok else 1


def _use(args, paths, settings, user) -> int:
    value, name, sha = registry.setting_for(args.model, paths.models, user, settings.allowed_model_sha256)
    settings_mod.update(paths.settings, "model_path", value)
    if args.json:
        emit_json({"active": name, "model_path": value, "sha256": sha})
    else:
        print(f"now using '{name}'; a window that is open keeps its model until it is restarted")
    return 0


def _bench(args, paths, settings, user) -> int:
    ref = args.model if args.model is not None else settings.model_path
    added = user.find(ref) if ref else None
    choice = registry.resolve(added.path if added else ref, paths.models)
    if not args.json:
        print(f"loading {choice.id} ...")
    started = time.perf_counter()
    model = registry.load_with(choice, settings)
    figures = {**bench.measure(model, max(args.runs, 1)), "load_s": round(time.perf_counter() - started, 2),
               "threads": settings.n_threads, "n_ctx": settings.n_ctx}
    if args.json:
        emit_json(figures)
    else:
        print(f"{figures['model']}: prompt {figures['prompt_tokens_per_s']} tokens/s, generation "
              f"{figures['gen_tokens_per_s']} tokens/s, first token {figures['first_token_ms']} ms "
              f"({figures['threads']} threads, load {figures['load_s']} s)")
    return 0


HANDLERS = {"list": _list, "add": _add, "check": _check, "use": _use, "bench": _bench}

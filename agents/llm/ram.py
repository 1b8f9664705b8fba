"""Will the model fit in memory? An estimate from the GGUF header against this machine's RAM.

A model larger than physical memory does not fail cleanly: the machine swaps or the operating
system kills the app. So the loader refuses a model whose estimate exceeds total RAM, and
warns when it exceeds what is free now (closing other programs is the fix)."""
from __future__ import annotations

import os
from dataclasses import dataclass

from agents.llm.gguf import GGUFError, GGUFInfo

GB = 1 << 30
# Scratch buffers llama.cpp allocates for evaluation grow with the model; measured ~160 MB for
# the bundled 0.5B at n_ctx 4096, so this is a cautious floor rather than a formula.
COMPUTE_FLOOR = 256 << 20


@dataclass(frozen=True)
class MemoryVerdict:
    need_bytes: int
    available_bytes: int | None  # None when this platform cannot tell
    total_bytes: int | None
    warning: str = ""


def machine_memory() -> tuple[int | None, int | None]:
    """(available, total) bytes of RAM: psutil when installed, else /proc/meminfo, else sysconf."""
    try:
        import psutil

        vm = psutil.virtual_memory()
        return vm.available, vm.total
    except ImportError:
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            fields = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in fh if line.split()[1:2]}
        return fields.get("MemAvailable", fields.get("MemFree")), fields.get("MemTotal")
    except (OSError, ValueError, IndexError):
        pass
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        return os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page
    except (AttributeError, ValueError, OSError):
        return None, None


def estimate_bytes(info: GGUFInfo, n_ctx: int) -> int:
    """Weights + the f16 key/value cache for n_ctx tokens + scratch buffers."""
    def arch_int(key: str) -> int:
        value = info.arch_value(key)
        if isinstance(value, tuple):  # per-layer head counts in some architectures
            value = max((v for v in value if isinstance(v, int)), default=0)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    layers, width, heads = arch_int("block_count"), arch_int("embedding_length"), arch_int("attention.head_count")
    kv_heads = arch_int("attention.head_count_kv") or heads
    head_dim = width // heads if heads else 0
    k_len, v_len = arch_int("attention.key_length") or head_dim, arch_int("attention.value_length") or head_dim
    kv_cache = 2 * n_ctx * layers * kv_heads * (k_len + v_len)
    return info.data_bytes + kv_cache + max(COMPUTE_FLOOR, info.data_bytes // 10)


def check_memory(info: GGUFInfo, n_ctx: int, memory: tuple[int | None, int | None] | None = None) -> MemoryVerdict:
    need = estimate_bytes(info, n_ctx)
    available, total = memory if memory is not None else machine_memory()
    if total is not None and need > total:
        raise GGUFError(f"{info.path.name} needs about {need / GB:.1f} GB of memory at n_ctx {n_ctx}, and this machine "
                        f"has {total / GB:.1f} GB in all; choose a smaller model or quantization, or lower n_ctx")
    warning = ""
    if available is not None and need > available:
        warning = (f"{info.path.name} needs about {need / GB:.1f} GB of memory and {available / GB:.1f} GB is free now; "
                   f"it may run slowly until other programs are closed")
    return MemoryVerdict(need, available, total, warning)

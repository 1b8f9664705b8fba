"""GGUF files for tests: a minimal writer for hand-made (and hostile) headers, and a copy of a
real model with its chat template replaced, which llama.cpp loads like the original."""
from __future__ import annotations

import shutil
import struct
from pathlib import Path

from agents.llm.gguf import read_gguf

F32 = 0


def gguf_string(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def value(v) -> bytes:
    """Type tag and encoding for a Python value (bool, int as u32, float as f32, str, list)."""
    if isinstance(v, bool):
        return struct.pack("<I?", 7, v)
    if isinstance(v, int):
        return struct.pack("<II", 4, v)
    if isinstance(v, float):
        return struct.pack("<If", 6, v)
    if isinstance(v, str):
        return struct.pack("<I", 8) + gguf_string(v)
    if isinstance(v, list):
        if all(isinstance(x, str) for x in v):
            return struct.pack("<IIQ", 9, 8, len(v)) + b"".join(gguf_string(x) for x in v)
        return struct.pack("<IIQ", 9, 5, len(v)) + b"".join(struct.pack("<i", x) for x in v)
    raise TypeError(v)


TINY_META = {"general.architecture": "llama", "general.name": "tiny test model", "llama.context_length": 2048,
             "llama.block_count": 1, "general.file_type": 1, "tokenizer.chat_template": "{{ messages[0].content }}"}


def header(meta: dict | None = None, tensors: list[tuple[str, list[int], int]] | None = None, *, version: int = 3,
           n_tensors: int | None = None, n_kv: int | None = None, raw_kv: bytes = b"", offsets: list[int] | None = None,
           alignment: int = 32) -> tuple[bytes, int]:
    """(header bytes padded to alignment, bytes of tensor data it describes)."""
    meta = TINY_META if meta is None else meta
    tensors = [("tok_embd.weight", [8, 4], F32)] if tensors is None else tensors
    kv = b"".join(gguf_string(k) + value(v) for k, v in meta.items()) + raw_kv
    table, at = b"", 0
    for i, (name, dims, ttype) in enumerate(tensors):
        nbytes = 4
        for d in dims:
            nbytes *= d
        table += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<q", d) for d in dims)
        table += struct.pack("<IQ", ttype, offsets[i] if offsets else at)
        end = at + nbytes
        at = -(-end // alignment) * alignment
    count_kv = n_kv if n_kv is not None else len(meta) + (1 if raw_kv else 0)
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors) if n_tensors is None else n_tensors, count_kv) + kv + table
    head += b"\0" * (-len(head) % alignment)
    return head, end if tensors else 0


def write_gguf(path: Path, meta: dict | None = None, tensors=None, data_bytes: int | None = None, **kw) -> Path:
    """A complete file, or one cut short when `data_bytes` is less than the header describes."""
    head, needed = header(meta, tensors, **kw)
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(len(head) + (needed if data_bytes is None else data_bytes))  # sparse zeros
    return path


def with_chat_template(source: Path, target: Path, template: str) -> Path:
    """A copy of `source` whose tokenizer.chat_template is `template`. The new template is padded
    with a jinja comment to keep the header's length modulo the alignment, so the padding before
    the tensor data and every tensor offset stay valid."""
    info = read_gguf(source)
    old = info.chat_template or ""
    with source.open("rb") as fh:
        head = fh.read(info.data_offset)
    key = gguf_string("tokenizer.chat_template") + struct.pack("<I", 8)
    start = head.index(key) + len(key)
    old_raw = gguf_string(old)
    assert head[start:start + len(old_raw)] == old_raw
    alignment = info.metadata.get("general.alignment", 32)
    body = template + "{#" + " " * ((len(old.encode()) - len(template.encode()) - 4) % alignment) + "#}"
    new_head = head[:start] + gguf_string(body) + head[start + len(old_raw):]
    with source.open("rb") as src, target.open("wb") as out:
        out.write(new_head)
        src.seek(info.data_offset)
        shutil.copyfileobj(src, out, 16 << 20)
    return target

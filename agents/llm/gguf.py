"""Reading a GGUF file's header as untrusted input, in pure Python, before llama.cpp sees it.

llama.cpp trusts the header: counts and lengths in a hostile or damaged file can make it
allocate wildly or abort the process. Every count here is checked against a limit and against
the bytes the file actually has before anything is read or allocated, the tensor table is
checked the way llama.cpp's loader checks it, and the tensor data must fit the file."""
from __future__ import annotations

import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from agents.llm.gguf_tables import ARRAY, FILE_TYPES, KNOWN_STARTS, SCALARS, STRING, TENSOR_TYPES
from agents.llm.protocol import ModelUnavailable

MAGIC = b"GGUF"
VERSIONS = (2, 3)
# Far above any real model (a 70B has ~720 tensors and ~30 keys), far below what could hurt.
MAX_TENSORS = 1 << 20
MAX_KEYS = 1 << 16
MAX_STRING = 16 << 20  # a chat template or one vocabulary entry
MAX_ARRAY = 1 << 24  # a vocabulary of 16 M entries
MAX_HEADER = 512 << 20  # metadata and tensor table together
MAX_NAME = 63  # ggml's GGML_MAX_NAME (64) including the terminating zero
MAX_DIMS = 4
KEEP_ARRAY = 64  # longer arrays (vocabulary, merges) are skipped and only their length kept
U32, U64, I64 = struct.Struct("<I"), struct.Struct("<Q"), struct.Struct("<q")


class GGUFError(ModelUnavailable):
    """The file is not a GGUF llama.cpp can load; the message says what is wrong with it."""


@dataclass(frozen=True)
class SkippedArray:
    """A long metadata array (vocabulary, merges) whose values were not kept."""
    element_type: int
    length: int


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    file_size: int
    version: int
    tensor_count: int
    architecture: str
    name: str
    context_length: int | None
    quantization: str
    parameter_count: int
    chat_template: str | None
    data_offset: int
    data_bytes: int
    metadata: dict[str, object] = field(repr=False)

    def arch_value(self, key: str) -> object:
        """A per-architecture value such as `block_count` (stored as `qwen2.block_count`)."""
        return self.metadata.get(f"{self.architecture}.{key}")


class _Reader:
    """Reads little-endian values through its own buffer (a vocabulary is 150k tiny strings, too
    many for one file read each), refusing any read that would run past the end of the file."""

    def __init__(self, fh: BinaryIO, file_size: int) -> None:
        self.fh, self.size, self.pos = fh, file_size, 0
        self.buf, self.at = b"", 0  # self.buf[self.at:] are the bytes at self.pos

    def _within(self, n: int, what: str) -> None:
        if n > self.size - self.pos:
            raise GGUFError(f"truncated: {what} at byte {self.pos:,} runs past the end of the file ({self.size:,} bytes)")
        if self.pos + n > MAX_HEADER:
            raise GGUFError(f"the header is larger than {MAX_HEADER >> 20} MB, which no real model needs")

    def _have(self, n: int, what: str) -> None:
        self._within(n, what)
        if len(self.buf) - self.at < n:
            self.buf = self.buf[self.at:] + self.fh.read(max(n, 1 << 20))
            self.at = 0
            if len(self.buf) < n:
                raise GGUFError(f"truncated: {what} at byte {self.pos:,} could not be read")

    def take(self, n: int, what: str) -> bytes:
        self._have(n, what)
        data = self.buf[self.at:self.at + n]
        self.at += n
        self.pos += n
        return data

    def skip(self, n: int, what: str) -> None:
        self._within(n, what)
        buffered = len(self.buf) - self.at
        if n <= buffered:
            self.at += n
        else:  # seek past a long run rather than read it into memory
            self.fh.seek(n - buffered, 1)
            self.buf, self.at = b"", 0
        self.pos += n

    def skip_strings(self, count: int, what: str) -> None:
        """Skip `count` length-prefixed strings; the hot loop of reading a vocabulary."""
        for _ in range(count):
            if len(self.buf) - self.at >= 8:
                n = U64.unpack_from(self.buf, self.at)[0]
                if n <= MAX_STRING and self.at + 8 + n <= len(self.buf) and self.pos + 8 + n <= self.size:
                    self.at += 8 + n
                    self.pos += 8 + n
                    continue
            n = self.unpack(U64, what)
            if n > MAX_STRING:
                raise GGUFError(f"{what} claims a string of {n:,} bytes; the limit is {MAX_STRING:,}")
            self.skip(n, what)

    def unpack(self, fmt: struct.Struct, what: str):
        self._have(fmt.size, what)
        value = fmt.unpack_from(self.buf, self.at)[0]
        self.at += fmt.size
        self.pos += fmt.size
        return value

    def string(self, what: str, limit: int = MAX_STRING) -> str:
        n = self.unpack(U64, what)
        if n > limit:
            raise GGUFError(f"{what} claims a string of {n:,} bytes; the limit is {limit:,}")
        return self.take(n, what).decode("utf-8", "replace")


def describe_start(head: bytes) -> str:
    for start, kind in KNOWN_STARTS:
        if head.startswith(start):
            return f"it looks like {kind}"
    if len(head) >= 10 and head[8:10] == b'{"':
        return "it looks like a safetensors file; convert it with llama.cpp's convert_hf_to_gguf.py"
    return f"it starts with {head[:8]!r}"


def read_gguf(path: Path, file_size: int | None = None) -> GGUFInfo:
    """Validate and summarise a GGUF. `file_size` stands in for the real size when the header is
    read from the first part of a model not yet assembled."""
    try:
        with path.open("rb") as fh:
            return _parse(fh, path, file_size if file_size is not None else path.stat().st_size)
    except FileNotFoundError:
        raise GGUFError(f"model file not found: {path}") from None
    except IsADirectoryError:
        raise GGUFError(f"{path} is a folder, not a GGUF model file") from None
    except PermissionError:
        raise GGUFError(f"cannot read {path}: permission denied") from None


def _parse(fh: BinaryIO, path: Path, size: int) -> GGUFInfo:
    head = fh.read(16)
    fh.seek(0)
    if not head.startswith(MAGIC):
        raise GGUFError(f"{path.name} is not a GGUF file ({describe_start(head) if head else 'it is empty'})")
    r = _Reader(fh, size)
    r.take(4, "magic")
    version = r.unpack(U32, "version")
    if version not in VERSIONS:
        if struct.unpack(">I", struct.pack("<I", version))[0] in VERSIONS:
            raise GGUFError(f"{path.name} is a big-endian GGUF (made for s390x); this machine needs a little-endian file")
        hint = "re-convert it with a current llama.cpp" if version < 2 else "it needs a newer Countersign"
        raise GGUFError(f"unsupported GGUF version {version} in {path.name} (supported: 2 and 3); {hint}")
    n_tensors, n_keys = r.unpack(U64, "tensor count"), r.unpack(U64, "metadata count")
    if n_tensors > MAX_TENSORS or n_tensors * 32 > size:
        raise GGUFError(f"the header claims {n_tensors:,} tensors, impossible for a {size:,}-byte file")
    if n_keys > MAX_KEYS or n_keys * 13 > size:
        raise GGUFError(f"the header claims {n_keys:,} metadata entries, impossible for a {size:,}-byte file")
    meta: dict[str, object] = {}
    for _ in range(n_keys):
        key = r.string("a metadata key", limit=65_535)
        if key in meta:
            raise GGUFError(f"metadata key '{key}' appears twice")
        meta[key] = _value(r, r.unpack(U32, f"the type of '{key}'"), key, nested=False)
    alignment = meta.get("general.alignment", 32)
    if not isinstance(alignment, int) or isinstance(alignment, bool) or alignment <= 0 or alignment & (alignment - 1):
        raise GGUFError(f"general.alignment is {alignment!r}; it must be a power of two")
    params, data_bytes, by_type = _tensors(r, n_tensors, alignment)
    arch = meta.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise GGUFError(f"{path.name} does not say its architecture (general.architecture)")
    data_offset = -(-r.pos // alignment) * alignment
    if data_offset + data_bytes > size:
        raise GGUFError(f"truncated: the header says {data_bytes:,} bytes of tensor data, the file has "
                        f"{max(size - data_offset, 0):,}; copy or download {path.name} again")
    file_type = meta.get("general.file_type")
    quant = FILE_TYPES.get(file_type) if isinstance(file_type, int) else None
    template = meta.get("tokenizer.chat_template")
    ctx = meta.get(f"{arch}.context_length")
    return GGUFInfo(path, size, version, n_tensors, arch, str(meta.get("general.name") or path.stem),
                    ctx if isinstance(ctx, int) else None,
                    quant or (by_type.most_common(1)[0][0] if by_type else "unknown"), params,
                    template if isinstance(template, str) else None, data_offset, data_bytes, meta)


def _value(r: _Reader, vtype: int, key: str, nested: bool) -> object:
    if vtype in SCALARS:
        return r.unpack(SCALARS[vtype], f"the value of '{key}'")
    if vtype == STRING:
        return r.string(f"the value of '{key}'")
    if vtype != ARRAY:
        raise GGUFError(f"metadata '{key}' has unknown value type {vtype}")
    if nested:
        raise GGUFError(f"metadata '{key}' is an array of arrays, which llama.cpp does not read")
    etype, count = r.unpack(U32, f"the array type of '{key}'"), r.unpack(U64, f"the length of '{key}'")
    if etype not in SCALARS and etype not in (STRING, ARRAY):
        raise GGUFError(f"metadata array '{key}' has unknown element type {etype}")
    least = SCALARS[etype].size if etype in SCALARS else 8
    if count > MAX_ARRAY:
        raise GGUFError(f"metadata array '{key}' claims {count:,} entries; the limit is {MAX_ARRAY:,}")
    if count * least > r.size - r.pos:
        raise GGUFError(f"truncated: metadata array '{key}' claims {count:,} entries, more than the rest of the file holds")
    if count <= KEEP_ARRAY:
        return tuple(_value(r, etype, key, nested=True) for _ in range(count))
    if etype == STRING:
        r.skip_strings(count, f"an entry of '{key}'")
    elif etype == ARRAY:
        raise GGUFError(f"metadata '{key}' is an array of arrays, which llama.cpp does not read")
    else:
        r.skip(count * least, f"the values of '{key}'")
    return SkippedArray(etype, count)


def _tensors(r: _Reader, count: int, alignment: int) -> tuple[int, int, Counter]:
    """Checks each tensor as llama.cpp does: known type, whole blocks, and data laid out in
    order with no gaps or overlaps. Returns (parameters, bytes of tensor data, bytes by type)."""
    seen: set[str] = set()
    params = expected = end = 0
    by_type: Counter = Counter()
    for i in range(count):
        name = r.string(f"the name of tensor {i}", limit=MAX_NAME)
        if name in seen:
            raise GGUFError(f"tensor '{name}' appears twice")
        seen.add(name)
        n_dims = r.unpack(U32, f"the shape of tensor '{name}'")
        if n_dims > MAX_DIMS:
            raise GGUFError(f"tensor '{name}' has {n_dims} dimensions; llama.cpp allows {MAX_DIMS}")
        dims = [r.unpack(I64, f"the shape of tensor '{name}'") for _ in range(n_dims)]
        elements = 1
        for d in dims:
            if d < 0 or (d and elements > (2**63 - 1) // d):
                raise GGUFError(f"tensor '{name}' has an impossible shape {dims}")
            elements *= d
        ttype = r.unpack(U32, f"the type of tensor '{name}'")
        if ttype not in TENSOR_TYPES:
            raise GGUFError(f"tensor '{name}' has type {ttype}, which this llama.cpp does not know (a newer quantization?)")
        type_name, block, block_bytes = TENSOR_TYPES[ttype]
        if dims and dims[0] % block:
            raise GGUFError(f"tensor '{name}' ({type_name}) has rows of {dims[0]}, not a multiple of its block size {block}")
        nbytes = elements // block * block_bytes
        offset = r.unpack(U64, f"the offset of tensor '{name}'")
        if offset != expected:
            raise GGUFError(f"tensor '{name}' starts at offset {offset:,} of the data, expected {expected:,}")
        params += elements
        by_type[type_name] += nbytes
        end = offset + nbytes
        expected = -(-end // alignment) * alignment
    return params, end, by_type

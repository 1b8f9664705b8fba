"""The GGUF header reader against the real default model, damaged copies of it, other kinds of
file, and hand-made hostile headers. Nothing here loads llama.cpp."""
from __future__ import annotations

import struct
import time

import pytest

from agents.llm import registry
from agents.llm.gguf import MAX_STRING, GGUFError, SkippedArray, read_gguf
from agents.llm.ram import GB, check_memory, estimate_bytes
from ggufgen import F32, TINY_META, gguf_string, write_gguf
from pdfgen import write_pdf


@pytest.fixture(scope="module")
def real_model(shared_models_dir):
    return registry.resolve("", shared_models_dir).path


def test_real_default_model_header(real_model):
    info = read_gguf(real_model)
    assert (info.architecture, info.context_length, info.quantization) == ("qwen2", 32768, "Q4_K_M")
    assert info.version == 3 and info.tensor_count == 291 and info.file_size == 491_400_064
    assert info.data_offset + info.data_bytes == info.file_size  # every tensor accounted for, to the byte
    assert 0.4e9 < info.parameter_count < 0.7e9
    assert info.chat_template.startswith("{%- if tools %}") and "<|im_start|>" in info.chat_template
    assert info.arch_value("block_count") == 24 and info.arch_value("attention.head_count_kv") == 2
    # The vocabulary is skipped, not held in memory.
    assert info.metadata["tokenizer.ggml.tokens"] == SkippedArray(8, 151936)


@pytest.mark.parametrize("keep", [3_000_000, 200_000_000, 491_400_063])
def test_truncated_copy_is_refused_with_sizes(real_model, tmp_path, keep):
    cut = tmp_path / "cut.gguf"
    with real_model.open("rb") as src, cut.open("wb") as out:
        out.write(src.read(min(keep, 8 << 20)))  # the header is the first 6 MB; the rest is only counted
        out.truncate(keep)
    with pytest.raises(GGUFError, match="truncated") as err:
        read_gguf(cut)
    if keep > 6_000_000:  # past the header: the message gives both sizes
        assert "header says 485,452,288 bytes of tensor data" in str(err.value)
        assert f"the file has {keep - 5_947_776:,}" in str(err.value)


def test_other_files_are_named_for_what_they_are(tmp_path):
    write_pdf(tmp_path / "memo.pdf", ["Not a model."])
    cases = {"memo.pdf": "PDF document", "model.zip": "ZIP archive", "page.html": "text or HTML", "empty.gguf": "empty"}
    (tmp_path / "model.zip").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    (tmp_path / "page.html").write_text("<html>404 Not Found</html>")
    (tmp_path / "empty.gguf").write_bytes(b"")
    for name, kind in cases.items():
        with pytest.raises(GGUFError, match=f"{name} is not a GGUF file .*{kind}"):
            read_gguf(tmp_path / name)
    with pytest.raises(GGUFError, match="not found"):
        read_gguf(tmp_path / "missing.gguf")
    with pytest.raises(GGUFError, match="is a folder"):
        read_gguf(tmp_path)


def test_a_small_well_formed_file_reads(tmp_path):
    info = read_gguf(write_gguf(tmp_path / "tiny.gguf"))
    assert (info.architecture, info.name, info.context_length, info.quantization) == ("llama", "tiny test model", 2048, "F16")
    assert info.parameter_count == 32 and info.data_bytes == 128


def hostile(tmp_path, **kw):
    with pytest.raises(GGUFError) as err:
        read_gguf(write_gguf(tmp_path / "bad.gguf", **kw))
    return str(err.value)


def test_versions(tmp_path):
    assert "unsupported GGUF version 1" in hostile(tmp_path, version=1)
    assert "unsupported GGUF version 7" in hostile(tmp_path, version=7)
    assert "big-endian" in hostile(tmp_path, version=struct.unpack(">I", struct.pack("<I", 3))[0])


def test_counts_that_the_file_cannot_hold_are_refused_before_reading(tmp_path):
    started = time.perf_counter()
    assert "claims 1,152,921,504,606,846,976 tensors" in hostile(tmp_path, n_tensors=1 << 60)
    assert "metadata entries, impossible" in hostile(tmp_path, n_kv=1 << 40)
    huge_string = gguf_string("x.huge") + struct.pack("<IQ", 8, 1 << 50)
    assert f"limit is {MAX_STRING:,}" in hostile(tmp_path, raw_kv=huge_string)
    huge_array = gguf_string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 1 << 40)
    assert "claims 1,099,511,627,776 entries; the limit is" in hostile(tmp_path, raw_kv=huge_array)
    long_array = gguf_string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 1 << 20)
    assert "more than the rest of the file holds" in hostile(tmp_path, raw_kv=long_array)
    assert time.perf_counter() - started < 5  # nothing was allocated or looped over


def test_malformed_metadata(tmp_path):
    nested = gguf_string("x.nested") + struct.pack("<IIQ", 9, 9, 1)
    assert "array of arrays" in hostile(tmp_path, raw_kv=nested)
    assert "unknown value type 99" in hostile(tmp_path, raw_kv=gguf_string("x.odd") + struct.pack("<I", 99))
    assert "appears twice" in hostile(tmp_path, raw_kv=gguf_string("general.name") + struct.pack("<I", 8) + gguf_string("again"))
    assert "does not say its architecture" in hostile(tmp_path, meta={"general.name": "x"})
    assert "power of two" in hostile(tmp_path, meta={**TINY_META, "general.alignment": 24})


def test_malformed_tensor_table(tmp_path):
    assert "has type 77" in hostile(tmp_path, tensors=[("w", [32], 77)])
    assert "5 dimensions" in hostile(tmp_path, tensors=[("w", [1, 1, 1, 1, 1], F32)])
    assert "impossible shape" in hostile(tmp_path, tensors=[("w", [-4], F32)], data_bytes=64)
    assert "not a multiple of its block size 32" in hostile(tmp_path, tensors=[("w", [33], 2)])
    assert "appears twice" in hostile(tmp_path, tensors=[("w", [8], F32), ("w", [8], F32)])
    assert "expected 32" in hostile(tmp_path, tensors=[("a", [8], F32), ("b", [8], F32)], offsets=[0, 4096])
    assert "limit is 63" in hostile(tmp_path, tensors=[("n" * 64, [8], F32)])


def test_tensor_data_cut_short(tmp_path):
    msg = hostile(tmp_path, tensors=[("w", [1024], F32)], data_bytes=1000)
    assert "truncated: the header says 4,096 bytes of tensor data, the file has 1,000" in msg


def test_memory_estimate_and_verdicts(real_model):
    info = read_gguf(real_model)
    need = estimate_bytes(info, 4096)
    # weights + 24 layers x 2 KV heads x 64+64 dims x 2 bytes x 4096 tokens + scratch
    assert need == info.data_bytes + 2 * 4096 * 24 * 2 * 128 + 256 * 2**20
    assert check_memory(info, 4096, (8 * GB, 16 * GB)).warning == ""
    assert "may run slowly" in check_memory(info, 4096, (need - 1, 16 * GB)).warning
    with pytest.raises(GGUFError, match=r"needs about 0.7 GB .* has 0.5 GB in all"):
        check_memory(info, 4096, (GB // 2, GB // 2))
    assert check_memory(info, 4096, (None, None)).warning == ""  # a platform that cannot tell


def test_a_model_larger_than_this_machine_is_refused_before_llama_cpp(tmp_path):
    # A sparse file: a valid header whose tensors really are 1 TiB long, taking no disk space.
    big = write_gguf(tmp_path / "huge.gguf", tensors=[("w", [1 << 18, 1 << 20], F32)])
    assert read_gguf(big).data_bytes == 1 << 40
    choice = registry.ModelChoice("huge", big, "0" * 64, False, "test")  # hashing 1 TiB of zeros is not the point
    with pytest.raises(GGUFError, match=r"huge.gguf needs about 1[0-9.]+ GB of memory .* this machine has"):
        registry.load(choice, 2048, 1)

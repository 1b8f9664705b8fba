"""`countersign models add|list|check|use` end to end on real files, with --json."""
from __future__ import annotations

import hashlib
import json

import pytest

from agents.llm.model_files import CODER_15B, DEFAULT_MODEL, parts_installed
from agents.runtime import settings as settings_mod
from ggufgen import write_gguf
from pdfgen import write_pdf


@pytest.fixture
def tiny(tmp_path):
    return write_gguf(tmp_path / "firm-model.gguf")


def test_add_list_check_use(cli, tiny, data_dir):
    code, added, _ = cli("models", "add", str(tiny), "--json")
    assert code == 0
    record = added["model"]
    assert (record["name"], record["architecture"], record["context_length"], record["quantization"]) == \
        ("firm-model", "llama", 2048, "F16")
    assert record["sha256"] == hashlib.sha256(tiny.read_bytes()).hexdigest() and added["check"]["ok"]
    assert added["check"]["chat_template"] == "renders in the sandbox"
    assert json.loads((data_dir / "models.json").read_text())["models"][0]["path"] == str(tiny)

    code, listed, _ = cli("models", "list", "--json")
    by_name = {m["name"]: m for m in listed["models"]}
    assert listed["active"] == DEFAULT_MODEL.id and by_name[DEFAULT_MODEL.id]["kind"] == "bundled"
    assert by_name["firm-model"]["status"] == "installed" and by_name["firm-model"]["size_bytes"] == tiny.stat().st_size
    optional = by_name[CODER_15B.id]
    if not parts_installed(CODER_15B):
        assert optional["status"] == "not installed"
        assert optional["note"] == "not installed: pip install countersign-desktop[coder15]"

    code, report, _ = cli("models", "check", "firm-model", "--json")
    assert code == 0 and report["ok"] and report["allow_list"] == "no allow-list: every model may load"
    assert report["sha256"] == record["sha256"] and report["tensor_count"] == 1

    code, used, _ = cli("models", "use", "firm-model", "--json")
    assert code == 0 and used["model_path"] == str(tiny)
    assert settings_mod.load(data_dir / "settings.json").model_path == str(tiny)
    assert cli("models", "list", "--json")[1]["active"] == "firm-model"
    assert cli("models", "use", DEFAULT_MODEL.id)[0] == 0
    assert settings_mod.load(data_dir / "settings.json").model_path == ""


def test_allow_list_verdicts(cli, tiny, data_dir):
    cli("models", "add", str(tiny))
    code, _, _ = cli("settings", "set", "allowed_model_sha256", DEFAULT_MODEL.sha256.upper())
    assert code == 0 and settings_mod.load(data_dir / "settings.json").allowed_model_sha256 == [DEFAULT_MODEL.sha256]
    code, report, _ = cli("models", "check", "firm-model", "--json")
    assert code == 1 and not report["ok"] and report["allow_list"] == "NOT on the allow-list: loading is refused"
    code, _, err = cli("models", "use", "firm-model")
    assert code == 1 and "is not on this firm's model allow-list" in err
    assert settings_mod.load(data_dir / "settings.json").model_path == ""  # unchanged
    code, _, err = cli("settings", "set", "allowed_model_sha256", "not-a-hash")
    assert code == 1 and "'not-a-hash' is not a SHA-256 hash" in err


def test_bad_files_are_refused_with_their_reason(cli, tmp_path, tiny, data_dir):
    write_pdf(tmp_path / "letter.pdf", ["Dear client"])
    code, _, err = cli("models", "add", str(tmp_path / "letter.pdf"))
    assert code == 1 and "letter.pdf is not a GGUF file (it looks like a PDF document)" in err
    cut = write_gguf(tmp_path / "cut.gguf", data_bytes=10)
    code, _, err = cli("models", "add", str(cut), "--json")
    assert code == 1 and "truncated: the header says 128 bytes of tensor data, the file has 10" in err
    code, report, _ = cli("models", "check", str(cut), "--json")
    assert code == 1 and "truncated" in report["problems"][0]
    assert not (data_dir / "models.json").exists()

    cli("models", "add", str(tiny))
    tiny.write_bytes(tiny.read_bytes()[:-1] + b"\x01")  # one byte of tensor data changed
    code, report, _ = cli("models", "check", "firm-model", "--json")
    assert code == 1 and "was recorded for it" in report["problems"][0]
    code, _, err = cli("models", "use", "firm-model")
    assert code == 1 and "changed since it was added" in err
    code, _, err = cli("models", "use", "no-such-model")
    assert code == 1 and "no model named 'no-such-model'" in err


def test_check_the_bundled_default_by_full_hash(cli):
    code, report, _ = cli("models", "check", "--json")
    assert code == 0 and report["name"] == DEFAULT_MODEL.id
    assert report["sha256"] == report["expected_sha256"] == DEFAULT_MODEL.sha256
    assert (report["architecture"], report["context_length"], report["quantization"]) == ("qwen2", 32768, "Q4_K_M")


@pytest.mark.skipif(parts_installed(CODER_15B), reason="the coder15 extra is installed here")
def test_the_optional_model_says_how_to_install_it(cli):
    code, _, err = cli("models", "use", CODER_15B.id)
    assert code == 1 and "pip install countersign-desktop[coder15]" in err
    code, report, _ = cli("models", "check", CODER_15B.id, "--json")
    assert code == 1 and "pip install countersign-desktop[coder15]" in report["problems"][0]


def test_bench_measures_the_model_in_use_through_the_product_backend(cli):
    code, out, _ = cli("models", "bench", "--runs", "1", "--json")
    assert code == 0
    assert out["model"] == DEFAULT_MODEL.id and out["runs"] == 1
    assert out["prompt_tokens_per_s"] > 0 and out["gen_tokens_per_s"] > 0 and out["first_token_ms"] > 0


def test_doctor_names_the_llama_build_and_warns_of_amx_kernels(cli, monkeypatch):
    code, report, _ = cli("doctor", "--no-load", "--json")
    assert "AVX2 = 1" in report["llama_build"]
    assert not any("AMX" in w for w in report["warnings"])
    code, text, _ = cli("doctor", "--no-load")
    assert "llama.cpp build: CPU : " in text

    from agents.llm import llama_loader

    monkeypatch.setattr(llama_loader, "has_amx_kernels", lambda: True)
    code, report, _ = cli("doctor", "--no-load", "--json")
    assert any("compiled with AMX kernels" in w and "make install" in w for w in report["warnings"])

    def not_importable():
        raise ImportError("libllama.so: cannot open shared object file")

    monkeypatch.setattr(llama_loader, "build_info", not_importable)
    code, report, _ = cli("doctor", "--no-load", "--json")
    assert code == 1 and report["llama_build"] == ""
    assert "llama-cpp-python cannot be imported (libllama.so: cannot open shared object file); run `make install`" \
        in report["problems"]

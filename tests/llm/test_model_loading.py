"""Loading real GGUF files through the registry: settings reach llama.cpp, the allow-list is
enforced, bad files fail with a reason in a process that survives, and a chat template that
tries to reach Python internals runs nothing while the model still answers."""
from __future__ import annotations

import subprocess
import sys

import jinja2
import pytest

from agents.llm import llama_loader, registry
from agents.llm.gguf import GGUFError
from agents.llm.llama_backend import LlamaModel
from agents.llm.model_files import DEFAULT_MODEL
from agents.llm.protocol import ChatMessage, GenerationParams, ModelUnavailable
from agents.runtime import settings as settings_mod
from agents.runtime.cancel import CancelToken
from agents.runtime.settings import Settings
from ggufgen import F32, with_chat_template, write_gguf
from pdfgen import write_pdf

pytestmark = pytest.mark.integration

SAY = [ChatMessage("system", "Answer in one word."), ChatMessage("user", "What is the capital of France?")]


def generate(model, n: int = 6) -> str:
    return "".join(model.stream_chat(SAY, GenerationParams(max_tokens=n), CancelToken()))


@pytest.fixture(scope="module")
def default_path(shared_models_dir):
    return registry.resolve("", shared_models_dir).path


def test_settings_reach_llama_cpp_and_the_model_streams(shared_models_dir):
    settings = Settings(n_ctx=1024, n_threads=1, n_batch=128, n_gpu_layers=0, allowed_model_sha256=[DEFAULT_MODEL.sha256])
    model = registry.load_with(registry.resolve("", shared_models_dir), settings)
    assert model._llm.n_ctx() == 1024 and model._llm.n_batch == 128
    assert model._llm.model_params.n_gpu_layers == 0
    assert model.template.render([{"role": "user", "content": "x"}]).from_template  # the GGUF's own template
    assert "Paris" in generate(model)


def test_the_allow_list_refuses_an_unlisted_hash_before_loading(shared_models_dir, data_dir):
    choice = registry.resolve("", shared_models_dir)
    with pytest.raises(ModelUnavailable, match="not on this firm's model allow-list"):
        registry.load(choice, 1024, 1, allowed_sha256=["0" * 64])
    # The composition root passes the setting through.
    from agents.services import Countersign

    data_dir.mkdir(parents=True)
    settings_mod.save(Settings(allowed_model_sha256=["ab" * 32]), data_dir / "settings.json")
    app = Countersign.open(str(data_dir))
    try:
        with pytest.raises(ModelUnavailable, match=f"SHA-256 {DEFAULT_MODEL.sha256}.* allow-list"):
            app.model()
    finally:
        app.close()


LOAD = """
import sys
from pathlib import Path
from agents.llm import registry
from agents.llm.protocol import ModelUnavailable
try:
    registry.load(registry.resolve(sys.argv[1], Path(sys.argv[2])), 1024, 1)
except ModelUnavailable as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
"""


def test_bad_files_fail_with_a_reason_and_the_process_lives(default_path, tmp_path):
    truncated = tmp_path / "truncated.gguf"
    with default_path.open("rb") as src:
        truncated.write_bytes(src.read(64 << 20))  # the first 64 MB of the real model, bytes and all
    write_pdf(tmp_path / "engagement.pdf", ["An engagement letter, not a model."])
    cases = {
        truncated: f"truncated: the header says 485,452,288 bytes of tensor data, the file has {(64 << 20) - 5_947_776:,}",
        tmp_path / "engagement.pdf": "engagement.pdf is not a GGUF file (it looks like a PDF document)",
        write_gguf(tmp_path / "gaps.gguf", tensors=[("a", [8], F32), ("b", [8], F32)], offsets=[0, 4096]):
            "tensor 'b' starts at offset 4,096 of the data, expected 32",
    }
    for path, reason in cases.items():
        run = subprocess.run([sys.executable, "-c", LOAD, str(path), str(tmp_path)], capture_output=True, text=True, timeout=300)
        assert run.returncode == 3, run.stderr  # a clean refusal, not a signal or a traceback
        assert reason in run.stderr
    with pytest.raises(GGUFError, match="truncated"):  # the backend validates too, whoever calls it
        LlamaModel(truncated, "t", "", 1024, 1)


@pytest.fixture(scope="module")
def hostile(default_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    sentinel = folder / "template-ran-code"
    path = with_chat_template(default_path, folder / "hostile.gguf",
                              f"{{{{ cycler.__init__.__globals__.os.system('touch {sentinel}') }}}}")
    return path, sentinel


def test_a_real_gguf_whose_template_reaches_for_python_internals(hostile, tmp_path):
    path, sentinel = hostile
    model = registry.load(registry.resolve(str(path), tmp_path), 1024, 2)
    assert "cycler.__init__" in model.info.chat_template
    answer = generate(model)
    assert not sentinel.exists()  # nothing was executed
    assert model.template.problem.startswith("SecurityError")
    assert "Paris" in answer  # the ChatML fallback still gets an answer from a ChatML-trained model


def test_a_template_that_does_not_compile_still_loads(default_path, tmp_path):
    path = with_chat_template(default_path, tmp_path / "broken.gguf", "{% for %}")
    from llama_cpp import Llama

    with pytest.raises(jinja2.TemplateSyntaxError):  # what llama-cpp-python alone does with it
        Llama(model_path=str(path), n_ctx=512, verbose=False)
    model = registry.load(registry.resolve(str(path), tmp_path), 1024, 2)
    assert model.template.problem.startswith("TemplateSyntaxError") and "Paris" in generate(model)


def test_the_installed_llama_cpp_has_no_amx_kernels():
    # `make install` builds the portable (AVX2) wheel that ships; a native build on an AMX CPU
    # would take the AMX kernels that crash on any prompt longer than one token.
    assert "AVX2 = 1" in llama_loader.build_info()
    assert not llama_loader.has_amx_kernels(), llama_loader.build_info()


def test_a_build_with_amx_kernels_loads_without_extra_buffers(default_path, monkeypatch):
    from llama_cpp import llama_cpp as lib

    monkeypatch.setattr(llama_loader, "has_amx_kernels", lambda: True)
    llm = llama_loader.open_llama(default_path, 512, 1, 0, 128)
    assert llm.model_params.use_extra_bufts is False
    assert lib.llama_model_default_params().use_extra_bufts is True  # restored once loaded
    tokens = llm.tokenize(b"The engagement letter sets the audit fee.")
    llm.eval(tokens)  # a batch of several tokens: what crashes on the AMX kernels
    assert llm.n_tokens == len(tokens) > 1

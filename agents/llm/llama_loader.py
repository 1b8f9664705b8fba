"""Opening a GGUF with llama-cpp-python, and giving it our sandboxed chat template.

llama-cpp-python compiles every chat template in a file's metadata while it loads, in a jinja2
sandbox but outside any try: a template that does not compile aborts loading with a jinja2
exception. We never use its formatters (chat_template.py renders the prompt), so they are
replaced by an inert stand-in for the duration of the load, and the model gets one chat handler
built on ChatTemplate. create_chat_completion then works as before, grammars and all.

A build compiled for a CPU with AMX (-march=native on a Xeon Sapphire Rapids or later) routes
matrix products through llama.cpp's AMX kernels, which in this llama.cpp crash the process on
any batch of more than one token (llama.cpp issue 20824): every prompt. Such a build loads its
models without the extra buffer types those kernels live in. `make install` builds without AMX;
this is for a build made some other way."""
from __future__ import annotations

import contextlib
import functools
import threading
from pathlib import Path

from agents.llm.chat_template import ChatTemplate

_PATCH_LOCK = threading.Lock()


class _NotCompiled:
    """Takes the place of llama_chat_format.Jinja2ChatFormatter while a model loads."""

    def __init__(self, **_: object) -> None:
        pass

    def to_chat_handler(self) -> None:
        return None


@functools.cache
def build_info() -> str:
    """What this llama.cpp was compiled with, as it reports it (e.g. "CPU : AVX2 = 1 | ...")."""
    import llama_cpp

    return llama_cpp.llama_print_system_info().decode(errors="replace").strip()


def has_amx_kernels() -> bool:
    return "AMX_INT8 = 1" in build_info()


@contextlib.contextmanager
def _loading_patches():
    """The template stand-in, and on an AMX build the model parameters without extra buffers."""
    from llama_cpp import llama_chat_format
    from llama_cpp import llama_cpp as lib

    def without_extra_buffers():
        params = default_params()
        params.use_extra_bufts = False
        return params

    with _PATCH_LOCK:  # two models loading at once must not restore each other's patch
        formatter, default_params = llama_chat_format.Jinja2ChatFormatter, lib.llama_model_default_params
        llama_chat_format.Jinja2ChatFormatter = _NotCompiled
        if has_amx_kernels():
            lib.llama_model_default_params = without_extra_buffers
        try:
            yield
        finally:
            llama_chat_format.Jinja2ChatFormatter, lib.llama_model_default_params = formatter, default_params


def import_library() -> None:
    """Import llama-cpp-python (and the shared library it loads) ahead of the first model load."""
    from llama_cpp import llama_chat_format  # noqa: F401 - imported for its cost, not its names


def open_llama(path: Path, n_ctx: int, n_threads: int, n_gpu_layers: int, n_batch: int):
    from llama_cpp import Llama

    with _loading_patches():
        return Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
                     n_gpu_layers=n_gpu_layers, n_batch=min(n_batch, n_ctx), verbose=False)


def token_text(llm, token_id: int) -> str:
    if token_id < 0:
        return ""
    return llm.detokenize([token_id], special=True).decode("utf-8", "replace")


def install_template(llm, source: str | None, model_name: str) -> ChatTemplate:
    """Make create_chat_completion format prompts with `source`, sandboxed, ChatML on failure."""
    from llama_cpp.llama_chat_format import ChatFormatterResponse, chat_formatter_to_chat_completion_handler

    template = ChatTemplate(source, token_text(llm, llm.token_bos()), token_text(llm, llm.token_eos()), model_name)

    def formatter(*, messages, tools=None, **_):
        prompt = template.render(list(messages), tools=tools)
        # A rendered template writes its own BOS (as llama-cpp-python's formatter assumes);
        # the ChatML fallback lets the tokenizer add one if the model wants it.
        return ChatFormatterResponse(prompt=prompt.text, stop=list(prompt.stop), added_special=prompt.from_template)

    llm.chat_handler = chat_formatter_to_chat_completion_handler(formatter)
    return template

"""Chat templates render in the sandbox; hostile or broken ones fall back to ChatML, execute
nothing and say why in the log. Pure Python: the llama.cpp side is in test_model_loading.py."""
from __future__ import annotations

import logging
import time

import pytest

from agents.llm import registry
from agents.llm.chat_template import ChatTemplate, chatml
from agents.llm.gguf import read_gguf

CHAT = [{"role": "system", "content": "You review contracts."}, {"role": "user", "content": "Summarise clause 4."}]


def test_the_real_template_renders_as_llama_cpp_python_would(shared_models_dir):
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    source = read_gguf(registry.resolve("", shared_models_dir).path).chat_template
    prompt = ChatTemplate(source, "<|endoftext|>", "<|im_end|>").render(CHAT)
    theirs = Jinja2ChatFormatter(source, eos_token="<|im_end|>", bos_token="<|endoftext|>")(messages=CHAT).prompt
    assert prompt.from_template and prompt.text == theirs
    assert prompt.text.endswith("<|im_start|>assistant\n") and prompt.stop == ("<|im_end|>",)


def test_bos_eos_and_generation_prompt_reach_the_template():
    t = ChatTemplate("{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m['content'] }}{{ eos_token }}{% endfor %}"
                     "{% if add_generation_prompt %}[assistant]{% endif %}", "<s>", "</s>")
    assert t.render(CHAT).text == "<s>[system]You review contracts.</s>[user]Summarise clause 4.</s>[assistant]"
    assert t.render(CHAT, add_generation_prompt=False).text.endswith("clause 4.</s>")


def test_a_template_that_refuses_a_system_turn_gets_it_in_the_user_turn():
    t = ChatTemplate("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
                     "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}", "", "")
    assert t.render(CHAT).text == "<user>You review contracts.\n\nSummarise clause 4."


def test_no_template_means_chatml():
    prompt = ChatTemplate(None, "", "</s>").render(CHAT)
    assert not prompt.from_template and prompt.text == chatml(CHAT) and prompt.stop == ("<|im_end|>", "</s>")


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch {sentinel}') }}",
    "{{ joiner.__init__.__globals__.os.popen('touch {sentinel}').read() }}",
    "{{ namespace.__init__.__globals__['os'].system('touch {sentinel}') }}",
    "{{ lipsum.__globals__['os'].system('touch {sentinel}') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch {sentinel}') }}",
    "{{ messages.__class__.__base__.__subclasses__() }}",
    "{% set x = messages.append({'role': 'user', 'content': 'injected'}) %}{{ messages }}",
    "{{ raise_exception.__globals__['__builtins__']['__import__']('os').system('touch {sentinel}') }}",
    "{{ ('a' * 100000000000) }}",
    "{{ 7 ** 999999999 }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",  # runs for hours unchecked
    "{% for %}",  # does not compile
    "{{ undefined_function() }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_hostile_templates_execute_nothing_and_fall_back(source, tmp_path, caplog):
    sentinel = tmp_path / "executed"
    template = ChatTemplate(source.replace("{sentinel}", str(sentinel)), "", "</s>", "hostile.gguf")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "countersign.llm"):
        prompt = template.render(CHAT)
        template.render(CHAT)  # a second render does not warn again
    assert time.monotonic() - started < 10
    assert not sentinel.exists()
    assert not prompt.from_template and prompt.text == chatml(CHAT)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "hostile.gguf cannot be used" in warnings[0] and "using ChatML" in warnings[0]
    if "__" in source or ".append" in source:  # an escape attempt: the sandbox itself stopped it
        assert template.problem.startswith("SecurityError")
    assert template.problem


def test_the_trace_hook_is_removed_after_a_render():
    import sys

    before = sys.gettrace()
    ChatTemplate("{{ messages[0].content }}", "", "").render(CHAT)
    ChatTemplate("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "", "").render(CHAT)
    assert sys.gettrace() is before

"""The prompt a chat becomes: the GGUF's own chat template, rendered in jinja2's sandbox.

A chat template is code that ships inside a model file, so it is untrusted: it renders only in
an ImmutableSandboxedEnvironment (no attribute starting with `_`, no mutating methods), under a
time limit, with size limits on `*`, `+` and `**`. A template that does not compile, raises,
breaks a limit or is missing falls back to ChatML, with one warning in the log per model."""
from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

log = logging.getLogger("countersign.llm")

RENDER_SECONDS = 1.0  # a real template renders in milliseconds
MAX_PROMPT_CHARS = 16 << 20
MAX_EXPONENT = 128


class TemplateTimeout(BaseException):
    """Raised from the trace hook. A BaseException so that no `except Exception` inside jinja2's
    runtime can swallow it and let the loop run on."""


@dataclass(frozen=True)
class Prompt:
    text: str
    stop: tuple[str, ...]
    from_template: bool  # False: the ChatML fallback


class _IgnoreGeneration(jinja2.ext.Extension):
    """Hugging Face's `{% generation %}` marks assistant text for training; rendering ignores it."""
    tags = {"generation"}

    def parse(self, parser):
        next(parser.stream)
        return parser.parse_statements(("name:endgeneration",), drop_needle=True)


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox stops reaching Python internals; these checks stop one operator from asking
    for gigabytes ('a' * 10**10) or an endless big-integer power."""
    intercepted_binops = frozenset({"*", "+", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int) and right > MAX_EXPONENT and left not in (0, 1, -1):
            raise SecurityError(f"exponent {right} is too large for a chat template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_PROMPT_CHARS:
                    raise SecurityError("a chat template asked for a string or list too large to be a prompt")
        result = super().call_binop(context, operator, left, right)
        if operator == "+" and isinstance(result, (str, list)) and len(result) > MAX_PROMPT_CHARS:
            raise SecurityError("a chat template built a string too large to be a prompt")
        return result


def _environment() -> _BoundedSandbox:
    # The options Hugging Face renders chat templates with, so prompts match the model's training.
    env = _BoundedSandbox(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols, _IgnoreGeneration])
    env.filters["tojson"] = lambda x, indent=None, ensure_ascii=False, separators=None, sort_keys=False: json.dumps(
        x, indent=indent, ensure_ascii=ensure_ascii, separators=separators, sort_keys=sort_keys)
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(str(fmt))
    return env


def raise_exception(message: str):
    raise jinja2.TemplateError(str(message))


def chatml(messages: list[dict], add_generation_prompt: bool = True) -> str:
    parts = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    return "".join(parts) + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def _render_with_deadline(template: jinja2.Template, seconds: float, **context) -> str:
    """A sandboxed loop can still spin forever (nested `range` loops); a trace function sees
    every line the render runs and ends it at the deadline. Only this thread is traced, and
    only while it renders."""
    deadline = time.monotonic() + seconds

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise TemplateTimeout(f"the chat template ran for more than {seconds:g} s")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return template.render(**context)
    finally:
        sys.settrace(previous)


class ChatTemplate:
    """One model's template, compiled once; `render` never raises for a bad template."""

    def __init__(self, source: str | None, bos_token: str, eos_token: str, model_name: str = "the model",
                 warn: bool = True) -> None:
        self.source, self.bos_token, self.eos_token, self.model_name = source, bos_token, eos_token, model_name
        self._template: jinja2.Template | None = None
        self.problem = ""  # why the last render fell back, for `countersign models check`
        self._warned = not warn
        if source is None:
            if warn:
                log.info("%s has no chat template; using ChatML", model_name)
            return
        try:
            self._template = _environment().from_string(source)
        except (jinja2.TemplateError, SecurityError, RecursionError, MemoryError) as exc:
            self._fall_back(exc)

    def _fall_back(self, exc: BaseException) -> None:
        self.problem = f"{type(exc).__name__}: {str(exc)[:200]}"
        if not self._warned:
            log.warning("the chat template of %s cannot be used (%s); using ChatML instead", self.model_name, self.problem)
            self._warned = True

    def render(self, messages: list[dict], add_generation_prompt: bool = True, tools: list | None = None) -> Prompt:
        if self._template is not None:
            # Some templates refuse a system turn (raise_exception); they get it inside the
            # first user turn, as their model cards advise, before falling back to ChatML.
            try:
                try:
                    return self._render(messages, add_generation_prompt, tools)
                except jinja2.TemplateError as exc:
                    merged = _system_into_user(messages)
                    if merged is None or isinstance(exc, SecurityError):
                        raise
                    return self._render(merged, add_generation_prompt, tools)
            except (Exception, TemplateTimeout) as exc:  # any failure of untrusted code
                self._fall_back(exc)
        stop = tuple(dict.fromkeys(s for s in ("<|im_end|>", self.eos_token) if s))
        return Prompt(chatml(messages, add_generation_prompt), stop, False)

    def _render(self, messages: list[dict], add_generation_prompt: bool, tools: list | None) -> Prompt:
        text = _render_with_deadline(self._template, RENDER_SECONDS, messages=messages, tools=tools,
                                     bos_token=self.bos_token, eos_token=self.eos_token,
                                     add_generation_prompt=add_generation_prompt, raise_exception=raise_exception)
        if len(text) > MAX_PROMPT_CHARS:
            raise SecurityError("the chat template produced a prompt too large to use")
        return Prompt(text, (self.eos_token,) if self.eos_token else (), True)


def _system_into_user(messages: list[dict]) -> list[dict] | None:
    if len(messages) < 2 or messages[0].get("role") != "system" or messages[1].get("role") != "user":
        return None
    merged = {**messages[1], "content": f"{messages[0].get('content', '')}\n\n{messages[1].get('content', '')}"}
    return [merged, *messages[2:]]

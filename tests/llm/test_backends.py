"""Both model backends with the real default GGUF: in process, and behind a real llama.cpp
server (llama-cpp-python's) on loopback. Streaming, cancel mid-generation, usage counts and
schema-constrained JSON."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest
from pydantic import BaseModel, field_validator

from agents.llm import registry
from agents.llm.http_backend import HttpModel
from agents.llm.protocol import ChatMessage, GenerationParams, ModelUnavailable
from agents.llm.structured import StructuredOutputError, extract
from agents.runtime.cancel import CancelToken

pytestmark = pytest.mark.integration

COUNT = [ChatMessage("user", "Count from 1 to 200, separated by commas.")]


class Party(BaseModel):
    name: str
    role: str
    years: int


EXTRACT = [ChatMessage("system", "Extract the party as JSON with keys name, role, years."),
           ChatMessage("user", "Alder Analytics Ltd acts as the Provider for a term of 3 years.")]


@pytest.fixture(scope="module")
def local(shared_models_dir):
    model = registry.load(registry.resolve("", shared_models_dir), n_ctx=1024, n_threads=2)
    yield model


@pytest.fixture(scope="module")
def server(shared_models_dir, local):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(local.path), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "1024", "--n_threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:  # startup is bounded by the deadline, never by a sleep the test asserts on
        try:
            model = HttpModel(url, n_ctx=1024)
            break
        except ModelUnavailable:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("llama_cpp.server did not start")
            time.sleep(0.5)
    yield model
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(params=["local", "server"])
def model(request):
    return request.getfixturevalue(request.param)


def test_streams_tokens_and_reports_usage(model):
    pieces = list(model.stream_chat(COUNT, GenerationParams(max_tokens=12), CancelToken()))
    assert len(pieces) == 12 and "1" in "".join(pieces)
    assert model.last_usage.completion_tokens == 12


def test_cancel_stops_the_stream_within_one_token(model):
    cancel, got = CancelToken(), []
    for piece in model.stream_chat(COUNT, GenerationParams(max_tokens=200), cancel):
        got.append(piece)
        if len(got) == 5:
            cancel.cancel()
    assert len(got) == 5
    # The backend is usable straight after a cancel.
    assert list(model.stream_chat(COUNT, GenerationParams(max_tokens=3), CancelToken()))


def test_fixed_seed_reproduces_the_output(model):
    params = GenerationParams(max_tokens=16, temperature=0.8, seed=7)
    first = "".join(model.stream_chat(COUNT, params, CancelToken()))
    assert "".join(model.stream_chat(COUNT, params, CancelToken())) == first


def test_schema_constrained_output_validates(model):
    party = extract(model, EXTRACT, Party, GenerationParams(max_tokens=80))
    assert party.years == 3 and "Alder" in party.name


def test_an_answer_the_server_cuts_short_is_an_error_not_a_short_answer(server):
    # This fixture's server keeps llama-cpp-python's default: a new request interrupts the one
    # being generated, as on a firm's server started without --interrupt_requests False.
    first = server.stream_chat(COUNT, GenerationParams(max_tokens=200), CancelToken())
    got = [next(first)]
    other = threading.Thread(target=lambda: list(server.stream_chat(COUNT, GenerationParams(max_tokens=2), CancelToken())))
    other.start()
    with pytest.raises(ModelUnavailable, match="stopped this answer before it finished.*--interrupt_requests False"):
        got += list(first)
    other.join(120)
    assert len(got) < 200


def test_counts_tokens_with_the_models_own_tokenizer(local, server):
    text = "The Provider's liability is capped at GBP 9,400."
    assert server.count_tokens(text) == local.count_tokens(text)


def test_an_unreachable_server_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ModelUnavailable, match="not reachable"):
        HttpModel(f"http://127.0.0.1:{port}")
    with pytest.raises(ModelUnavailable, match="not an http"):
        HttpModel("ftp://models.example")


def test_a_firm_server_in_settings_answers_the_matters_questions(server, tmp_path):
    from agents.domain.events import Finished
    from agents.runtime import settings as settings_mod
    from agents.services import Countersign

    data = tmp_path / "data"
    data.mkdir()
    settings_mod.save(settings_mod.Settings(model_server_url=server.url, max_tokens=60), data / "settings.json")
    (tmp_path / "memo.txt").write_text("The audit fee for the Birch Foods engagement is GBP 9,400.")
    app = Countersign.open(str(data))
    try:
        app.create_matter("Birch")
        list(app.ingest("Birch", [tmp_path / "memo.txt"]))
        assert isinstance(app.model(), HttpModel)
        answer = [e.result for e in app.ask("Birch", "What is the audit fee?") if isinstance(e, Finished)][0]
        assert answer.text and answer.citations and answer.citations[0].filename == "memo.txt"
    finally:
        app.close()


def test_a_server_address_that_is_not_a_url_is_a_settings_error(tmp_path):
    from agents.runtime import settings as settings_mod

    with pytest.raises(settings_mod.SettingsError, match="model_server_url"):
        settings_mod.update(tmp_path / "settings.json", "model_server_url", "models.firm.local:8080")


class StrictParty(Party):
    @field_validator("name")
    @classmethod
    def _never(cls, value: str) -> str:
        raise ValueError("no name is accepted")  # a rule no grammar can carry


def test_invalid_output_is_retried_once_then_reported_with_every_attempt(local):
    with pytest.raises(StructuredOutputError, match="StrictParty after 2 attempts: name") as info:
        extract(local, EXTRACT, StrictParty, GenerationParams(max_tokens=80))
    assert len(info.value.attempts) == 2 and all('"name"' in a for a in info.value.attempts)

"""`switchboard-instant-upstream`, the benchmark's upstream, answers the official `openai` SDK correctly."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai import OpenAI

from conftest import RunningServer, find_binary, start_server

REPLY = "Hello from instant upstream"
MESSAGES = [{"role": "user", "content": "Say hello"}]


@pytest.fixture(scope="module")
def instant() -> Iterator[RunningServer]:
    server = start_server(find_binary("switchboard-instant-upstream"), "--port", "0")
    yield server
    server.stop()


@pytest.fixture
def client(instant: RunningServer) -> OpenAI:
    return OpenAI(base_url=f"{instant.root_url}/v1", api_key="sk-test", max_retries=0)


def test_buffered_completion_with_usage(client: OpenAI) -> None:
    completion = client.chat.completions.create(model="bench", messages=MESSAGES)
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content == REPLY
    assert completion.choices[0].finish_reason == "stop"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        10,
        4,
        14,
    )


@pytest.mark.parametrize("include_usage", [True, False])
def test_stream_of_chunks_and_the_usage_chunk_when_asked(client: OpenAI, include_usage: bool) -> None:
    options = {"stream_options": {"include_usage": True}} if include_usage else {}
    chunks = list(client.chat.completions.create(model="bench", messages=MESSAGES, stream=True, **options))
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    content = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert content == REPLY
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-1] == "stop"
    usage = [chunk for chunk in chunks if chunk.usage is not None]
    if include_usage:
        assert len(usage) == 1 and usage[0] is chunks[-1] and chunks[-1].choices == []
        assert usage[0].usage.total_tokens == 14
    else:
        assert usage == []


def test_other_paths_are_not_found(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.models.list()
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="bench", input="x")

"""The fake upstream speaks the OpenAI wire format well enough for the official `openai` SDK."""

from __future__ import annotations

import base64
import json
import math
import struct
import time
import urllib.error
import urllib.request

import openai
import pydantic
import pytest
from openai import OpenAI

from conftest import OTHER_TOOL, WEATHER_TOOL



class GetWeather(pydantic.BaseModel):
    location: str


@pytest.fixture
def client(fake) -> OpenAI:
    return OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)


def post_raw(fake, path: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{fake.root_url}{path}", data=body, method="POST", headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# MARK: chat completions, buffered


def test_buffered_chat_echoes_last_user_message_with_word_usage(client):
    before = int(time.time())
    completion = client.chat.completions.create(
        model="gpt-test",
        messages=[
            {"role": "system", "content": "be very brief"},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "an answer"},
            {"role": "user", "content": "hello big world"},
        ],
    )
    assert completion.id.startswith("chatcmpl-fake")
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-test"
    assert completion.system_fingerprint == "fp_fake"
    assert before - 1 <= completion.created <= int(time.time()) + 1
    assert len(completion.choices) == 1
    choice = completion.choices[0]
    assert choice.index == 0
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content == "You said: hello big world"
    assert choice.message.refusal is None
    assert choice.message.tool_calls is None
    # prompt: 3 + 2 + 2 + 3 words; completion: "You said: hello big world" = 5 words.
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        10,
        5,
        15,
    )


def test_response_ids_are_unique_per_request(client):
    ids = {
        client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "x"}]).id
        for _ in range(3)
    }
    assert len(ids) == 3


def test_bench_model_replies_with_fixed_text(client):
    completion = client.chat.completions.create(
        model="bench", messages=[{"role": "user", "content": "anything at all here"}]
    )
    assert completion.model == "bench"
    assert completion.choices[0].message.content == "Hello from fake upstream"
    assert completion.choices[0].finish_reason == "stop"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        4,
        4,
        8,
    )


def test_content_parts_are_joined(client):
    completion = client.chat.completions.create(
        model="gpt-test",
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "part one"}, {"type": "text", "text": "part two"}],
            }
        ],
    )
    assert completion.choices[0].message.content == "You said: part one part two"
    assert completion.usage.prompt_tokens == 4
    assert completion.usage.completion_tokens == 6


def test_n_choices(client):
    completion = client.chat.completions.create(
        model="gpt-test", n=2, messages=[{"role": "user", "content": "twice please"}]
    )
    assert [c.index for c in completion.choices] == [0, 1]
    assert [c.message.content for c in completion.choices] == ["You said: twice please"] * 2
    assert all(c.finish_reason == "stop" for c in completion.choices)


@pytest.mark.parametrize("limit_field", ["max_tokens", "max_completion_tokens"])
def test_token_limit_truncates_with_length(client, limit_field):
    completion = client.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "one two three four"}], **{limit_field: 3}
    )
    choice = completion.choices[0]
    assert choice.message.content == "You said: one"
    assert choice.finish_reason == "length"
    assert completion.usage.completion_tokens == 3


def test_token_limit_above_reply_length_does_not_truncate(client):
    completion = client.chat.completions.create(
        model="gpt-test", max_tokens=50, messages=[{"role": "user", "content": "short"}]
    )
    assert completion.choices[0].message.content == "You said: short"
    assert completion.choices[0].finish_reason == "stop"


# MARK: chat completions, streamed


def test_stream_helper_accumulates_content(client):
    with client.chat.completions.stream(
        model="gpt-test", messages=[{"role": "user", "content": "stream me please"}]
    ) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta" and event.delta]
        final = stream.get_final_completion()
    assert deltas == ["You ", "said: ", "stream ", "me ", "please"]
    assert final.choices[0].message.content == "You said: stream me please"
    assert final.choices[0].finish_reason == "stop"
    assert final.id.startswith("chatcmpl-fake")
    assert final.model == "gpt-test"


def test_raw_stream_with_include_usage(client):
    chunks = list(
        client.chat.completions.create(
            model="gpt-test",
            messages=[{"role": "user", "content": "count these words"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    # role chunk + 5 word chunks + finish chunk + usage chunk
    assert len(chunks) == 8
    assert {c.id for c in chunks} == {chunks[0].id}
    assert {c.created for c in chunks} == {chunks[0].created}
    assert {c.model for c in chunks} == {"gpt-test"}
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[0].choices[0].delta.content == ""
    text = "".join(c.choices[0].delta.content or "" for c in chunks[:-1])
    assert text == "You said: count these words"
    assert [c.choices[0].finish_reason for c in chunks[:-1]] == [None] * 6 + ["stop"]
    assert all(c.usage is None for c in chunks[:-1])
    last = chunks[-1]
    assert last.choices == []
    assert (last.usage.prompt_tokens, last.usage.completion_tokens, last.usage.total_tokens) == (3, 5, 8)


def test_raw_stream_without_include_usage_has_no_usage_chunk(client):
    chunks = list(
        client.chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )
    assert all(c.choices for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_streamed_n_choices_are_interleaved(client):
    chunks = list(
        client.chat.completions.create(
            model="gpt-test", n=2, messages=[{"role": "user", "content": "a b"}], stream=True
        )
    )
    indices = [c.choices[0].index for c in chunks]
    assert indices == [0, 1] * (len(chunks) // 2)
    for index in (0, 1):
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices[0].index == index)
        assert text == "You said: a b"


def test_streamed_token_limit(client):
    chunks = list(
        client.chat.completions.create(
            model="gpt-test",
            max_tokens=2,
            messages=[{"role": "user", "content": "will be cut off"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks[:-1]) == "You said:"
    assert chunks[-2].choices[0].finish_reason == "length"
    assert chunks[-1].usage.completion_tokens == 2


def test_stream_helper_reports_length_limit(client):
    # The SDK's stream helper refuses to parse a reply cut off by the token limit.
    with pytest.raises(openai.LengthFinishReasonError):
        with client.chat.completions.stream(
            model="gpt-test", max_tokens=2, messages=[{"role": "user", "content": "will be cut off"}]
        ) as stream:
            stream.get_final_completion()


# MARK: tool calls


def test_buffered_single_tool_call_uses_first_tool(client):
    completion = client.chat.completions.create(
        model="fake-tool",
        messages=[{"role": "user", "content": "weather?"}],
        tools=[WEATHER_TOOL, OTHER_TOOL],
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls
    assert len(calls) == 1
    assert calls[0].id == "call_fake_0"
    assert calls[0].type == "function"
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"location": "Paris"}


def test_buffered_two_tool_calls(client):
    completion = client.chat.completions.create(
        model="fake-tools2", messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER_TOOL, OTHER_TOOL]
    )
    calls = completion.choices[0].message.tool_calls
    assert [c.id for c in calls] == ["call_fake_0", "call_fake_1"]
    assert [c.function.name for c in calls] == ["get_weather", "get_weather"]
    assert [json.loads(c.function.arguments) for c in calls] == [{"location": "Paris"}, {"location": "Tokyo"}]
    assert completion.choices[0].finish_reason == "tool_calls"


def test_tool_model_without_tools_replies_with_text(client):
    completion = client.chat.completions.create(model="fake-tool", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content == "You said: hi"
    assert completion.choices[0].message.tool_calls is None


@pytest.mark.parametrize(
    ("model", "locations"), [("fake-tool", ["Paris"]), ("fake-tools2", ["Paris", "Tokyo"])]
)
def test_streamed_tool_calls_are_parsed_by_the_stream_helper(client, model, locations):
    with client.chat.completions.stream(
        model=model,
        messages=[{"role": "user", "content": "weather?"}],
        tools=[openai.pydantic_function_tool(GetWeather)],
    ) as stream:
        done_events = [event for event in stream if event.type == "tool_calls.function.arguments.done"]
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert [c.id for c in calls] == [f"call_fake_{i}" for i in range(len(locations))]
    assert [c.function.name for c in calls] == ["GetWeather"] * len(locations)
    assert [c.function.parsed_arguments for c in calls] == [GetWeather(location=loc) for loc in locations]
    assert [json.loads(e.arguments) for e in done_events] == [{"location": loc} for loc in locations]


def test_streamed_tool_call_arguments_arrive_in_three_pieces(client):
    chunks = list(
        client.chat.completions.create(
            model="fake-tool", messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER_TOOL], stream=True
        )
    )
    deltas = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert deltas[0].id == "call_fake_0" and deltas[0].function.name == "get_weather"
    assert deltas[0].function.arguments == ""
    pieces = [d.function.arguments for d in deltas[1:]]
    assert len(pieces) == 3 and all(pieces)
    assert "".join(pieces) == '{"location":"Paris"}'
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


# MARK: legacy completions


def test_legacy_completion_buffered(client):
    completion = client.completions.create(model="gpt-instruct", prompt="tell me a story")
    assert completion.id.startswith("cmpl-fake")
    assert completion.object == "text_completion"
    assert completion.model == "gpt-instruct"
    assert completion.choices[0].text == "You said: tell me a story"
    assert completion.choices[0].index == 0
    assert completion.choices[0].finish_reason == "stop"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        4,
        6,
        10,
    )


def test_legacy_completion_uses_first_prompt_of_array(client):
    completion = client.completions.create(model="gpt-instruct", prompt=["first one", "second"])
    assert completion.choices[0].text == "You said: first one"


def test_legacy_completion_streamed_with_usage(client):
    chunks = list(
        client.completions.create(
            model="nochat", prompt="stream this", stream=True, stream_options={"include_usage": True}
        )
    )
    assert all(c.object == "text_completion" for c in chunks)
    assert {c.id for c in chunks} == {chunks[0].id}
    assert "".join(c.choices[0].text for c in chunks[:-1]) == "You said: stream this"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (2, 4)


def test_nochat_model_is_rejected_on_chat_endpoint(client):
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="nochat", messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 404
    assert "not a chat model" in info.value.message
    assert info.value.param == "model"
    assert info.value.type == "invalid_request_error"


# MARK: embeddings


def norm(vector) -> float:
    return math.sqrt(sum(x * x for x in vector))


def test_embeddings_float(client):
    response = client.embeddings.create(
        model="embed", input=["alpha beta", "gamma", "alpha beta"], encoding_format="float"
    )
    assert response.object == "list"
    assert response.model == "embed"
    assert [item.index for item in response.data] == [0, 1, 2]
    assert all(item.object == "embedding" for item in response.data)
    vectors = [item.embedding for item in response.data]
    assert all(len(v) == 8 for v in vectors)
    assert all(abs(norm(v) - 1) < 1e-5 for v in vectors)
    assert vectors[0] == vectors[2]  # deterministic
    assert vectors[0] != vectors[1]
    assert (response.usage.prompt_tokens, response.usage.total_tokens) == (5, 5)


def test_embeddings_token_inputs_and_dimensions(client):
    response = client.embeddings.create(model="embed", input=[[1, 2, 3], [4]], dimensions=16, encoding_format="float")
    assert [len(item.embedding) for item in response.data] == [16, 16]
    assert response.usage.prompt_tokens == 4


def test_embeddings_base64_explicit(client, fake):
    floats = client.embeddings.create(model="embed", input="same text", encoding_format="float").data[0].embedding
    encoded = client.embeddings.create(model="embed", input="same text", encoding_format="base64").data[0].embedding
    # With an explicit encoding_format the SDK hands back the base64 string untouched.
    assert isinstance(encoded, str)
    raw = base64.b64decode(encoded)
    assert len(raw) == 8 * 4
    decoded = list(struct.unpack("<8f", raw))
    assert abs(norm(decoded) - 1) < 1e-5
    assert decoded == pytest.approx(floats, abs=1e-7)


def test_embeddings_default_format_is_base64_decoded_by_sdk(client, fake):
    floats = client.embeddings.create(model="embed", input="decode me", encoding_format="float").data[0].embedding
    fake.reset()
    vector = client.embeddings.create(model="embed", input="decode me", dimensions=8).data[0].embedding
    # The SDK asks for base64 on the wire and decodes the little-endian float32 bytes itself.
    assert fake.requests()[0]["body"]["encoding_format"] == "base64"
    assert len(vector) == 8
    assert abs(norm(vector) - 1) < 1e-5
    assert vector == pytest.approx(floats, abs=1e-7)


# MARK: models


def test_models_list(client):
    models = client.models.list()
    ids = [m.id for m in models.data]
    assert "bench" in ids
    assert all(m.object == "model" and m.owned_by == "fake" for m in models.data)


# MARK: errors and model-name behaviours


@pytest.mark.parametrize(
    ("status", "exception", "error_type"),
    [
        (400, openai.BadRequestError, "invalid_request_error"),
        (401, openai.AuthenticationError, "authentication_error"),
        (404, openai.NotFoundError, "invalid_request_error"),
        (429, openai.RateLimitError, "rate_limit_error"),
        (500, openai.InternalServerError, "server_error"),
        (503, openai.InternalServerError, "server_error"),
    ],
)
def test_status_models_raise_sdk_errors(client, status, exception, error_type):
    with pytest.raises(exception) as info:
        client.chat.completions.create(model=f"status-{status}", messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == status
    assert info.value.body["message"] == f"fake upstream error {status}"
    assert info.value.type == error_type
    assert info.value.body["param"] is None
    if status == 429:
        assert info.value.response.headers["retry-after"] == "1"


def test_status_models_apply_to_legacy_completions(client):
    with pytest.raises(openai.RateLimitError):
        client.completions.create(model="status-429", prompt="hi")


def test_noargs_tool_model_calls_with_empty_arguments(client):
    completion = client.chat.completions.create(
        model="tool-noargs", messages=[{"role": "user", "content": "time?"}], tools=[OTHER_TOOL])
    assert completion.choices[0].message.tool_calls[0].function.arguments == "{}"
    with client.chat.completions.stream(
        model="tool-noargs", messages=[{"role": "user", "content": "time?"}], tools=[OTHER_TOOL]
    ) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.arguments == "{}"


def test_publisher_prefixed_models_behave_like_the_bare_name(client):
    """Vertex AI names models `publisher/model`: `google/status-429` is `status-429`."""
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="google/status-429", messages=[{"role": "user", "content": "hi"}])
    completion = client.chat.completions.create(
        model="google/tool-model", messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER_TOOL])
    assert completion.choices[0].message.tool_calls[0].function.arguments == '{"location":"Paris"}'
    assert completion.model == "google/tool-model"


def test_flaky_model_fails_first_n_requests_then_recovers(client, fake):
    def call():
        return client.chat.completions.create(model="flaky-2", messages=[{"role": "user", "content": "again"}])

    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            call()
    assert call().choices[0].message.content == "You said: again"
    fake.reset()
    with pytest.raises(openai.InternalServerError):
        call()


def test_flaky_model_succeeds_through_sdk_retries(fake):
    client = OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=2)
    completion = client.chat.completions.create(model="flaky-1", messages=[{"role": "user", "content": "retry"}])
    assert completion.choices[0].message.content == "You said: retry"
    assert len(fake.requests()) == 2


def test_slow_model_delays_the_response(client):
    start = time.monotonic()
    completion = client.chat.completions.create(model="slow-400", messages=[{"role": "user", "content": "wait"}])
    assert time.monotonic() - start >= 0.4
    assert completion.choices[0].message.content == "You said: wait"


def test_midstream_error_breaks_the_stream(client):
    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in client.chat.completions.create(
            model="midstream-error", messages=[{"role": "user", "content": "never finishes"}], stream=True
        ):
            received.append(chunk.choices[0].delta.content)
    assert received == ["", "You ", "said: "]


def test_unknown_path_and_malformed_json_use_the_error_envelope(fake):
    status, body = post_raw(fake, "/v1/nope", b"{}")
    assert status == 404
    assert body["error"]["message"] == "Invalid URL (POST /v1/nope)"
    assert body["error"]["type"] == "invalid_request_error"
    status, body = post_raw(fake, "/v1/chat/completions", b"{not json")
    assert status == 400
    assert body["error"]["type"] == "invalid_request_error"
    assert "could not parse the JSON body" in body["error"]["message"]


# MARK: recording


def test_recording_shows_authorization_headers_and_exact_body(client, fake):
    messages = [{"role": "user", "content": "record me"}]
    client.chat.completions.create(
        model="gpt-test", messages=messages, temperature=0.5, extra_headers={"X-Trace-Id": "trace-123"}
    )
    client.models.list()
    recorded = fake.requests()
    assert [(r["method"], r["path"]) for r in recorded] == [("POST", "/v1/chat/completions"), ("GET", "/v1/models")]
    chat = recorded[0]
    assert chat["authorization"] == "Bearer sk-test"
    assert "authorization" not in chat["headers"]
    assert chat["headers"]["x-trace-id"] == "trace-123"
    assert chat["headers"]["content-type"] == "application/json"
    assert chat["body"] == {"model": "gpt-test", "messages": messages, "temperature": 0.5}
    assert recorded[1]["body"] is None
    fake.reset()
    assert fake.requests() == []


# MARK: command-line options


def test_no_record_and_stream_delay_options(fake_upstream_binary):
    from conftest import FakeUpstream, start_server

    server = start_server(fake_upstream_binary, "--port", "0", "--no-record", "--stream-delay-ms", "60")
    try:
        other = FakeUpstream(server)
        client = OpenAI(base_url=other.base_url, api_key="sk-test", max_retries=0)
        start = time.monotonic()
        chunks = list(
            client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "x"}], stream=True)
        )
        elapsed = time.monotonic() - start
        # role + 3 words + finish chunks, then [DONE]: 5 pauses of 60 ms between the 6 events.
        assert len(chunks) == 5
        assert elapsed >= 0.3
        assert other.requests() == []
    finally:
        server.stop()
    assert server.process.returncode == 0

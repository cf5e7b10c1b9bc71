"""The fake Anthropic Messages API (`POST /v1/messages`) is proven against the official `anthropic` SDK."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import anthropic
import pytest
from anthropic import Anthropic

WEATHER = {
    "name": "get_weather",
    "description": "Current weather",
    "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}
TIME = {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}
SYSTEM = "be brief"  # 2 words
MESSAGES = [
    {"role": "user", "content": "first question"},
    {"role": "assistant", "content": "an answer"},
    {"role": "user", "content": [{"type": "text", "text": "hello big"}, {"type": "text", "text": "world"}]},
]
INPUT_WORDS = 2 + 2 + 2 + 3


@pytest.fixture
def client(fake) -> Anthropic:
    return Anthropic(base_url=fake.root_url, api_key="sk-ant-test", max_retries=0)


def create(client: Anthropic, model: str, **extra):
    return client.messages.create(model=model, max_tokens=100, system=SYSTEM, messages=MESSAGES, **extra)


def usage_tuple(usage) -> tuple:
    return (usage.input_tokens, usage.output_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens)


def post_raw(fake, body: dict, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        f"{fake.root_url}/v1/messages", data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def sse_events(raw: bytes) -> list[tuple[str, dict]]:
    """(event name, parsed data) pairs of an SSE body."""
    events = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


# MARK: buffered


def test_text_reply_echoes_the_last_user_message_with_word_usage(client, fake):
    message = create(client, "claude-test")
    assert message.id.startswith("msg_fake")
    assert (message.type, message.role, message.model) == ("message", "assistant", "claude-test")
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "You said: hello big world"
    assert (message.stop_reason, message.stop_sequence) == ("end_turn", None)
    # input: system + every message's words; output: the reply's words; no cache.
    assert usage_tuple(message.usage) == (INPUT_WORDS, 5, 0, 0)
    assert message.usage.service_tier == "standard"

    [recorded] = fake.requests()
    assert (recorded["method"], recorded["path"], recorded["query"]) == ("POST", "/v1/messages", None)
    # Current SDKs send the key as a bearer token; older ones (and the gateway, maybe) as x-api-key.
    assert recorded["authorization"] == "Bearer sk-ant-test" or recorded["headers"]["x-api-key"] == "sk-ant-test"
    assert recorded["headers"]["anthropic-version"]
    assert recorded["body"]["model"] == "claude-test"
    assert json.loads(recorded["raw_body"]) == recorded["body"]


def test_tool_model_calls_the_first_offered_tool_after_a_short_text(client):
    message = create(client, "claude-tool", tools=[WEATHER, TIME])
    assert [block.type for block in message.content] == ["text", "tool_use"]
    assert message.content[0].text == "I will call get_weather."
    call = message.content[1]
    assert (call.id, call.name, call.input) == ("toolu_fake_0", "get_weather", {"location": "Paris"})
    assert message.stop_reason == "tool_use"
    assert usage_tuple(message.usage) == (INPUT_WORDS, 4 + 3, 0, 0)


def test_tools2_model_makes_two_parallel_tool_calls(client):
    message = create(client, "claude-tools2", tools=[WEATHER])
    calls = [block for block in message.content if block.type == "tool_use"]
    assert [(c.id, c.name, c.input) for c in calls] == [
        ("toolu_fake_0", "get_weather", {"location": "Paris"}),
        ("toolu_fake_1", "get_weather", {"location": "Tokyo"}),
    ]
    assert message.stop_reason == "tool_use"
    assert message.usage.output_tokens == 4 + 3 + 3


def test_tool_model_without_tools_answers_with_text(client):
    message = create(client, "claude-tool")
    assert [block.type for block in message.content] == ["text"]
    assert message.stop_reason == "end_turn"


@pytest.mark.parametrize(
    "model, extra",
    [("claude-thinking", {}), ("claude-test", {"thinking": {"type": "enabled", "budget_tokens": 1024}})],
)
def test_thinking_block_comes_before_the_text(client, model, extra):
    message = create(client, model, **extra)
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert message.content[0].thinking == "Let me think this through briefly."
    assert message.content[0].signature
    assert message.content[1].text == "You said: hello big world"
    assert message.usage.output_tokens == 6 + 5


def test_cache_model_reports_cache_tokens(client):
    message = create(client, "claude-cache")
    assert usage_tuple(message.usage) == (INPUT_WORDS, 5, 20, 100)


def test_maxtokens_model_stops_after_three_words(client):
    message = create(client, "claude-maxtokens")
    assert message.content[0].text == "You said: hello"
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 3


def test_small_max_tokens_truncates_the_reply(client):
    message = client.messages.create(model="claude-test", max_tokens=2, messages=MESSAGES)
    assert message.content[0].text == "You said:"
    assert (message.stop_reason, message.usage.output_tokens) == ("max_tokens", 2)


def test_stop_model_reports_the_requested_stop_sequence(client):
    message = create(client, "claude-stop", stop_sequences=["END", "FIN"])
    assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", "END")
    assert create(client, "claude-stop").stop_sequence == "STOP"


# MARK: streamed


@pytest.mark.parametrize(
    "model, extra",
    [
        ("claude-test", {}),
        ("claude-tool", {"tools": [WEATHER]}),
        ("claude-tools2", {"tools": [WEATHER]}),
        ("claude-thinking", {}),
        ("claude-thinking-tool", {"tools": [WEATHER]}),
        ("claude-tool-noargs", {"tools": [TIME]}),
        ("claude-cache", {}),
        ("claude-maxtokens", {}),
        ("claude-stop", {"stop_sequences": ["END"]}),
    ],
)
def test_stream_helper_reassembles_the_buffered_message(client, model, extra):
    buffered = create(client, model, **extra)
    with client.messages.stream(model=model, max_tokens=100, system=SYSTEM, messages=MESSAGES, **extra) as stream:
        final = stream.get_final_message()
    assert final.id != buffered.id
    assert [block.model_dump() for block in final.content] == [block.model_dump() for block in buffered.content]
    assert final.usage.model_dump() == buffered.usage.model_dump()
    assert (final.stop_reason, final.stop_sequence, final.model) == (
        buffered.stop_reason, buffered.stop_sequence, buffered.model)


def test_text_stream_yields_the_words(client):
    with client.messages.stream(model="claude-test", max_tokens=100, messages=MESSAGES) as stream:
        pieces = list(stream.text_stream)
    assert pieces == ["You ", "said: ", "hello ", "big ", "world"]


def test_sse_wire_shape_matches_the_real_api(fake):
    body = {"model": "claude-thinking-tool-cache", "max_tokens": 100, "stream": True, "messages": MESSAGES,
            "tools": [WEATHER]}
    status, headers, raw = post_raw(fake, body, {"x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["request-id"].startswith("req_fake")
    events = sse_events(raw)
    names = [name for name, _ in events]
    # Every data payload names its own event type, like the recordings in shared/vectors/anthropic.
    assert all(data["type"] == name for name, data in events)
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]

    start = events[0][1]["message"]
    assert (start["content"], start["stop_reason"], start["stop_sequence"]) == ([], None, None)
    assert start["usage"] == {"input_tokens": 2 + 2 + 3, "cache_creation_input_tokens": 20,
                              "cache_read_input_tokens": 100, "output_tokens": 1, "service_tier": "standard"}

    starts = [data for name, data in events if name == "content_block_start"]
    assert [(s["index"], s["content_block"]["type"]) for s in starts] == [(0, "thinking"), (1, "text"), (2, "tool_use")]
    assert starts[0]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    assert starts[2]["content_block"] == {"type": "tool_use", "id": "toolu_fake_0", "name": "get_weather",
                                          "caller": {"type": "direct"}, "input": {}}
    deltas = [data for name, data in events if name == "content_block_delta"]
    kinds = [(d["index"], d["delta"]["type"]) for d in deltas]
    assert kinds.count((0, "thinking_delta")) == 6 and kinds.count((0, "signature_delta")) == 1
    assert kinds.index((0, "signature_delta")) == 6
    json_pieces = [d["delta"]["partial_json"] for d in deltas if d["delta"]["type"] == "input_json_delta"]
    assert len(json_pieces) == 4 and json_pieces[0] == ""
    assert json.loads("".join(json_pieces)) == {"location": "Paris"}
    stops = [data["index"] for name, data in events if name == "content_block_stop"]
    assert stops == [0, 1, 2]

    message_delta = events[-2][1]
    assert message_delta == {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                             "usage": {"output_tokens": 6 + 4 + 3}}
    assert b'event: ping\ndata: {"type": "ping"}\n\n' in raw


def test_midstream_error_event_raises_after_some_text(client):
    received = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(model="midstream-error", max_tokens=100, messages=MESSAGES) as stream:
            for text in stream.text_stream:
                received.append(text)
    assert received == ["You ", "said: "]
    assert caught.value.body["type"] == "error"
    assert caught.value.body["error"]["type"] == "overloaded_error"


# MARK: errors


@pytest.mark.parametrize(
    "status, exception, error_type",
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (403, anthropic.PermissionDeniedError, "permission_error"),
        (404, anthropic.NotFoundError, "not_found_error"),
        (413, anthropic.RequestTooLargeError, "request_too_large"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (529, anthropic.InternalServerError, "overloaded_error"),
    ],
)
def test_status_models_raise_the_sdk_exception_for_the_anthropic_error_type(client, status, exception, error_type):
    with pytest.raises(exception) as caught:
        create(client, f"status-{status}")
    error = caught.value
    assert error.status_code == status
    assert error.body["type"] == "error"
    assert error.body["error"]["type"] == error_type
    assert error.body["error"]["message"] == f"fake upstream error {status}"
    assert error.request_id is not None and error.request_id.startswith("req_fake")
    assert (error.response.headers.get("retry-after") == "1") == (status == 429)


def test_overloaded_is_the_sdk_overloaded_error(client):
    with pytest.raises(anthropic.OverloadedError):
        create(client, "claude-status-529")


def test_streamed_request_with_status_model_raises_before_any_event(client):
    with pytest.raises(anthropic.RateLimitError):
        with client.messages.stream(model="status-429", max_tokens=10, messages=MESSAGES) as stream:
            stream.get_final_message()


def test_flaky_model_fails_with_overloaded_then_succeeds(client):
    with pytest.raises(anthropic.OverloadedError):
        create(client, "claude-flaky-1")
    assert create(client, "claude-flaky-1").content[0].text == "You said: hello big world"


def test_missing_api_key_is_an_authentication_error(fake):
    status, headers, raw = post_raw(
        fake, {"model": "claude-test", "max_tokens": 10, "messages": MESSAGES}, {"anthropic-version": "2023-06-01"})
    assert status == 401
    assert headers["content-type"] == "application/json"
    body = json.loads(raw)
    assert body["type"] == "error"
    assert body["error"] == {"type": "authentication_error", "message": "x-api-key header is required"}


@pytest.mark.parametrize("credential", [{"x-api-key": "k"}, {"authorization": "Bearer k"}])
def test_either_api_key_header_is_accepted(fake, credential):
    status, _, raw = post_raw(
        fake, {"model": "claude-test", "max_tokens": 10, "messages": MESSAGES},
        {"anthropic-version": "2023-06-01", **credential})
    assert status == 200
    assert json.loads(raw)["content"] == [{"type": "text", "text": "You said: hello big world"}]


def test_missing_version_header_is_rejected_like_the_real_api(fake):
    status, _, raw = post_raw(
        fake, {"model": "claude-test", "max_tokens": 10, "messages": MESSAGES}, {"x-api-key": "k"})
    assert status == 400
    assert json.loads(raw)["error"] == {"type": "invalid_request_error",
                                        "message": "anthropic-version: header is required"}


def test_body_without_max_tokens_is_an_invalid_request(fake):
    status, _, raw = post_raw(
        fake, {"model": "claude-test", "messages": MESSAGES}, {"x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert status == 400
    assert json.loads(raw)["error"]["type"] == "invalid_request_error"

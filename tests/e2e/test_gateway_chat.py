"""The gateway speaks the OpenAI API to the official SDK: buffered and streamed chat, tools, legacy completions,
models; the upstream receives the client's request unchanged except for the model."""

from __future__ import annotations

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2 as httpx

import openai
import pytest
from openai import OpenAI

from conftest import OTHER_TOOL, WEATHER_TOOL, gateway_config



@pytest.fixture(scope="module")
def key(gw) -> str:
    return gw.create_key("acme", label="chat-tests")


@pytest.fixture
def client(gw, key, fake) -> OpenAI:
    return OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)


def chat_posts(fake) -> list[dict]:
    return [r for r in fake.requests() if r["path"] == "/v1/chat/completions"]


# MARK: buffered


def test_buffered_chat_is_rewritten_to_the_alias(client, fake):
    raw = client.chat.completions.with_raw_response.create(
        model="chat", messages=[{"role": "user", "content": "hello big world"}]
    )
    assert raw.headers.get("x-request-id")
    completion = raw.parse()
    assert completion.choices[0].message.content == "You said: hello big world"
    assert completion.model == "chat"
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert not completion.id.startswith("chatcmpl-fake"), "the upstream's id leaked through"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        3, 5, 8)
    [upstream] = chat_posts(fake)
    assert upstream["body"]["model"] == "gpt-fake"
    assert upstream["authorization"] == "Bearer sk-fake-default"


def test_request_ids_differ_per_request(client):
    ids = {
        client.chat.completions.with_raw_response.create(
            model="chat", messages=[{"role": "user", "content": "x"}]).headers["x-request-id"]
        for _ in range(3)
    }
    assert len(ids) == 3


FULL_REQUEST = {
    "messages": [
        {"role": "system", "content": "be brief"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is in this image"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
            ],
        },
    ],
    "tools": [WEATHER_TOOL, OTHER_TOOL],
    "tool_choice": "auto",
    "n": 2,
    "stop": ["\n\n", "END"],
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "answer",
            "strict": True,
            "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"],
                       "additionalProperties": False},
        },
    },
    "seed": 42,
    "logprobs": True,
    "top_logprobs": 3,
    "max_completion_tokens": 50,
    "reasoning_effort": "low",
    "temperature": 0.25,
    "user": "end-user-7",
}


def test_every_field_reaches_the_upstream_unchanged(client, fake):
    params = copy.deepcopy(FULL_REQUEST)
    client.chat.completions.create(model="chat", extra_body={"future_field": {"x": [1, 2]}}, **params)
    [upstream] = chat_posts(fake)
    expected = {**FULL_REQUEST, "model": "gpt-fake", "future_field": {"x": [1, 2]}}
    assert upstream["body"] == expected


def test_every_field_reaches_the_upstream_unchanged_when_streaming(client, fake):
    params = copy.deepcopy(FULL_REQUEST)
    params.pop("n")
    chunks = list(
        client.chat.completions.create(
            model="chat", stream=True, extra_body={"future_field": {"x": [1, 2]}}, **params)
    )
    assert chunks
    [upstream] = chat_posts(fake)
    expected = {**FULL_REQUEST, "model": "gpt-fake", "future_field": {"x": [1, 2]}, "stream": True,
                "stream_options": {"include_usage": True}}
    expected.pop("n")
    assert upstream["body"] == expected


# The client's members as written (escapes, number spellings, spacing inside values): the gateway replaces
# `model` and passes every other member's text on byte for byte, as the SDKs' own JSON would reach OpenAI.
RAW_MESSAGES = rb'[ {"role" : "user", "content":"caf\u00e9 \ud83d\ude00 \"quoted\" \/ tab\t ' + "café ✓".encode() + b'"} ]'
RAW_MEMBERS = [
    (b'"messages"', RAW_MESSAGES),
    (b'"temperature"', b"1.0"),
    (b'"seed"', b"12345678901234567890"),
    (b'"future_field"', b'{ "a" : [1e2, -0.0, 1E-7], "b" : null }'),
]


def raw_chat(gw, key: str, members: list[tuple[bytes, bytes]]) -> httpx.Response:
    body = b"{ \n" + b" ,\n ".join(k + b" : " + v for k, v in [(b'"model"', b'"chat"')] + members) + b" }"
    return httpx.post(gw.root + "/v1/chat/completions", content=body, timeout=30,
                      headers={"content-type": "application/json", "authorization": f"Bearer {key}"})


def test_the_upstream_gets_the_clients_bytes_with_only_the_model_replaced(gw, key, fake):
    response = raw_chat(gw, key, RAW_MEMBERS)
    assert response.status_code == 200, response.text
    [upstream] = chat_posts(fake)
    expected = b"{" + b",".join(k + b":" + v for k, v in [(b'"model"', b'"gpt-fake"')] + RAW_MEMBERS) + b"}"
    assert upstream["raw_body"].encode() == expected


def test_a_client_that_expects_100_continue_is_asked_for_its_body_at_once(gw, key, fake):
    """curl sends `Expect: 100-continue` with every body over 1 MiB and waits a second for the answer before it
    sends the body anyway; the gateway answers at once, and the upstream gets the body unchanged."""
    import socket

    content = "x" * (1 << 20)
    body = json.dumps({"model": "chat", "messages": [{"role": "user", "content": content}]}).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {key}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\nexpect: 100-continue\r\n\r\n")
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as sock:
        sock.sendall(head.encode())
        sock.settimeout(0.5)  # well under curl's one second
        assert sock.recv(64) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.settimeout(10)
        sock.sendall(body)
        reply = b""
        while not reply.endswith(b"}"):  # the JSON answer ends the response
            chunk = sock.recv(65536)
            assert chunk, reply
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["model"] == "chat"
    [upstream] = chat_posts(fake)
    assert json.loads(upstream["raw_body"])["messages"][0]["content"] == content


def test_a_stream_gets_the_clients_bytes_with_usage_asked_for(gw, key, fake):
    members = RAW_MEMBERS + [(b'"stream"', b"true"), (b'"stream_options"', b'{"include_usage": false}')]
    response = raw_chat(gw, key, members)
    assert response.status_code == 200, response.text
    assert response.text.rstrip().endswith("data: [DONE]")
    [upstream] = chat_posts(fake)
    written = [(b'"model"', b'"gpt-fake"')] + RAW_MEMBERS + [
        (b'"stream"', b"true"), (b'"stream_options"', b'{"include_usage":true}')]
    assert upstream["raw_body"].encode() == b"{" + b",".join(k + b":" + v for k, v in written) + b"}"


def test_invalid_messages_are_rejected_from_the_text_as_from_parsed_json(gw, key, fake):
    cases = [
        (b"[]", "'messages' must contain at least one message.", "messages"),
        (b'"hi"', "'messages' is required and must be an array.", "messages"),
        (b'[{"role":"user","content":"a"}, 7]', "messages[1] must be an object with a 'role'.", "messages[1]"),
        (b'[{"content":"a"}]', "messages[0] must be an object with a 'role'.", "messages[0]"),
        (b'[{"role":1}]', "messages[0] must be an object with a 'role'.", "messages[0]"),
        (b'[{"role":"user","role":null}]', "messages[0] must be an object with a 'role'.", "messages[0]"),
    ]
    for messages, message, param in cases:
        response = raw_chat(gw, key, [(b'"messages"', messages)])
        assert response.status_code == 400, messages
        error = response.json()["error"]
        assert (error["message"], error["param"], error["type"]) == (message, param, "invalid_request_error")
    assert chat_posts(fake) == [], "nothing invalid reached the upstream"
    # Legacy completions: `prompt` must be there (null counts as there, as before; the upstream judges it).
    missing = httpx.post(gw.root + "/v1/completions", content=b'{"model":"chat","max_tokens":5}', timeout=30,
                         headers={"content-type": "application/json", "authorization": f"Bearer {key}"})
    assert missing.status_code == 400
    assert (missing.json()["error"]["message"], missing.json()["error"]["param"]) == ("'prompt' is required.", "prompt")
    # A key repeated inside a message: the last value counts, as in JSON parsers, and the message goes on as
    # written (what the upstream makes of it is the upstream's business; this fake takes the first).
    repeated = b'[{"role":null,"role":"user","content":"a"}]'
    raw_chat(gw, key, [(b'"messages"', repeated)])
    [upstream] = chat_posts(fake)
    assert upstream["raw_body"].encode() == b'{"model":"gpt-fake","messages":' + repeated + b"}"


# MARK: streamed


def test_raw_stream_with_include_usage(client, fake):
    chunks = list(
        client.chat.completions.create(
            model="chat", messages=[{"role": "user", "content": "count these words"}], stream=True,
            stream_options={"include_usage": True})
    )
    assert {c.model for c in chunks} == {"chat"}
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].id.startswith("chatcmpl-") and not chunks[0].id.startswith("chatcmpl-fake")
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "You said: count these words"
    assert all(c.usage is None for c in chunks[:-1])
    last = chunks[-1]
    assert last.choices == []
    assert (last.usage.prompt_tokens, last.usage.completion_tokens, last.usage.total_tokens) == (3, 5, 8)
    assert chat_posts(fake)[0]["body"]["stream_options"] == {"include_usage": True}


def test_raw_stream_without_include_usage_has_no_usage(client, fake):
    chunks = list(
        client.chat.completions.create(
            model="chat", messages=[{"role": "user", "content": "count these words"}], stream=True)
    )
    assert chunks
    assert {c.model for c in chunks} == {"chat"}
    assert len({c.id for c in chunks}) == 1
    assert all(c.choices for c in chunks), "an empty-choices usage chunk reached a client that did not ask for it"
    assert all(c.usage is None for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "You said: count these words"
    assert chunks[-1].choices[0].finish_reason == "stop"
    # The gateway asks for usage upstream anyway (for accounting).
    assert chat_posts(fake)[0]["body"]["stream_options"] == {"include_usage": True}


def test_a_stream_reaches_the_client_as_the_upstream_sends_it(gateway, fake):
    """Chunks that arrive together are written together, but none waits for the next: with the mock sending a
    word every 150 ms, the client reads each one when it is sent, and the usage chunk and [DONE] follow the last."""
    gw = gateway(gateway_config(fake.base_url, mock_stream_delay_ms=150))
    key = gw.create_key("acme")
    arrivals: list[tuple[float, str]] = []
    with httpx.Client(timeout=30) as http:
        with http.stream(
            "POST", gw.base_url + "/chat/completions", headers={"authorization": f"Bearer {key}"},
            json={"model": "mock", "messages": [{"role": "user", "content": "one two three four"}],
                  "stream": True, "stream_options": {"include_usage": True}},
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("data: "):
                    arrivals.append((time.monotonic(), line.removeprefix("data: ")))
    assert arrivals[-1][1] == "[DONE]"
    chunks = [json.loads(data) for _, data in arrivals[:-1]]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0
    worded = [at for (at, _), chunk in zip(arrivals, chunks)
              if chunk["choices"] and chunk["choices"][0]["delta"].get("content")]
    assert len(worded) >= 4
    gaps = [later - earlier for earlier, later in zip(worded, worded[1:])]
    assert min(gaps) > 0.075, f"words reached the client together, not as sent: gaps {gaps}"
    assert arrivals[-1][0] - worded[-1] < 0.075 + 0.15


# A stream as an OpenAI-compatible server may write it: spaces after colons, escapes, number spellings, fields
# the SDK does not know. The gateway replaces `id`, `created` and `model` and passes every other member's text on.
UPSTREAM_CHUNKS = [
    b'{"id": "chatcmpl-up", "object": "chat.completion.chunk", "created": 7, "model": "up-model", '
    b'"system_fingerprint": "fp_1", "choices": [{"index": 0, "delta": {"role": "assistant", '
    b'"content": "caf\\u00e9 \\"q\\""}, "logprobs": {"content": [{"token": "x", "logprob": -1.50, '
    b'"bytes": [120], "top_logprobs": []}]}, "finish_reason": null}], "future": {"n": 1E2}}',
    b'{"id": "chatcmpl-up", "object": "chat.completion.chunk", "created": 7, "model": "up-model", '
    b'"choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}]}',
    b'{"id": "chatcmpl-up", "object": "chat.completion.chunk", "created": 7, "model": "up-model", '
    b'"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}}',
]


class RawStreamUpstream(BaseHTTPRequestHandler):
    """Answers every chat completion with UPSTREAM_CHUNKS as SSE, byte for byte (chunked, kept alive)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers["content-length"]))
        body = b"".join(b"data: " + chunk + b"\n\n" for chunk in UPSTREAM_CHUNKS) + b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))

    def log_message(self, *args):
        pass


@pytest.fixture
def raw_upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RawStreamUpstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def sse_payloads(response: httpx.Response) -> list[bytes]:
    return [line.removeprefix(b"data: ") for line in response.content.split(b"\n") if line.startswith(b"data: ")]


def test_streamed_chunks_reach_the_client_as_the_upstream_wrote_them(gateway, raw_upstream):
    # The raw upstream is a valid OpenAI stream for the official SDK.
    direct = list(OpenAI(base_url=raw_upstream, api_key="k").chat.completions.create(
        model="up-model", messages=[{"role": "user", "content": "hi"}], stream=True))
    assert [c.usage.total_tokens if c.usage else None for c in direct] == [None, None, 6]
    assert direct[0].choices[0].delta.content == 'café "q"'
    gw = gateway(gateway_config(raw_upstream))
    key = gw.create_key("acme")
    for include_usage in (True, False):
        response = httpx.post(
            gw.base_url + "/chat/completions", timeout=30, headers={"authorization": f"Bearer {key}"},
            json={"model": "chat", "messages": [{"role": "user", "content": "hi"}], "stream": True,
                  "stream_options": {"include_usage": include_usage}})
        assert response.status_code == 200
        payloads = sse_payloads(response)
        assert payloads[-1] == b"[DONE]"
        chunks = payloads[:-1]
        assert len(chunks) == (3 if include_usage else 2)
        parsed = [json.loads(chunk) for chunk in chunks]
        assert {c["model"] for c in parsed} == {"chat"}
        assert len({c["id"] for c in parsed}) == 1 and parsed[0]["id"].startswith("chatcmpl-")
        assert parsed[0]["id"] != "chatcmpl-up"
        # Every other member's value exactly as written, in the upstream's order (only the space between
        # top-level members is not kept).
        assert chunks[0].startswith(b'{"id":"' + parsed[0]["id"].encode() + b'","object":"chat.completion.chunk",')
        for member in (b'"system_fingerprint":"fp_1"', b'"future":{"n": 1E2}}',
                       b'"content": "caf\\u00e9 \\"q\\""', b'"logprob": -1.50'):
            assert member in chunks[0], member
        assert b'"finish_reason": "stop"' in chunks[1]
        assert parsed[1]["choices"][0]["finish_reason"] == "stop"
        if include_usage:
            assert parsed[2]["choices"] == [] and parsed[2]["usage"]["total_tokens"] == 6
        assert all("usage" not in c for c in parsed[: 2 if include_usage else 3])


def test_stream_helper_final_message(client):
    with client.chat.completions.stream(
        model="chat", messages=[{"role": "user", "content": "stream me please"}]
    ) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta" and event.delta]
        final = stream.get_final_completion()
    assert "".join(deltas) == "You said: stream me please"
    assert final.choices[0].message.content == "You said: stream me please"
    assert final.choices[0].finish_reason == "stop"
    assert final.model == "chat"


# MARK: tools


def test_buffered_tool_call(client):
    completion = client.chat.completions.create(
        model="tools", messages=[{"role": "user", "content": "weather in Paris?"}], tools=[WEATHER_TOOL])
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert call.function.arguments == '{"location":"Paris"}'
    assert completion.model == "tools"


def test_buffered_two_tool_calls(client):
    completion = client.chat.completions.create(
        model="tools2", messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER_TOOL])
    calls = completion.choices[0].message.tool_calls
    assert [c.function.arguments for c in calls] == ['{"location":"Paris"}', '{"location":"Tokyo"}']
    assert [c.id for c in calls] == ["call_fake_0", "call_fake_1"]


@pytest.mark.parametrize("alias,expected", [
    ("tools", ['{"location":"Paris"}']),
    ("tools2", ['{"location":"Paris"}', '{"location":"Tokyo"}']),
])
def test_streamed_tool_calls_with_sdk_helper(client, alias, expected):
    with client.chat.completions.stream(
        model=alias, messages=[{"role": "user", "content": "weather?"}], tools=[WEATHER_TOOL]
    ) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert [c.function.arguments for c in calls] == expected
    assert [c.function.name for c in calls] == ["get_weather"] * len(expected)
    assert [c.index for c in calls] == list(range(len(expected)))
    assert final.model == alias


# MARK: legacy completions


def test_legacy_completion_buffered(client, fake):
    completion = client.completions.create(model="chat", prompt="say this", max_tokens=20)
    assert completion.object == "text_completion"
    assert completion.model == "chat"
    assert completion.choices[0].text == "You said: say this"
    assert completion.usage.completion_tokens == 4
    # A chat-mode target serves legacy completions through /v1/chat/completions (translated both ways).
    [upstream] = fake.requests()
    assert upstream["path"] == "/v1/chat/completions"
    assert upstream["body"]["model"] == "gpt-fake"
    assert upstream["body"]["messages"][-1]["content"] == "say this"


def test_legacy_completion_streamed(client):
    chunks = list(client.completions.create(model="chat", prompt="say this now", stream=True))
    assert chunks
    assert {c.model for c in chunks} == {"chat"}
    assert len({c.id for c in chunks}) == 1
    assert "".join(c.choices[0].text for c in chunks if c.choices) == "You said: say this now"
    assert all(c.choices for c in chunks)


# MARK: models


def test_models_list_shows_the_aliases(client):
    ids = {m.id for m in client.models.list()}
    assert {"chat", "tools", "tools2", "fallback", "bad", "timeout", "legacy", "completions-only", "pool",
            "midstream", "mock"} <= ids
    assert "gpt-fake" not in ids


def test_models_list_is_limited_to_the_key_models(gw):
    limited = gw.create_key("acme", models="chat,mock")
    client = OpenAI(base_url=gw.base_url, api_key=limited, max_retries=0)
    assert sorted(m.id for m in client.models.list()) == ["chat", "mock"]
    assert client.models.retrieve("chat").id == "chat"


def test_embeddings_through_openai_compatible_and_mock(gateway, fake):
    import base64
    import struct
    from conftest import gateway_config
    gw = gateway(gateway_config(fake.base_url, extra_routes="""
  emb: { kind: embedding, targets: [ { provider: "openai_compatible:fake", model: "embed-fake" } ] }
  mock-emb: { kind: embedding, targets: [ { provider: mock, model: mock-embedding } ] }
"""))
    key = gw.create_key("emb")
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)

    upstream = client.embeddings.create(model="emb", input=["alpha", "beta"], dimensions=4)
    assert upstream.model == "emb"
    assert [len(item.embedding) for item in upstream.data] == [4, 4]
    recorded = [r for r in fake.requests() if r["path"] == "/v1/embeddings"][-1]
    assert recorded["body"] == {"model": "embed-fake", "input": ["alpha", "beta"], "dimensions": 4,
                                "encoding_format": "base64"}, "the SDK's request reached the upstream unchanged"

    mock = client.embeddings.create(model="mock-emb", input="The quick brown fox", dimensions=32)
    vector = mock.data[0].embedding
    assert len(vector) == 32
    assert abs(sum(x * x for x in vector) - 1) < 1e-3
    again = client.embeddings.create(model="mock-emb", input="The quick brown fox", dimensions=32)
    assert again.data[0].embedding == vector, "mock embeddings are deterministic"
    raw = client.embeddings.create(model="mock-emb", input="x", dimensions=3, encoding_format="base64")
    assert len(base64.b64decode(raw.data[0].embedding)) == 12
    assert struct.unpack("<3f", base64.b64decode(raw.data[0].embedding))

    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="chat", input="chat aliases do not embed")
    events = gw.wait_for_events(lambda evs: sum(1 for e in evs if e["path"] == "/v1/embeddings") >= 5)
    served = [e for e in events if e["path"] == "/v1/embeddings" and e["http_status"] == 200]
    assert all(e["prompt_tokens"] for e in served)


def test_health_ready_metrics_and_cors(gateway, fake):
    import httpx2 as httpx
    from conftest import gateway_config
    gw = gateway(gateway_config(fake.base_url, key_cache_seconds=60,
                                extra="server: { cors: { allowed_origins: [\"https://app.example\"] } }"))
    key = gw.create_key("ops")
    assert httpx.get(gw.root + "/health").text == "ok"
    assert httpx.get(gw.root + "/ready").status_code == 200
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "count me"}])
    # The key is cached now: a lone buffered call to a plain-HTTP OpenAI upstream is answered on the event loop.
    client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "count me too"}])
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="ghost", messages=[{"role": "user", "content": "x"}])
    gw.wait_for_events(lambda evs: len(evs) >= 3)
    metrics = httpx.get(gw.root + "/metrics").text
    assert 'switchboard_fast_path_requests_total{result="answered"} 1' in metrics
    assert 'switchboard_fast_path_requests_total{result="handed_off"} 0' in metrics
    assert 'switchboard_requests_total{' in metrics
    assert 'status="404"' in metrics and 'code="model_not_found"' in metrics
    assert "switchboard_upstream_duration_seconds" in metrics
    assert 'switchboard_tokens_total{type="prompt"}' in metrics

    preflight = httpx.request("OPTIONS", gw.base_url + "/chat/completions", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    actual = httpx.get(gw.base_url + "/models", headers={"Origin": "https://app.example",
                                                         "Authorization": f"Bearer {key}"})
    assert actual.headers["access-control-allow-origin"] == "https://app.example"
    assert "x-request-id" in actual.headers["access-control-expose-headers"]
    other = httpx.get(gw.base_url + "/models", headers={"Origin": "https://evil.example",
                                                        "Authorization": f"Bearer {key}"})
    assert "access-control-allow-origin" not in other.headers

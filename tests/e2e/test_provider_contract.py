"""One provider contract: the same assertions about what an OpenAI client relies on, run against every provider
family the gateway translates to (OpenAI, Anthropic, Bedrock Nova and Claude, Gemini, Vertex AI).

One fake upstream serves every provider's API and one gateway serves an alias per (provider, behaviour word),
e.g. `anthropic-tool` → `claude-3-5-sonnet-tool`; the word picks the fake's behaviour (see ModelBehavior.swift and
ProviderBehavior.swift). Each scenario drives the gateway with the official `openai` SDK and, where the wire shape
matters, checks the exact request the fake recorded.

FEATURES (at the end) is the provider feature matrix; `test_feature_matrix` checks that every "yes" in it was
exercised by a passing test of this module and that tests/e2e/provider-features.md shows it (rerun with
SWITCHBOARD_UPDATE_FEATURES=1 to rewrite that file after changing FEATURES).
"""

from __future__ import annotations

import copy
import json
import os
import urllib.parse
from pathlib import Path
from typing import Any, Iterator

import httpx2 as httpx
import openai
import pydantic
import pytest
from openai import OpenAI

from conftest import GOOGLE_SERVICE_ACCOUNT, WEATHER_TOOL, FakeUpstream, Gateway, GatewayFactory
from openai_schemas import assert_matches
from sigv4_verify import assert_sigv4

# MARK: providers and aliases

PROVIDERS = ("openai", "anthropic", "bedrock-nova", "bedrock-claude", "gemini", "vertex")
# The inference-profile ARN is exercised once, by the basic and SigV4 scenarios.
WITH_ARN = PROVIDERS + ("bedrock-arn",)
OPENAI_FAMILY = ("openai", "gemini", "vertex")
BEDROCK = ("bedrock-nova", "bedrock-claude", "bedrock-arn")
TRANSLATED = ("anthropic",) + BEDROCK
TRANSLATED_CORE = ("anthropic", "bedrock-nova", "bedrock-claude")

# The behaviour words every provider gets an alias for (`<provider>-<word>`).
WORDS = ("basic", "tool", "tools2", "tool-noargs", "cache", "thinking", "status-429", "status-400", "status-503",
         "status-529", "midstream-error")

AWS_ACCESS_KEY = "AKIDCONTRACTEXAMPLE"
AWS_SECRET_KEY = "contract/secret+key"
AWS_SESSION_TOKEN = "contract-session-token/with+slash="
REGION = "us-east-1"
ANTHROPIC_KEY = "sk-ant-contract"
GEMINI_KEY = "gemini-contract-key"
OPENAI_KEY = "sk-openai-contract"
ANTHROPIC_DEFAULT_MAX_TOKENS = 1000
BEDROCK_DEFAULT_MAX_TOKENS = 4096  # GatewayConfig.Bedrock.defaultMaxTokens (not configurable)
PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0"


def upstream_model(provider: str, word: str = "basic") -> str:
    """The target's model for a behaviour word (the word must survive into the name the fake sees)."""
    if provider in OPENAI_FAMILY:
        # The OpenAI fake matches `status-NNN` and `midstream-error` as the whole name.
        base = "gpt-fake" if provider == "openai" else "gemini-2.5-flash"
        if word == "basic":
            return base
        return f"{word}-model" if word in ("tool", "tools2", "tool-noargs", "cache", "thinking") else word
    if word == "reasoner":  # a model with extended thinking (Claude only)
        return {"anthropic": "claude-sonnet-4-5", "bedrock-claude": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}[
            provider]
    if provider == "anthropic":
        return "claude-3-5-sonnet-" + ("20240620" if word == "basic" else word)
    if provider == "bedrock-nova":
        return "amazon.nova-pro-v1:0" if word == "basic" else f"amazon.nova-pro-{word}-v1:0"
    if provider == "bedrock-claude":
        return "anthropic.claude-3-5-sonnet-" + ("20240620" if word == "basic" else word) + "-v1:0"
    if provider == "bedrock-arn":
        assert word == "basic"
        return PROFILE_ARN
    raise AssertionError(provider)


def wire_model(provider: str, word: str = "basic") -> str:
    """The model as the upstream receives it (Vertex names models `publisher/model`)."""
    model = upstream_model(provider, word)
    return f"google/{model}" if provider == "vertex" else model


def provider_ref(provider: str) -> str:
    if provider in BEDROCK:
        return "bedrock"
    if provider in ("gemini", "vertex"):
        return f"openai_compatible:{provider}"
    return provider


def alias(provider: str, word: str = "basic") -> str:
    return f"{provider}-{word}"


def contract_config(fake: FakeUpstream, vertex_credentials: Path) -> str:
    routes = []
    for provider in WITH_ARN:
        words = WORDS if provider != "bedrock-arn" else ("basic",)
        if provider in ("anthropic", "bedrock-claude"):
            words += ("reasoner",)
        for word in words:
            routes.append(
                f'  "{alias(provider, word)}": {{ targets: [ {{ provider: "{provider_ref(provider)}", '
                f'model: "{upstream_model(provider, word)}" }} ] }}')
    routes += [
        '  "emb-openai": { kind: embedding, targets: [ { provider: openai, model: text-embedding-3-small } ] }',
        '  "emb-gemini": { kind: embedding, targets: [ { provider: "openai_compatible:gemini", '
        'model: text-embedding-004 } ] }',
        '  "emb-titan": { kind: embedding, targets: [ { provider: bedrock, model: "amazon.titan-embed-text-v2:0" } ] }',
        '  "emb-cohere": { kind: embedding, targets: [ { provider: bedrock, model: "cohere.embed-english-v3" } ] }',
    ]
    return f"""\
log_format: text
providers:
  openai: {{ base_url: "{fake.base_url}", api_key: "{OPENAI_KEY}" }}
  openai_compatible:
    gemini: {{ base_url: "{fake.base_url}", api_key: "{GEMINI_KEY}" }}
    vertex: {{ base_url: "{fake.base_url}", credentials_file: "{vertex_credentials}" }}
  anthropic: {{ base_url: "{fake.root_url}", api_key: "{ANTHROPIC_KEY}", default_max_tokens: {ANTHROPIC_DEFAULT_MAX_TOKENS} }}
  bedrock: {{ region: {REGION}, base_url: "{fake.root_url}" }}
limits: {{ rpm: 100000, rpd: 1000000 }}
retry: {{ max_attempts: 3, backoff_base_ms: 5, backoff_max_ms: 20 }}
upstream: {{ request_timeout_seconds: 10 }}
circuit_breaker: {{ failure_threshold: 100000, open_seconds: 1 }}
keys: {{ cache_seconds: 0 }}
routes:
""" + "\n".join(routes) + "\n"


# The gateway's AWS credentials for the fake Bedrock; no shared files or container credentials from the machine
# running the tests.
AWS_ENV = {"AWS_ACCESS_KEY_ID": AWS_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": AWS_SECRET_KEY,
           "AWS_SESSION_TOKEN": AWS_SESSION_TOKEN, "AWS_REGION": REGION,
           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent"}


# MARK: fixtures


@pytest.fixture(scope="module")
def contract_gw(module_gateway: GatewayFactory, fake_upstream: FakeUpstream,
                tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    """The one gateway of this module. Its first two Vertex calls are made here and what the fake saw is kept in
    `gw.vertex_first` (token exchanges are cached for the gateway's life, so no later test could see them)."""
    account = json.loads(GOOGLE_SERVICE_ACCOUNT.read_text())
    account["token_uri"] = f"{fake_upstream.root_url}/token"
    credentials = tmp_path_factory.mktemp("vertex") / "service-account.json"
    credentials.write_text(json.dumps(account))
    gw = module_gateway(contract_config(fake_upstream, credentials), env=AWS_ENV)
    gw.key = gw.create_key("contract", label="contract")  # type: ignore[attr-defined]

    # Vertex: the gateway's very first call exchanges a token, the second reuses it.
    client = OpenAI(base_url=gw.base_url, api_key=gw.key, max_retries=0)  # type: ignore[attr-defined]
    fake_upstream.reset()
    first = client.chat.completions.create(model=alias("vertex"), messages=HELLO)
    after_first = (fake_upstream.token_count(), fake_upstream.requests())
    second = client.chat.completions.create(model=alias("vertex"), messages=HELLO)
    after_second = (fake_upstream.token_count(), fake_upstream.requests())
    gw.vertex_first = {  # type: ignore[attr-defined]
        "answers": [first.choices[0].message.content, second.choices[0].message.content],
        "after_first": after_first, "after_second": after_second,
    }
    return gw


@pytest.fixture
def client(contract_gw: Gateway, fake: FakeUpstream) -> OpenAI:
    return OpenAI(base_url=contract_gw.base_url, api_key=contract_gw.key, max_retries=0)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def every_bedrock_request_is_signed(fake_upstream: FakeUpstream) -> Iterator[None]:
    """After each test, every request that reached the fake Bedrock runtime must carry a valid SigV4 signature
    with the session token (the log is reset at the start of each test by the `fake` fixture)."""
    yield
    for recorded in fake_upstream.requests():
        if recorded["path"].startswith("/model/"):
            assert_sigv4(recorded, secret_key=AWS_SECRET_KEY, access_key=AWS_ACCESS_KEY, region=REGION,
                         service="bedrock", session_token=AWS_SESSION_TOKEN)


# MARK: helpers

HELLO = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello big world"}]
HELLO_ANSWER = "You said: hello big world"
HELLO_PROMPT_WORDS = 5
THINKING_TEXT = "Let me think this through briefly."  # AssistantReply.thinkingText
CACHE_READ, CACHE_WRITE = 100, 20  # AssistantReply.cacheReadTokens / cacheWriteTokens
PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
PNG_DATA_URL = f"data:image/png;base64,{PNG_BASE64}"
JPEG_BASE64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDA=="  # a JPEG header is enough for the fake
# `image/jpg` is a common misspelling clients put in data URLs; Anthropic and Bedrock know `image/jpeg` only.
JPG_DATA_URL = f"data:image/jpg;base64,{JPEG_BASE64}"
SCHEMA = {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"],
          "additionalProperties": False}
RESPONSE_FORMAT = {"type": "json_schema", "json_schema": {"name": "place", "strict": True, "schema": SCHEMA}}
TOOL_ARGUMENTS = [{"location": "Paris"}, {"location": "Tokyo"}]  # ChatCompletions.ToolCall.arguments


class Place(pydantic.BaseModel):
    """The structured output of the JSON-mode scenario (the fake's tool arguments fit it)."""

    location: str


def words(text: str) -> int:
    return len(text.split())


def usage_tuple(usage: Any) -> tuple[int, int, int]:
    return usage.prompt_tokens, usage.completion_tokens, usage.total_tokens


def expected_usage(provider: str, prompt_words: int, completion_words: int, *,
                   cache: bool = False) -> tuple[int, int, int]:
    """The fake counts words as tokens; Anthropic and Bedrock prompt tokens include cache reads and writes."""
    prompt = prompt_words + (CACHE_READ + CACHE_WRITE if cache and provider in TRANSLATED else 0)
    return prompt, completion_words, prompt + completion_words


def tool_preamble(provider: str) -> str | None:
    """The text the Anthropic / Bedrock fakes write before their tool calls (the OpenAI fake writes none)."""
    return None if provider in OPENAI_FAMILY else "I will call get_weather."


def tool_completion_tokens(provider: str, calls: int) -> int:
    return 3 * calls + (0 if provider in OPENAI_FAMILY else words(tool_preamble(provider) or ""))


def tool_call_ids(provider: str, calls: int) -> list[str]:
    """The fakes' tool-call ids, which the gateway must pass through."""
    if provider in OPENAI_FAMILY:
        prefix = "call_fake_"
    else:
        prefix = "toolu_fake_" if provider == "anthropic" else "tooluse_fake_"
    return [f"{prefix}{index}" for index in range(calls)]


def upstream_calls(fake: FakeUpstream, provider: str) -> list[dict[str, Any]]:
    """The chat requests the fake received for `provider`'s API (oldest first)."""
    def matches(path: str) -> bool:
        if provider in OPENAI_FAMILY:
            return path == "/v1/chat/completions"
        if provider == "anthropic":
            return path == "/v1/messages"
        return path.startswith("/model/")
    return [r for r in fake.requests() if matches(r["path"])]


def bedrock_model_in_path(recorded: dict[str, Any]) -> str:
    encoded = recorded["path"][len("/model/"):].rsplit("/", 1)[0]
    return urllib.parse.unquote(encoded)


def upstream_model_of(recorded: dict[str, Any], provider: str) -> str:
    return bedrock_model_in_path(recorded) if provider in BEDROCK else recorded["body"]["model"]


def raw_stream(gw: Gateway, body: dict[str, Any]) -> tuple[int, list[str], str]:
    """POSTs a streamed chat request; returns the status, the `data:` payloads in order, and the request id."""
    with httpx.Client(timeout=30) as http:
        with http.stream("POST", gw.base_url + "/chat/completions", json=body,
                         headers={"authorization": f"Bearer {gw.key}"}) as response:  # type: ignore[attr-defined]
            lines = [line[len("data: "):] for line in response.iter_lines() if line.startswith("data: ")]
            return response.status_code, lines, response.headers.get("x-request-id", "")


def collect_tool_deltas(chunks: list[Any]) -> dict[int, dict[str, Any]]:
    """Reassembles streamed tool calls by index, checking the OpenAI delta rules on the way: the first delta of a
    call carries its id, type and name; later ones only argument pieces."""
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for choice in chunk.choices:
            for delta in choice.delta.tool_calls or []:
                if delta.index not in calls:
                    assert delta.id, f"the first delta of tool call {delta.index} has no id"
                    assert delta.function is not None and delta.function.name, "the first delta has no name"
                    assert delta.type in (None, "function")
                    calls[delta.index] = {"id": delta.id, "name": delta.function.name, "arguments": ""}
                else:
                    assert delta.id in (None, calls[delta.index]["id"]), "a later delta changed the call id"
                    assert delta.function is None or delta.function.name in (None, calls[delta.index]["name"])
                if delta.function is not None and delta.function.arguments:
                    calls[delta.index]["arguments"] += delta.function.arguments
    return calls


# MARK: feature bookkeeping

EXERCISED: set[tuple[str, str]] = set()


def exercised(provider: str, feature: str) -> None:
    """Marks a feature as shown to work for a provider (called at the end of a passing scenario)."""
    assert feature in FEATURE_ROWS, feature
    EXERCISED.add(("bedrock-claude" if provider == "bedrock-arn" else provider, feature))


# MARK: 1. basic buffered chat


@pytest.mark.parametrize("provider", WITH_ARN)
def test_buffered_chat(client, fake, provider):
    raw = client.chat.completions.with_raw_response.create(model=alias(provider), messages=HELLO)
    assert raw.headers.get("x-request-id")
    completion = raw.parse()
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-") and "fake" not in completion.id
    assert completion.model == alias(provider)
    [choice] = completion.choices
    assert choice.index == 0
    assert choice.message.role == "assistant"
    assert choice.message.content == HELLO_ANSWER
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"
    assert usage_tuple(completion.usage) == expected_usage(provider, HELLO_PROMPT_WORDS, words(HELLO_ANSWER))
    [upstream] = upstream_calls(fake, provider)
    assert upstream_model_of(upstream, provider) == wire_model(provider)
    exercised(provider, "chat")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_length_limit(client, provider):
    """A client limit that cuts the answer: `finish_reason: length`, buffered and streamed."""
    completion = client.chat.completions.create(model=alias(provider), messages=HELLO, max_completion_tokens=3)
    assert completion.choices[0].message.content == "You said: hello"
    assert completion.choices[0].finish_reason == "length"
    assert usage_tuple(completion.usage) == expected_usage(provider, HELLO_PROMPT_WORDS, 3)
    chunks = list(client.chat.completions.create(
        model=alias(provider), messages=HELLO, max_completion_tokens=3, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "You said: hello"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["length"]
    exercised(provider, "chat")


# MARK: 2. streaming


@pytest.mark.parametrize("provider", WITH_ARN)
def test_stream_with_include_usage(client, provider):
    chunks = list(client.chat.completions.create(
        model=alias(provider), messages=HELLO, stream=True, stream_options={"include_usage": True}))
    assert {c.model for c in chunks} == {alias(provider)}
    assert len({c.id for c in chunks}) == 1 and chunks[0].id.startswith("chatcmpl-")
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    content_chunks = [c for c in chunks if c.choices]
    assert "".join(c.choices[0].delta.content or "" for c in content_chunks) == HELLO_ANSWER
    assert [c.choices[0].finish_reason for c in content_chunks if c.choices[0].finish_reason] == ["stop"]
    usage_chunks = [c for c in chunks if not c.choices]
    assert len(usage_chunks) == 1, "expected exactly one usage chunk"
    assert chunks[-1] is usage_chunks[0], "the usage chunk must come last"
    assert all(c.usage is None for c in chunks[:-1])
    assert usage_tuple(chunks[-1].usage) == expected_usage(provider, HELLO_PROMPT_WORDS, words(HELLO_ANSWER))
    exercised(provider, "stream_usage")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_stream_without_include_usage(client, contract_gw, provider):
    chunks = list(client.chat.completions.create(model=alias(provider), messages=HELLO, stream=True))
    assert chunks and all(c.choices for c in chunks), "a usage chunk reached a client that did not ask for it"
    assert all(c.usage is None for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == HELLO_ANSWER
    assert chunks[-1].choices[0].finish_reason == "stop"
    # On the wire: every event is a chunk, and the stream ends with exactly one [DONE].
    status, lines, _ = raw_stream(contract_gw, {"model": alias(provider), "messages": HELLO, "stream": True})
    assert status == 200
    assert lines[-1] == "[DONE]" and lines.count("[DONE]") == 1
    events = [json.loads(line) for line in lines[:-1]]
    assert all("error" not in event and event["choices"] for event in events)
    assert "".join(e["choices"][0]["delta"].get("content") or "" for e in events) == HELLO_ANSWER


@pytest.mark.parametrize("provider", PROVIDERS)
def test_stream_helper(client, provider):
    with client.chat.completions.stream(model=alias(provider), messages=HELLO) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta"]
        final = stream.get_final_completion()
    assert "".join(deltas) == HELLO_ANSWER
    assert final.model == alias(provider)
    assert final.choices[0].message.content == HELLO_ANSWER
    assert final.choices[0].finish_reason == "stop"
    exercised(provider, "stream")


# MARK: 3. tools

WEATHER_QUESTION = [{"role": "user", "content": "weather in Paris?"}]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_buffered_tool_call(client, provider):
    completion = client.chat.completions.create(
        model=alias(provider, "tool"), messages=WEATHER_QUESTION, tools=[WEATHER_TOOL])
    [choice] = completion.choices
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert call.id == tool_call_ids(provider, 1)[0]
    assert call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == TOOL_ARGUMENTS[0]
    assert choice.message.content == tool_preamble(provider)
    assert usage_tuple(completion.usage) == expected_usage(provider, 3, tool_completion_tokens(provider, 1))
    exercised(provider, "tools")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_streamed_tool_call(client, provider):
    chunks = list(client.chat.completions.create(
        model=alias(provider, "tool"), messages=WEATHER_QUESTION, tools=[WEATHER_TOOL], stream=True,
        stream_options={"include_usage": True}))
    calls = collect_tool_deltas(chunks)
    assert list(calls) == [0]
    assert calls[0]["id"] == tool_call_ids(provider, 1)[0] and calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == TOOL_ARGUMENTS[0]
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["tool_calls"]
    assert usage_tuple(chunks[-1].usage) == expected_usage(provider, 3, tool_completion_tokens(provider, 1))
    exercised(provider, "tools_stream")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_parallel_tool_calls(client, provider):
    completion = client.chat.completions.create(
        model=alias(provider, "tools2"), messages=WEATHER_QUESTION, tools=[WEATHER_TOOL])
    calls = completion.choices[0].message.tool_calls
    assert [c.id for c in calls] == tool_call_ids(provider, 2)
    assert [json.loads(c.function.arguments) for c in calls] == TOOL_ARGUMENTS
    assert completion.choices[0].finish_reason == "tool_calls"

    chunks = list(client.chat.completions.create(
        model=alias(provider, "tools2"), messages=WEATHER_QUESTION, tools=[WEATHER_TOOL], stream=True))
    streamed = collect_tool_deltas(chunks)
    assert list(streamed) == [0, 1], "tool-call indexes must be dense, in order"
    assert [streamed[i]["id"] for i in (0, 1)] == tool_call_ids(provider, 2)
    assert [json.loads(streamed[i]["arguments"]) for i in (0, 1)] == TOOL_ARGUMENTS

    # The SDK's stream helper assembles the same calls.
    with client.chat.completions.stream(
            model=alias(provider, "tools2"), messages=WEATHER_QUESTION, tools=[WEATHER_TOOL]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    assert [json.loads(c.function.arguments) for c in final.choices[0].message.tool_calls] == TOOL_ARGUMENTS
    assert final.choices[0].finish_reason == "tool_calls"
    exercised(provider, "parallel_tools")


TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tool_call_without_arguments(client, provider):
    """A tool that takes no arguments: `arguments` must still be JSON (`{}`), buffered and streamed, although
    Anthropic and Bedrock stream such an input as a single empty delta."""
    completion = client.chat.completions.create(
        model=alias(provider, "tool-noargs"), messages=WEATHER_QUESTION, tools=[TIME_TOOL])
    [call] = completion.choices[0].message.tool_calls
    assert call.function.name == "get_time" and json.loads(call.function.arguments) == {}

    chunks = list(client.chat.completions.create(
        model=alias(provider, "tool-noargs"), messages=WEATHER_QUESTION, tools=[TIME_TOOL], stream=True))
    calls = collect_tool_deltas(chunks)
    assert list(calls) == [0] and calls[0]["name"] == "get_time"
    assert json.loads(calls[0]["arguments"]) == {}, f"streamed arguments {calls[0]['arguments']!r} are not JSON"
    with client.chat.completions.stream(
            model=alias(provider, "tool-noargs"), messages=WEATHER_QUESTION, tools=[TIME_TOOL]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    assert json.loads(final.choices[0].message.tool_calls[0].function.arguments) == {}
    exercised(provider, "tools_stream")


# MARK: 4. tool results in history

HISTORY = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": "weather in Paris and Tokyo?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"location":"Paris"}'}},
        {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": '{"location":"Tokyo"}'}},
    ]},
    {"role": "tool", "tool_call_id": "call_1", "content": "sunny 20C"},
    {"role": "tool", "tool_call_id": "call_2", "content": "rainy 15C"},
]
HISTORY_WORDS = 2 + 5 + 2 + 2


def expected_history_body(provider: str) -> dict[str, Any]:
    weather = WEATHER_TOOL["function"]
    if provider in OPENAI_FAMILY:
        return {"model": wire_model(provider), "messages": HISTORY, "tools": [WEATHER_TOOL]}
    if provider == "anthropic":
        return {
            "model": upstream_model(provider),
            "system": [{"type": "text", "text": "be brief"}],
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "weather in Paris and Tokyo?"}]},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"location": "Paris"}},
                    {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {"location": "Tokyo"}},
                ]},
                # Consecutive tool results form one user turn.
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "call_1", "content": "sunny 20C"},
                    {"type": "tool_result", "tool_use_id": "call_2", "content": "rainy 15C"},
                ]},
            ],
            "max_tokens": ANTHROPIC_DEFAULT_MAX_TOKENS,
            "tools": [{"name": "get_weather", "description": weather["description"],
                       "input_schema": weather["parameters"]}],
        }
    body: dict[str, Any] = {
        "messages": [
            {"role": "user", "content": [{"text": "weather in Paris and Tokyo?"}]},
            {"role": "assistant", "content": [
                {"toolUse": {"toolUseId": "call_1", "name": "get_weather", "input": {"location": "Paris"}}},
                {"toolUse": {"toolUseId": "call_2", "name": "get_weather", "input": {"location": "Tokyo"}}},
            ]},
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "call_1", "content": [{"text": "sunny 20C"}]}},
                {"toolResult": {"toolUseId": "call_2", "content": [{"text": "rainy 15C"}]}},
            ]},
        ],
        "system": [{"text": "be brief"}],
        "toolConfig": {"tools": [{"toolSpec": {"name": "get_weather", "description": weather["description"],
                                               "inputSchema": {"json": weather["parameters"]}}}]},
    }
    if provider == "bedrock-claude":
        body["inferenceConfig"] = {"maxTokens": BEDROCK_DEFAULT_MAX_TOKENS}  # Claude wants a limit
    return body


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tool_results_in_history(client, fake, provider):
    completion = client.chat.completions.create(
        model=alias(provider), messages=copy.deepcopy(HISTORY), tools=[WEATHER_TOOL])
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content.startswith("You said:")
    assert completion.usage.prompt_tokens == HISTORY_WORDS
    [upstream] = upstream_calls(fake, provider)
    assert upstream["body"] == expected_history_body(provider)
    fake.reset()

    # The same history without tools (the client is done with them) must still be accepted: Converse refuses
    # toolUse / toolResult blocks without a toolConfig, so Bedrock gets a placeholder tool.
    completion = client.chat.completions.create(model=alias(provider), messages=copy.deepcopy(HISTORY))
    assert completion.choices[0].finish_reason == "stop"
    [upstream] = upstream_calls(fake, provider)
    expected = expected_history_body(provider)
    expected.pop("tools", None)
    if provider in BEDROCK:
        [placeholder] = upstream["body"]["toolConfig"]["tools"]
        assert placeholder["toolSpec"]["name"] != "get_weather"
        assert "toolChoice" not in upstream["body"]["toolConfig"]
        expected["toolConfig"] = upstream["body"]["toolConfig"]
    assert upstream["body"] == expected
    exercised(provider, "tool_history")


# MARK: 5. multimodal


def image_message(*urls: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [
        {"type": "text", "text": "what is this"},
        *({"type": "image_url", "image_url": {"url": url}} for url in urls),
    ]}]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_image_data_url(client, fake, provider):
    messages = image_message(PNG_DATA_URL, JPG_DATA_URL)
    completion = client.chat.completions.create(model=alias(provider), messages=messages)
    assert completion.choices[0].message.content == "You said: what is this"
    [upstream] = upstream_calls(fake, provider)
    sent = upstream["body"]["messages"]
    if provider in OPENAI_FAMILY:
        assert sent == messages
    elif provider == "anthropic":
        assert sent == [{"role": "user", "content": [
            {"type": "text", "text": "what is this"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_BASE64}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": JPEG_BASE64}},
        ]}]
    else:
        assert sent == [{"role": "user", "content": [
            {"text": "what is this"},
            {"image": {"format": "png", "source": {"bytes": PNG_BASE64}}},
            {"image": {"format": "jpeg", "source": {"bytes": JPEG_BASE64}}},
        ]}]
    exercised(provider, "image_data")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_image_http_url(client, fake, provider):
    url = "https://example.com/cat.png"
    messages = image_message(url)
    if provider in BEDROCK:
        # Converse cannot fetch URLs: refused before anything is sent upstream.
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.create(model=alias(provider), messages=messages)
        assert caught.value.status_code == 400
        assert "data URL" in caught.value.message
        assert upstream_calls(fake, provider) == []
        return
    completion = client.chat.completions.create(model=alias(provider), messages=messages)
    assert completion.choices[0].message.content == "You said: what is this"
    [upstream] = upstream_calls(fake, provider)
    if provider == "anthropic":
        assert upstream["body"]["messages"][0]["content"][1] == {"type": "image",
                                                                 "source": {"type": "url", "url": url}}
    else:
        assert upstream["body"]["messages"] == messages
    exercised(provider, "image_url")


# MARK: 6. JSON mode


def expected_schema(provider: str) -> dict[str, Any]:
    """Gemini and Vertex reject `additionalProperties`; the Google dialect removes it."""
    if provider in ("gemini", "vertex"):
        return {key: value for key, value in SCHEMA.items() if key != "additionalProperties"}
    return SCHEMA


@pytest.mark.parametrize("provider", PROVIDERS)
def test_json_schema_response_format(client, fake, provider):
    if provider in OPENAI_FAMILY:
        # Native JSON mode: the format goes upstream (the fake itself does not answer in JSON).
        client.chat.completions.create(model=alias(provider), messages=HELLO, response_format=RESPONSE_FORMAT)
        [upstream] = upstream_calls(fake, provider)
        format = upstream["body"]["response_format"]
        assert format["type"] == "json_schema" and format["json_schema"]["name"] == "place"
        assert format["json_schema"]["schema"] == expected_schema(provider)
        exercised(provider, "json_schema")
        return

    # Anthropic and Bedrock: a forced `json_response` tool whose input is the answer. The `tool` fake calls the
    # first offered tool — here the only one, `json_response` — with {"location":"Paris"}.
    completion = client.chat.completions.create(
        model=alias(provider, "tool"), messages=WEATHER_QUESTION, response_format=RESPONSE_FORMAT)
    [choice] = completion.choices
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"
    assert json.loads(choice.message.content) == TOOL_ARGUMENTS[0]
    chunks = list(client.chat.completions.create(
        model=alias(provider, "tool"), messages=WEATHER_QUESTION, response_format=RESPONSE_FORMAT, stream=True))
    assert json.loads("".join(c.choices[0].delta.content or "" for c in chunks if c.choices)) == TOOL_ARGUMENTS[0]
    assert not any(c.choices[0].delta.tool_calls for c in chunks if c.choices)
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]

    # The SDK's structured-output helpers parse that content into the model class, buffered and streamed.
    parsed = client.chat.completions.parse(
        model=alias(provider, "tool"), messages=WEATHER_QUESTION, response_format=Place)
    assert parsed.choices[0].message.parsed == Place(location="Paris")
    with client.chat.completions.stream(
            model=alias(provider, "tool"), messages=WEATHER_QUESTION, response_format=Place) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    assert final.choices[0].message.parsed == Place(location="Paris")

    buffered, streamed, *helpers = upstream_calls(fake, provider)
    assert len(helpers) == 2
    for upstream in (buffered, streamed):
        body = upstream["body"]
        if provider == "anthropic":
            assert body["tools"] == [{"name": "json_response", "description": body["tools"][0]["description"],
                                      "input_schema": SCHEMA}]
            assert body["tool_choice"] == {"type": "tool", "name": "json_response"}
        else:
            [tool] = body["toolConfig"]["tools"]
            assert tool["toolSpec"]["name"] == "json_response"
            assert tool["toolSpec"]["inputSchema"] == {"json": SCHEMA}
            assert body["toolConfig"]["toolChoice"] == {"tool": {"name": "json_response"}}
    exercised(provider, "json_schema")


# MARK: 7. upstream errors


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_upstream_errors(client, fake, provider, stream):
    def call(word: str) -> Any:
        result = client.chat.completions.create(model=alias(provider, word), messages=HELLO, stream=stream)
        return list(result) if stream else result

    with pytest.raises(openai.RateLimitError) as limited:
        call("status-429")
    assert limited.value.status_code == 429
    assert int(limited.value.response.headers["retry-after"]) >= 1
    assert limited.value.code == "upstream_rate_limited"
    fake.reset()

    with pytest.raises(openai.BadRequestError) as bad:
        call("status-400")
    assert bad.value.status_code == 400
    assert len(upstream_calls(fake, provider)) == 1, "a 400 must not be retried"
    fake.reset()

    for word in ("status-503", "status-529"):
        with pytest.raises(openai.InternalServerError) as failed:
            call(word)
        # Overload (Anthropic's 529, Bedrock's ServiceUnavailableException) is a 503 with Retry-After, as
        # OpenAI answers when overloaded; other upstream failures are a 502.
        # Bedrock has no 529 (the fake answers it with InternalServerException); its 503 is
        # ServiceUnavailableException, i.e. overload.
        overload_word = "status-503" if provider.startswith("bedrock") else "status-529"
        overloaded = word == overload_word
        assert failed.value.status_code == (503 if overloaded else 502), word
        assert failed.value.code == ("upstream_overloaded" if overloaded else "upstream_error")
        if overloaded:
            assert int(failed.value.response.headers["retry-after"]) >= 1
        assert len(upstream_calls(fake, provider)) == 3, f"{word} should be retried up to retry.max_attempts"
        fake.reset()
    exercised(provider, "errors")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_midstream_error(client, contract_gw, provider):
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(
                model=alias(provider, "midstream-error"), messages=HELLO, stream=True):
            if chunk.choices:
                received.append(chunk.choices[0].delta.content or "")
    assert not isinstance(caught.value, openai.APIConnectionError), "the stream should end with an error event"
    assert "upstream stream failed" in caught.value.message
    text = "".join(received)
    assert HELLO_ANSWER.startswith(text) and text != HELLO_ANSWER
    if provider not in OPENAI_FAMILY:
        # Anthropic and Bedrock fail with an in-band event after two words, which arrive first. (The OpenAI fake
        # drops the connection instead; AsyncHTTPClient discards body bytes read together with the abort, so
        # the words before it may or may not be relayed.)
        assert text == "You said: "

    status, lines, request_id = raw_stream(
        contract_gw, {"model": alias(provider, "midstream-error"), "messages": HELLO, "stream": True})
    assert status == 200
    assert "[DONE]" not in lines
    last = json.loads(lines[-1])
    assert last["error"]["code"] == "upstream_stream_error" and last["error"]["type"] == "server_error"
    event = contract_gw.show_request(request_id)
    assert (event["outcome"], event["error_code"], event["http_status"]) == (
        "stream_error", "upstream_stream_error", 200)
    exercised(provider, "midstream_error")


# MARK: 8. cache usage and reasoning


@pytest.mark.parametrize("provider", TRANSLATED_CORE)
def test_cached_tokens(client, provider):
    expected = expected_usage(provider, HELLO_PROMPT_WORDS, words(HELLO_ANSWER), cache=True)
    completion = client.chat.completions.create(model=alias(provider, "cache"), messages=HELLO)
    assert usage_tuple(completion.usage) == expected
    assert completion.usage.prompt_tokens_details.cached_tokens == CACHE_READ

    chunks = list(client.chat.completions.create(
        model=alias(provider, "cache"), messages=HELLO, stream=True, stream_options={"include_usage": True}))
    assert usage_tuple(chunks[-1].usage) == expected
    assert chunks[-1].usage.prompt_tokens_details.cached_tokens == CACHE_READ
    exercised(provider, "cached_tokens")


@pytest.mark.parametrize("provider", TRANSLATED_CORE)
def test_reasoning_content(client, provider):
    completion = client.chat.completions.create(model=alias(provider, "thinking"), messages=HELLO)
    message = completion.choices[0].message
    assert message.content == HELLO_ANSWER
    assert getattr(message, "reasoning_content", None) == THINKING_TEXT
    assert usage_tuple(completion.usage) == expected_usage(
        provider, HELLO_PROMPT_WORDS, words(THINKING_TEXT) + words(HELLO_ANSWER))

    chunks = list(client.chat.completions.create(model=alias(provider, "thinking"), messages=HELLO, stream=True))
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices)
    assert reasoning == THINKING_TEXT
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == HELLO_ANSWER

    with client.chat.completions.stream(model=alias(provider, "thinking"), messages=HELLO) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta"]
        final = stream.get_final_completion()
    assert "".join(deltas) == HELLO_ANSWER
    assert final.choices[0].message.content == HELLO_ANSWER
    assert final.choices[0].finish_reason == "stop"
    exercised(provider, "reasoning")


@pytest.mark.parametrize("provider", ["anthropic", "bedrock-claude"])
def test_reasoning_effort_enables_thinking(client, fake, provider):
    """`reasoning_effort` on a Claude model with extended thinking: thinking is enabled upstream (room for the
    answer added to the budget, sampling settings dropped) and the reasoning comes back as `reasoning_content`."""
    completion = client.chat.completions.create(
        model=alias(provider, "reasoner"), messages=HELLO, reasoning_effort="low", temperature=0.5)
    assert completion.choices[0].message.content == HELLO_ANSWER
    assert getattr(completion.choices[0].message, "reasoning_content", None) == THINKING_TEXT
    chunks = list(client.chat.completions.create(
        model=alias(provider, "reasoner"), messages=HELLO, reasoning_effort="low", stream=True))
    assert "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks) == THINKING_TEXT
    for upstream in upstream_calls(fake, provider):
        body = upstream["body"]
        thinking = {"type": "enabled", "budget_tokens": 1024}
        if provider == "anthropic":
            assert body["thinking"] == thinking
            assert body["max_tokens"] == 1024 + ANTHROPIC_DEFAULT_MAX_TOKENS
            assert "temperature" not in body
        else:
            assert body["additionalModelRequestFields"] == {"thinking": thinking}
            assert body["inferenceConfig"] == {"maxTokens": 1024 + BEDROCK_DEFAULT_MAX_TOKENS}
    exercised(provider, "reasoning")


# MARK: 9. audit log


@pytest.mark.parametrize("provider", PROVIDERS)
def test_audit_log_has_usage_of_streams_without_include_usage(client, contract_gw, provider):
    raw = client.chat.completions.with_raw_response.create(model=alias(provider), messages=HELLO, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in raw.parse() if c.choices) == HELLO_ANSWER
    event = contract_gw.show_request(raw.headers["x-request-id"])
    assert event["stream"] is True and event["outcome"] == "success"
    assert event["alias"] == alias(provider)
    assert event["provider_model"] == upstream_model(provider)
    prompt, completion, _ = expected_usage(provider, HELLO_PROMPT_WORDS, words(HELLO_ANSWER))
    assert (event["prompt_tokens"], event["completion_tokens"]) == (prompt, completion)
    exercised(provider, "audit_usage")


# MARK: provider-specific wire details


@pytest.mark.parametrize("provider", BEDROCK)
def test_bedrock_signature_model_path_and_session_token(client, fake, provider):
    client.chat.completions.create(model=alias(provider), messages=HELLO)
    list(client.chat.completions.create(model=alias(provider), messages=HELLO, stream=True))
    buffered, streamed = upstream_calls(fake, provider)
    model = upstream_model(provider)
    encoded = urllib.parse.quote(model, safe="")
    assert buffered["path"] == f"/model/{encoded}/converse"
    assert streamed["path"] == f"/model/{encoded}/converse-stream"
    assert "%3A" in buffered["path"] and ":" not in buffered["path"]
    if provider == "bedrock-arn":
        assert "%2F" in buffered["path"]
    for recorded in (buffered, streamed):
        assert recorded["headers"]["x-amz-security-token"] == AWS_SESSION_TOKEN
        check = assert_sigv4(recorded, secret_key=AWS_SECRET_KEY, access_key=AWS_ACCESS_KEY, region=REGION,
                             service="bedrock", session_token=AWS_SESSION_TOKEN)
        assert "x-amz-security-token" in check.authorization.signed_headers
    assert streamed["headers"]["accept"] == "application/vnd.amazon.eventstream"
    exercised(provider, "auth")


def test_anthropic_headers_and_max_tokens(client, fake):
    client.chat.completions.create(model=alias("anthropic"), messages=HELLO)
    client.chat.completions.create(model=alias("anthropic"), messages=HELLO, max_completion_tokens=7)
    client.chat.completions.create(model=alias("anthropic"), messages=HELLO, max_tokens=9)
    defaulted, limited, legacy = upstream_calls(fake, "anthropic")
    for recorded in (defaulted, limited, legacy):
        assert recorded["headers"]["x-api-key"] == ANTHROPIC_KEY
        assert recorded["headers"]["anthropic-version"] == "2023-06-01"
        assert recorded["authorization"] is None, "the Anthropic key goes in x-api-key only"
    assert defaulted["body"]["max_tokens"] == ANTHROPIC_DEFAULT_MAX_TOKENS
    assert limited["body"]["max_tokens"] == 7
    assert legacy["body"]["max_tokens"] == 9
    exercised("anthropic", "auth")


def test_vertex_token_is_exchanged_once_and_models_are_prefixed(contract_gw):
    first = contract_gw.vertex_first
    assert first["answers"] == [HELLO_ANSWER, HELLO_ANSWER]
    count, requests = first["after_first"]
    assert count == 1
    paths = [r["path"] for r in requests]
    assert paths == ["/token", "/v1/chat/completions"], "the token must be exchanged before the first call"
    token_request, chat = requests
    assert "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in token_request["raw_body"]
    assert chat["authorization"] == "Bearer ya29.fake-1"
    assert chat["body"]["model"] == "google/gemini-2.5-flash"
    count, requests = first["after_second"]
    assert count == 1, "the second call must reuse the cached token"
    assert [r["path"] for r in requests] == ["/token", "/v1/chat/completions", "/v1/chat/completions"]
    assert requests[-1]["authorization"] == "Bearer ya29.fake-1"
    exercised("vertex", "auth")


def test_gemini_dialect(client, fake):
    client.chat.completions.create(model=alias("gemini"), messages=HELLO, reasoning_effort="minimal")
    client.chat.completions.create(model=alias("gemini"), messages=HELLO, reasoning_effort="high")
    minimal, high = upstream_calls(fake, "gemini")
    assert minimal["body"]["reasoning_effort"] == "low"
    assert high["body"]["reasoning_effort"] == "high"
    assert minimal["authorization"] == f"Bearer {GEMINI_KEY}"
    assert minimal["body"]["model"] == "gemini-2.5-flash"
    exercised("gemini", "auth")


def test_openai_key_and_model(client, fake):
    client.chat.completions.create(model=alias("openai"), messages=HELLO)
    [upstream] = upstream_calls(fake, "openai")
    assert upstream["authorization"] == f"Bearer {OPENAI_KEY}"
    assert upstream["body"] == {"model": "gpt-fake", "messages": HELLO}
    exercised("openai", "auth")


# MARK: feature matrix

FEATURE_ROWS = {
    "chat": "Buffered chat: content, `finish_reason`, alias as `model`, exact usage",
    "stream": "Streaming (SDK iterator and `chat.completions.stream` helper), one `[DONE]`",
    "stream_usage": "`stream_options.include_usage`: one final usage chunk (`choices: []`)",
    "tools": "Tool call, buffered",
    "tools_stream": "Tool call, streamed (id and name first, dense `index`)",
    "parallel_tools": "Parallel tool calls",
    "tool_history": "Tool calls and tool results in the history",
    "image_data": "Image as base64 data URL",
    "image_url": "Image as http(s) URL",
    "json_schema": "`response_format: json_schema`",
    "errors": "Upstream 429 / 400 / 5xx → `RateLimitError` (retry-after) / `BadRequestError` / 502 (503 when overloaded) after retries",
    "midstream_error": "Upstream failure mid-stream → SSE error event, no `[DONE]`",
    "cached_tokens": "`usage.prompt_tokens_details.cached_tokens`",
    "reasoning": "Reasoning text as `reasoning_content`",
    "audit_usage": "Audit log has the tokens of streams without `include_usage`",
    "auth": "Upstream authentication",
}

PASSED_THROUGH = "passed through (the fake reports none)"
FEATURES: dict[str, dict[str, str]] = {
    "openai": {
        **{feature: "yes" for feature in FEATURE_ROWS},
        "cached_tokens": PASSED_THROUGH,
        "reasoning": "no (OpenAI returns no reasoning text)",
        "auth": "yes (`Authorization: Bearer` API key)",
    },
    "anthropic": {
        **{feature: "yes" for feature in FEATURE_ROWS},
        "json_schema": "yes (forced `json_response` tool)",
        "auth": "yes (`x-api-key`, `anthropic-version`)",
    },
    "bedrock-nova": {
        **{feature: "yes" for feature in FEATURE_ROWS},
        "image_url": "no: 400 (Converse takes inline images only)",
        "json_schema": "yes (forced `json_response` tool)",
        "auth": "yes (SigV4, session token)",
    },
    "bedrock-claude": {
        **{feature: "yes" for feature in FEATURE_ROWS},
        "image_url": "no: 400 (Converse takes inline images only)",
        "json_schema": "yes (forced `json_response` tool)",
        "auth": "yes (SigV4, session token; model ids and inference-profile ARNs)",
    },
    "gemini": {
        **{feature: "yes" for feature in FEATURE_ROWS},
        "cached_tokens": PASSED_THROUGH,
        "reasoning": PASSED_THROUGH,
        "auth": "yes (`Authorization: Bearer` API key; `reasoning_effort: minimal` → `low`)",
    },
    "vertex": {
        **{feature: "yes" for feature in FEATURE_ROWS},
        "cached_tokens": PASSED_THROUGH,
        "reasoning": PASSED_THROUGH,
        "auth": "yes (service-account OAuth token, cached; models sent as `google/<model>`)",
    },
}
# "yes (note)" cells count as "yes": they must be exercised too.
PROVIDER_TITLES = {"openai": "OpenAI", "anthropic": "Anthropic", "bedrock-nova": "Bedrock (Nova)",
                   "bedrock-claude": "Bedrock (Claude)", "gemini": "Gemini", "vertex": "Vertex AI"}
MATRIX_PATH = Path(__file__).resolve().parent / "provider-features.md"


def supported(cell: str) -> bool:
    return cell == "yes" or cell.startswith("yes ")


def feature_matrix_markdown() -> str:
    lines = [
        "# Provider feature matrix",
        "",
        "What an OpenAI client gets through Switchboard from each provider family. Generated by",
        "`tests/e2e/test_provider_contract.py` (`FEATURES`); every \"yes\" is exercised by that suite against the",
        "fake upstream with the official `openai` SDK.",
        "",
        "| Feature | " + " | ".join(PROVIDER_TITLES[p] for p in PROVIDERS) + " |",
        "|---|" + "---|" * len(PROVIDERS),
    ]
    for feature, title in FEATURE_ROWS.items():
        lines.append(f"| {title} | " + " | ".join(FEATURES[p][feature] for p in PROVIDERS) + " |")
    return "\n".join(lines) + "\n"


# MARK: OpenAI's schemas


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("word", ["basic", "tool", "tools2", "thinking", "cache"])
def test_wire_shapes_match_openai_schemas(contract_gw, provider, word):
    """Buffered answers, every stream chunk and the usage chunk validate against OpenAI's own schemas."""
    if word in ("thinking", "cache") and provider not in ("anthropic", "bedrock-nova", "bedrock-claude"):
        pytest.skip("the fake reports reasoning and cache tokens for Anthropic and Bedrock only")
    body: dict[str, Any] = {"model": alias(provider, word), "messages": HELLO}
    if word.startswith("tool"):
        body["tools"] = [WEATHER_TOOL]
    headers = {"authorization": f"Bearer {contract_gw.key}"}  # type: ignore[attr-defined]
    buffered = httpx.post(contract_gw.base_url + "/chat/completions", json=body, headers=headers, timeout=30)
    assert buffered.status_code == 200
    assert_matches("CreateChatCompletionResponse", buffered.json())
    status, lines, _ = raw_stream(contract_gw, {**body, "stream": True, "stream_options": {"include_usage": True}})
    assert status == 200 and lines[-1] == "[DONE]"
    for line in lines[:-1]:
        assert_matches("CreateChatCompletionStreamResponse", json.loads(line))
    bad = httpx.post(contract_gw.base_url + "/chat/completions", json={**body, "model": alias(provider, "status-400")},
                     headers=headers, timeout=30)
    assert bad.status_code == 400
    assert_matches("ErrorResponse", bad.json())


# MARK: embeddings


@pytest.mark.parametrize("embedding_alias", ["emb-openai", "emb-gemini", "emb-titan", "emb-cohere"])
def test_embeddings_in_both_encodings(client, fake, embedding_alias):
    texts = ["hello big world", "two words"]
    extra = {"dimensions": 256} if embedding_alias == "emb-titan" else {}
    floats = client.embeddings.create(model=embedding_alias, input=texts, encoding_format="float", **extra)
    assert_matches("CreateEmbeddingResponse", floats.model_dump(exclude_unset=True))
    # Without encoding_format the SDK asks for base64 and decodes it itself.
    decoded = client.embeddings.create(model=embedding_alias, input=texts, **extra)
    assert floats.model == embedding_alias
    assert [d.index for d in floats.data] == [0, 1]
    assert len({len(d.embedding) for d in floats.data}) == 1
    if embedding_alias == "emb-titan":
        assert len(floats.data[0].embedding) == 256
    for a, b in zip(floats.data, decoded.data):
        assert len(a.embedding) == len(b.embedding)
        assert max(abs(x - y) for x, y in zip(a.embedding, b.embedding)) < 1e-6, "base64 is float32 of the same vector"
    assert floats.usage.prompt_tokens == 5 and floats.usage.total_tokens == 5
    if embedding_alias in ("emb-titan", "emb-cohere"):
        calls = [r for r in fake.requests() if r["path"].endswith("/invoke")]
        assert calls, "InvokeModel was called"
        assert {r["path"].split("/")[2] for r in calls} == {
            "amazon.titan-embed-text-v2%3A0" if embedding_alias == "emb-titan" else "cohere.embed-english-v3"}
        if embedding_alias == "emb-titan":
            assert sorted(r["body"]["inputText"] for r in calls[:2]) == sorted(texts), "one call per text"
            assert all(r["body"]["dimensions"] == 256 for r in calls)
        else:
            assert calls[0]["body"]["texts"] == texts and calls[0]["body"]["input_type"] == "search_document"


def test_bedrock_embeddings_refuse_token_input_and_bad_dimensions(client, fake):
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model="emb-titan", input=[[1, 2, 3]], encoding_format="float")
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model="emb-titan", input="x", dimensions=300, encoding_format="float")
    assert not [r for r in fake.requests() if r["path"].endswith("/invoke")], "refused before any upstream call"


def test_feature_matrix(request):
    """Every "yes" in FEATURES was exercised by a passing scenario of this run; then the matrix is written."""
    assert set(FEATURES) == set(PROVIDERS)
    for provider, cells in FEATURES.items():
        assert set(cells) == set(FEATURE_ROWS), provider
    selected = request.config.getoption("keyword") or request.config.getoption("markexpr") or any(
        "::" in arg for arg in request.config.args)
    if selected:
        pytest.skip("the matrix is checked only when the whole module runs")
    missing = sorted((p, f) for p, cells in FEATURES.items() for f, cell in cells.items()
                     if supported(cell) and (p, f) not in EXERCISED)
    assert not missing, f"features marked yes but not exercised (or failing): {missing}"
    wrongly_no = sorted((p, f) for p, f in EXERCISED if not supported(FEATURES[p][f]))
    assert not wrongly_no, f"features exercised but not marked yes: {wrongly_no}"
    text = feature_matrix_markdown()
    print("\n" + text)
    if os.environ.get("SWITCHBOARD_UPDATE_FEATURES") == "1":
        MATRIX_PATH.write_text(text)
    assert MATRIX_PATH.exists() and MATRIX_PATH.read_text() == text, (
        "tests/e2e/provider-features.md is out of date: rerun with SWITCHBOARD_UPDATE_FEATURES=1")

"""`POST /v1/responses` through the chat translation, driven by the official `openai` SDK (`client.responses`)
against the gateway with the `openai`, `anthropic` and `bedrock` providers on the fake upstream.

The aliases and upstream model names are the provider contract's (`<provider>-<word>`, the word selecting the
fake's behaviour); see test_provider_contract.py.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx
import openai
import pytest
from openai import OpenAI

from conftest import FakeUpstream, Gateway, GatewayFactory
from openai_schemas import assert_matches
from test_provider_contract import (AWS_ENV, REGION, ANTHROPIC_KEY,
                                    OPENAI_KEY, TOOL_ARGUMENTS, alias, provider_ref, upstream_calls,
                                    upstream_model)

PROVIDERS = ("openai", "anthropic", "bedrock-nova")
WORDS = ("basic", "tool", "status-400", "status-429", "status-503", "midstream-error")

WEATHER_TOOL = {"type": "function", "name": "get_weather", "description": "Current weather",
                "parameters": {"type": "object", "properties": {"location": {"type": "string"}},
                               "required": ["location"]}}
SCHEMA = {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"],
          "additionalProperties": False}
HELLO_ANSWER = "You said: hello big world"


def responses_config(fake: FakeUpstream) -> str:
    routes = []
    for provider in PROVIDERS:
        for word in WORDS:
            routes.append(
                f'  "{alias(provider, word)}": {{ targets: [ {{ provider: "{provider_ref(provider)}", '
                f'model: "{upstream_model(provider, word)}" }} ] }}')
    return f"""\
log_format: text
providers:
  openai: {{ base_url: "{fake.base_url}", api_key: "{OPENAI_KEY}" }}
  anthropic: {{ base_url: "{fake.root_url}", api_key: "{ANTHROPIC_KEY}", default_max_tokens: 1000 }}
  bedrock: {{ region: {REGION}, base_url: "{fake.root_url}" }}
limits: {{ rpm: 100000, rpd: 1000000 }}
retry: {{ max_attempts: 3, backoff_base_ms: 5, backoff_max_ms: 20 }}
upstream: {{ request_timeout_seconds: 10 }}
circuit_breaker: {{ failure_threshold: 100000, open_seconds: 1 }}
keys: {{ cache_seconds: 0 }}
routes:
""" + "\n".join(routes) + "\n"


@pytest.fixture(scope="module")
def responses_gw(module_gateway: GatewayFactory, fake_upstream: FakeUpstream) -> Gateway:
    gw = module_gateway(responses_config(fake_upstream), env=AWS_ENV)
    gw.key = gw.create_key("responses", label="responses")  # type: ignore[attr-defined]
    return gw


@pytest.fixture
def client(responses_gw: Gateway, fake: FakeUpstream) -> OpenAI:
    return OpenAI(base_url=responses_gw.base_url, api_key=responses_gw.key, max_retries=0)  # type: ignore[attr-defined]


def post(gw: Gateway, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(gw.base_url + "/responses", json=body, timeout=30,
                      headers={"authorization": f"Bearer {gw.key}"})  # type: ignore[attr-defined]


def check_sequence(events: list[Any]) -> list[str]:
    """The event types, after checking that sequence numbers count up from 0."""
    assert [e.sequence_number for e in events] == list(range(len(events)))
    return [e.type for e in events]


# MARK: text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_text_with_instructions(client, fake, responses_gw, provider):
    raw = client.responses.with_raw_response.create(
        model=alias(provider), instructions="be brief", input="hello big world", metadata={"case": "text"})
    response = raw.parse()
    assert response.id.startswith("resp_")
    assert response.object == "response"
    assert response.status == "completed"
    assert response.model == alias(provider)
    assert response.output_text == HELLO_ANSWER
    [message] = response.output
    assert message.type == "message" and message.role == "assistant" and message.id.startswith("msg_")
    assert message.content[0].type == "output_text"
    assert response.instructions == "be brief"
    assert response.metadata == {"case": "text"}
    assert response.store is True, "store defaults to true, as on OpenAI"
    assert response.usage.input_tokens == 5 and response.usage.output_tokens == 5
    assert response.usage.total_tokens == 10
    [upstream] = upstream_calls(fake, provider)
    if provider == "openai":
        assert upstream["body"]["messages"] == [{"role": "system", "content": "be brief"},
                                                {"role": "user", "content": "hello big world"}]
        assert "metadata" not in upstream["body"]
    elif provider == "anthropic":
        assert upstream["body"]["system"][0]["text"] == "be brief"
    # The request log records the usage like chat.
    event = responses_gw.show_request(raw.headers["x-request-id"])
    assert (event["alias"], event["prompt_tokens"], event["completion_tokens"]) == (alias(provider), 5, 5)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_stream_events_in_order(client, provider):
    events = list(client.responses.create(model=alias(provider), input="hello big world", stream=True))
    types = check_sequence(events)
    assert types[:5] == ["response.created", "response.in_progress", "response.output_item.added",
                         "response.content_part.added", "response.output_text.delta"]
    assert types[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.completed"]
    assert set(types[4:-4]) == {"response.output_text.delta"}
    item_id = events[2].item.id
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    assert all(d.item_id == item_id and d.output_index == 0 and d.content_index == 0 for d in deltas)
    assert "".join(d.delta for d in deltas) == HELLO_ANSWER
    final = events[-1].response
    assert final.status == "completed" and final.output_text == HELLO_ANSWER
    assert final.usage.input_tokens == 3 and final.usage.output_tokens == 5


@pytest.mark.parametrize("provider", PROVIDERS)
def test_stream_helper(client, provider):
    with client.responses.stream(model=alias(provider), input="hello big world") as stream:
        text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert text == HELLO_ANSWER
    assert final.output_text == HELLO_ANSWER
    assert final.usage.total_tokens == 8


# MARK: tools


@pytest.mark.parametrize("provider", PROVIDERS)
def test_function_call_round_trip(client, fake, provider):
    question = [{"role": "user", "content": "weather in Paris?"}]
    response = client.responses.create(model=alias(provider, "tool"), input=question, tools=[WEATHER_TOOL])
    calls = [item for item in response.output if item.type == "function_call"]
    [call] = calls
    assert call.name == "get_weather" and call.id.startswith("fc_") and call.call_id
    assert json.loads(call.arguments) == TOOL_ARGUMENTS[0]
    assert response.tools[0].name == "get_weather"

    # Streamed: the call arrives as a function_call item with argument deltas.
    with client.responses.stream(model=alias(provider, "tool"), input=question, tools=[WEATHER_TOOL]) as stream:
        events = list(stream)
        final = stream.get_final_response()
    check_sequence(events)
    [streamed] = [item for item in final.output if item.type == "function_call"]
    assert json.loads(streamed.arguments) == TOOL_ARGUMENTS[0]
    done = [e for e in events if e.type == "response.function_call_arguments.done"]
    assert [json.loads(e.arguments) for e in done] == [TOOL_ARGUMENTS[0]]

    # The follow-up sends the call and its output back as items; the upstream gets a tool-call history.
    fake.reset()
    follow_up = question + [item.model_dump(exclude_none=True) for item in response.output] + [
        {"type": "function_call_output", "call_id": call.call_id, "output": "18C and sunny"}]
    answer = client.responses.create(model=alias(provider), input=follow_up, tools=[WEATHER_TOOL])
    assert answer.status == "completed"
    assert answer.output_text.startswith("You said:")
    [upstream] = upstream_calls(fake, provider)
    body = json.dumps(upstream["body"])
    assert call.call_id in body and "18C and sunny" in body


# MARK: structured output and limits


@pytest.mark.parametrize("provider", PROVIDERS)
def test_json_schema_text_format(client, fake, provider):
    text = {"format": {"type": "json_schema", "name": "place", "schema": SCHEMA, "strict": True}}
    if provider == "openai":
        client.responses.create(model=alias(provider), input="hello big world", text=text)
        [upstream] = upstream_calls(fake, provider)
        assert upstream["body"]["response_format"] == {
            "type": "json_schema", "json_schema": {"name": "place", "schema": SCHEMA, "strict": True}}
        return
    # Anthropic and Bedrock: a forced tool whose input (the `tool` fake's {"location": "Paris"}) is the answer.
    response = client.responses.create(model=alias(provider, "tool"), input="weather in Paris?", text=text)
    assert json.loads(response.output_text) == TOOL_ARGUMENTS[0]
    assert response.text.format.type == "json_schema"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_max_output_tokens_is_incomplete(client, provider):
    response = client.responses.create(model=alias(provider), input="hello big world", max_output_tokens=3)
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "You said: hello"
    assert response.max_output_tokens == 3
    events = list(client.responses.create(model=alias(provider), input="hello big world", max_output_tokens=3,
                                          stream=True))
    types = check_sequence(events)
    assert types[-1] == "response.incomplete"
    assert events[-1].response.incomplete_details.reason == "max_output_tokens"


# MARK: errors


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_upstream_errors(client, provider, stream):
    def call(word: str) -> Any:
        result = client.responses.create(model=alias(provider, word), input="hello big world", stream=stream)
        return list(result) if stream else result

    with pytest.raises(openai.BadRequestError) as bad:
        call("status-400")
    assert bad.value.status_code == 400
    with pytest.raises(openai.RateLimitError) as limited:
        call("status-429")
    assert limited.value.code == "upstream_rate_limited"
    with pytest.raises(openai.InternalServerError) as failed:
        call("status-503")
    assert failed.value.status_code in (502, 503)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_midstream_failure_is_response_failed(client, responses_gw, provider):
    events = list(client.responses.create(model=alias(provider, "midstream-error"), input="hello big world",
                                          stream=True))
    types = check_sequence(events)
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.failed"
    failed = events[-1].response
    assert failed.status == "failed"
    assert failed.error.code == "server_error"
    assert "upstream stream failed" in failed.error.message
    with httpx.stream("POST", responses_gw.base_url + "/responses", timeout=30,
                      json={"model": alias(provider, "midstream-error"), "input": "hello big world", "stream": True},
                      headers={"authorization": f"Bearer {responses_gw.key}"}) as raw:
        lines = list(raw.iter_lines())
        request_id = raw.headers["x-request-id"]
    assert "data: [DONE]" not in lines
    assert "event: response.failed" in lines
    event = responses_gw.show_request(request_id)
    assert (event["outcome"], event["error_code"]) == ("stream_error", "upstream_stream_error")


# MARK: OpenAI's schemas


def raw_events(gw: Gateway, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `data:` payloads of a streamed `/v1/responses` call, checking each matches its `event:` line."""
    events: list[dict[str, Any]] = []
    with httpx.Client(timeout=30) as http:
        with http.stream("POST", gw.base_url + "/responses", json={**body, "stream": True},
                         headers={"authorization": f"Bearer {gw.key}"}) as response:  # type: ignore[attr-defined]
            assert response.status_code == 200
            name = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    event = json.loads(line[len("data: "):])
                    assert event["type"] == name
                    events.append(event)
    return events


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("word", ["basic", "tool"])
def test_response_objects_and_events_match_openai_schemas(responses_gw, provider, word):
    body: dict[str, Any] = {"model": alias(provider, word), "input": "hello big world", "instructions": "be brief"}
    if word == "tool":
        body["tools"] = [WEATHER_TOOL]
    buffered = post(responses_gw, body)
    assert buffered.status_code == 200
    assert_matches("Response", buffered.json())
    events = raw_events(responses_gw, body)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    for event in events:
        assert_matches("ResponseStreamEvent", event)
    limited = raw_events(responses_gw, {**body, "max_output_tokens": 2})
    assert limited[-1]["type"] in ("response.incomplete", "response.completed")
    for event in limited:
        assert_matches("ResponseStreamEvent", event)


def test_failed_stream_and_errors_match_openai_schemas(responses_gw):
    failed = raw_events(responses_gw, {"model": alias("openai", "midstream-error"), "input": "hello big world"})
    assert failed[-1]["type"] == "response.failed"
    for event in failed:
        assert_matches("ResponseStreamEvent", event)
    bad = post(responses_gw, {"model": alias("openai"), "input": "x", "background": True})
    assert bad.status_code == 400
    assert_matches("ErrorResponse", bad.json())


# MARK: stored responses


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_previous_response_id_continues_the_conversation(client, fake, provider, stream):
    if stream:
        with client.responses.stream(model=alias(provider), instructions="be brief", input="hello big world") as s:
            first = s.get_final_response()
    else:
        first = client.responses.create(model=alias(provider), instructions="be brief", input="hello big world")
    assert first.store is True
    fake.reset()
    second = client.responses.create(model=alias(provider), input="and again", previous_response_id=first.id)
    assert second.previous_response_id == first.id
    assert second.output_text == "You said: and again"
    [upstream] = upstream_calls(fake, provider)
    if provider == "openai":
        # Instructions are not carried over; the earlier turn and its answer are.
        assert upstream["body"]["messages"] == [
            {"role": "user", "content": "hello big world"}, {"role": "assistant", "content": HELLO_ANSWER},
            {"role": "user", "content": "and again"}]
    elif provider == "anthropic":
        assert "system" not in upstream["body"]
        assert [m["role"] for m in upstream["body"]["messages"]] == ["user", "assistant", "user"]
        assert upstream["body"]["messages"][1]["content"] == [{"type": "text", "text": HELLO_ANSWER}]
    else:
        assert [m["role"] for m in upstream["body"]["messages"]] == ["user", "assistant", "user"]
        assert upstream["body"]["messages"][1]["content"] == [{"text": HELLO_ANSWER}]
    # A chain of three: the third sees both earlier turns.
    fake.reset()
    client.responses.create(model=alias(provider), input="third", previous_response_id=second.id)
    [upstream] = upstream_calls(fake, provider)
    if provider == "openai":
        assert [m["content"] for m in upstream["body"]["messages"]] == [
            "hello big world", HELLO_ANSWER, "and again", "You said: and again", "third"]


def test_a_function_call_continues_with_previous_response_id(client, fake):
    first = client.responses.create(model=alias("openai", "tool"), input="weather in Paris?", tools=[WEATHER_TOOL])
    [call] = [item for item in first.output if item.type == "function_call"]
    fake.reset()
    client.responses.create(model=alias("openai"), previous_response_id=first.id, input=[
        {"type": "function_call_output", "call_id": call.call_id, "output": "18C"}])
    [upstream] = upstream_calls(fake, "openai")
    messages = upstream["body"]["messages"]
    assert messages[0] == {"role": "user", "content": "weather in Paris?"}
    assert messages[1]["role"] == "assistant" and messages[1]["tool_calls"][0]["id"] == call.call_id
    assert messages[1]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert messages[2] == {"role": "tool", "tool_call_id": call.call_id, "content": "18C"}


def test_retrieve_and_delete_are_scoped_to_the_tenant(client, responses_gw):
    created = client.responses.create(model=alias("openai"), input="hello big world")
    fetched = client.responses.retrieve(created.id)
    assert fetched.id == created.id and fetched.output_text == HELLO_ANSWER
    other_key = responses_gw.create_key("someone-else", label="other")
    other = OpenAI(base_url=responses_gw.base_url, api_key=other_key, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        other.responses.retrieve(created.id)
    with pytest.raises(openai.BadRequestError) as bad:
        other.responses.create(model=alias("openai"), input="x", previous_response_id=created.id)
    assert bad.value.code == "previous_response_not_found" and bad.value.param == "previous_response_id"
    with pytest.raises(openai.NotFoundError):
        other.responses.delete(created.id)
    client.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)


def test_store_false_keeps_nothing(client):
    response = client.responses.create(model=alias("openai"), input="hello big world", store=False)
    assert response.store is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)
    with pytest.raises(openai.BadRequestError) as bad:
        client.responses.create(model=alias("openai"), input="x", previous_response_id=response.id)
    assert bad.value.code == "previous_response_not_found"


@pytest.mark.parametrize("body, param", [
    ({"input": "hi", "tools": [{"type": "web_search"}]}, "tools[0].type"),
    ({"input": "hi", "background": True}, "background"),
    ({"input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0]"),
    ({"input": [{"role": "user", "content": [{"type": "input_file", "file_id": "file-1"}]}]},
     "input[0].content[0].file_data"),
])
def test_unsupported_fields_are_400s(responses_gw, fake, body, param):
    response = post(responses_gw, {"model": alias("openai"), **body})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
    assert upstream_calls(fake, "openai") == []


def test_unknown_alias_is_404(client):
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="no-such-alias", input="hi")

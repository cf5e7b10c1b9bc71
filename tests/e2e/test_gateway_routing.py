"""Routing: fallbacks, timeouts, key pools, endpoint modes, mid-stream failures, live routes, circuit breaking."""

from __future__ import annotations

import time

import openai
import pytest
from openai import OpenAI

from conftest import POOL_ENV, gateway_config

HELLO = [{"role": "user", "content": "hello there"}]


@pytest.fixture(scope="module")
def key(gw) -> str:
    return gw.create_key("routing", label="routing-tests")


@pytest.fixture
def client(gw, key, fake) -> OpenAI:
    return OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)


@pytest.fixture
def fresh(gateway, fake):
    """A gateway of its own (circuit breakers start closed), with a key and an SDK client."""
    gw = gateway(gateway_config(fake.base_url, extra_routes=(
        '  down: { targets: [ { provider: "openai_compatible:fake", model: "status-500" } ] }\n'
        '  flaky: { targets: [ { provider: "openai_compatible:fake", model: "flaky-2" } ] }\n')), env=POOL_ENV)
    return gw, OpenAI(base_url=gw.base_url, api_key=gw.create_key("routing"), max_retries=0)


def models_called(fake) -> list[str]:
    return [r["body"]["model"] for r in fake.requests()]


# MARK: fallbacks


def test_fallback_after_upstream_503(fresh, fake):
    gw, client = fresh
    raw = client.chat.completions.with_raw_response.create(model="fallback", messages=HELLO)
    completion = raw.parse()
    assert completion.choices[0].message.content == "You said: hello there"
    assert completion.model == "fallback"
    called = models_called(fake)
    assert called[-1] == "gpt-fake" and "status-503" in called

    event = gw.show_request(raw.headers["x-request-id"])
    assert event["outcome"] == "success" and event["http_status"] == 200
    attempts = event["attempts"]
    assert len(attempts) >= 2
    assert all(a["model"] == "status-503" and a["result"] != "ok" and a["http_status"] == 503 for a in attempts[:-1])
    assert attempts[-1]["model"] == "gpt-fake" and attempts[-1]["result"] == "ok"
    assert event["provider_model"] == "gpt-fake"


def test_streaming_fallback_before_first_byte(fresh, fake):
    gw, client = fresh
    raw = client.chat.completions.with_raw_response.create(model="fallback", messages=HELLO, stream=True)
    chunks = list(raw.parse())
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "You said: hello there"
    assert {c.model for c in chunks} == {"fallback"}
    called = models_called(fake)
    assert called[-1] == "gpt-fake" and "status-503" in called
    event = gw.show_request(raw.headers["x-request-id"])
    assert event["outcome"] == "success" and event["stream"] is True
    assert [a["model"] for a in event["attempts"]][-1] == "gpt-fake"
    assert event["attempts"][0]["model"] == "status-503" and event["attempts"][0]["http_status"] == 503


def test_timeout_falls_back_to_the_next_alias(fresh, fake):
    gw, client = fresh
    started = time.monotonic()
    raw = client.chat.completions.with_raw_response.create(model="timeout", messages=HELLO)
    elapsed = time.monotonic() - started
    assert raw.parse().choices[0].message.content == "You said: hello there"
    assert elapsed < 5, f"took {elapsed:.1f}s: the 1.5 s upstream timeout was not applied"
    assert models_called(fake)[0] == "slow-5000" and models_called(fake)[-1] == "gpt-fake"
    attempts = gw.show_request(raw.headers["x-request-id"])["attempts"]
    assert attempts[0]["model"] == "slow-5000" and attempts[0]["result"] == "timeout"
    assert attempts[-1]["model"] == "gpt-fake" and attempts[-1]["result"] == "ok"


def test_transient_failures_are_retried_on_the_same_target(fresh, fake):
    gw, client = fresh
    raw = client.chat.completions.with_raw_response.create(model="flaky", messages=HELLO)
    assert raw.parse().choices[0].message.content == "You said: hello there"
    assert models_called(fake) == ["flaky-2"] * 3
    attempts = gw.show_request(raw.headers["x-request-id"])["attempts"]
    assert [a["http_status"] for a in attempts] == [503, 503, 200]


def test_retries_are_bounded_by_max_attempts(fresh, fake):
    gw, client = fresh
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="down", messages=HELLO)
    assert caught.value.status_code >= 500
    assert models_called(fake) == ["status-500"] * 3
    event = gw.show_request(caught.value.response.headers["x-request-id"])
    assert event["outcome"] == "error" and len(event["attempts"]) == 3


def test_streaming_upstream_error_before_first_byte_is_an_http_error(client, fake):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="bad", messages=HELLO, stream=True)
    assert caught.value.status_code == 400
    assert len(fake.requests()) == 1


# MARK: credentials


def test_key_pool_round_robin(client, fake):
    for _ in range(4):
        client.chat.completions.create(model="pool", messages=HELLO)
    auths = [r["authorization"] for r in fake.requests()]
    assert sorted(auths) == ["Bearer sk-a", "Bearer sk-a", "Bearer sk-b", "Bearer sk-b"]
    assert auths[0] != auths[1] and auths[0] == auths[2] and auths[1] == auths[3]


# MARK: endpoint modes


def test_auto_mode_falls_back_to_legacy_completions(client, fake):
    completion = client.chat.completions.create(model="legacy", messages=[{"role": "user", "content": "old model"}])
    assert completion.object == "chat.completion"
    assert completion.model == "legacy"
    assert completion.choices[0].message.role == "assistant"
    assert "old model" in completion.choices[0].message.content
    recorded = fake.requests()
    assert [r["path"] for r in recorded] == ["/v1/chat/completions", "/v1/completions"]
    assert all(r["body"]["model"] == "nochat" for r in recorded)
    assert "old model" in recorded[1]["body"]["prompt"]


def test_completions_mode_translates_chat(client, fake):
    completion = client.chat.completions.create(
        model="completions-only", messages=[{"role": "user", "content": "translate me"}])
    assert completion.object == "chat.completion"
    assert completion.model == "completions-only"
    assert "translate me" in completion.choices[0].message.content
    assert completion.usage.prompt_tokens > 0
    [upstream] = fake.requests()
    assert upstream["path"] == "/v1/completions"
    assert "translate me" in upstream["body"]["prompt"]
    assert "messages" not in upstream["body"]


def test_completions_mode_translates_chat_stream(client, fake):
    with client.chat.completions.stream(
        model="completions-only", messages=[{"role": "user", "content": "stream translate"}]
    ) as stream:
        final = stream.get_final_completion()
    assert "stream translate" in final.choices[0].message.content
    assert final.choices[0].finish_reason == "stop"
    assert final.model == "completions-only"
    [upstream] = fake.requests()
    assert upstream["path"] == "/v1/completions"
    assert upstream["body"]["stream"] is True
    assert "stream translate" in upstream["body"]["prompt"]


# MARK: mid-stream failure


def test_midstream_failure_ends_with_an_error_event(gw, client, fake):
    raw = client.chat.completions.with_raw_response.create(model="midstream", messages=HELLO, stream=True)
    request_id = raw.headers["x-request-id"]
    received = []
    with pytest.raises(openai.APIError):
        for chunk in raw.parse():
            received.append(chunk)
    assert received, "the words sent before the failure should reach the client"
    event = gw.show_request(request_id)
    assert event["outcome"] == "stream_error"
    assert event["stream"] is True


def test_midstream_failure_has_no_done_marker(gw, key, fake):
    import httpx2 as httpx

    response = httpx.post(
        gw.base_url + "/chat/completions", timeout=10, headers={"authorization": f"Bearer {key}"},
        json={"model": "midstream", "messages": HELLO, "stream": True})
    assert response.status_code == 200
    text = response.text
    assert "[DONE]" not in text
    assert '"error"' in text.strip().split("\n\n")[-1]


# MARK: live routes


def test_route_set_is_live_without_restart(gw, client, fake):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="newalias", messages=HELLO)
    gw.cli("routes", "set", "newalias", '{"targets":[{"provider":"openai_compatible:fake","model":"gpt-fake"}]}',
           check=True)
    started = time.monotonic()
    while True:
        try:
            completion = client.chat.completions.create(model="newalias", messages=HELLO)
            break
        except openai.NotFoundError:
            if time.monotonic() - started > 3:
                raise
            time.sleep(0.05)
    assert time.monotonic() - started < 1.5
    assert completion.model == "newalias"
    assert fake.requests()[-1]["body"]["model"] == "gpt-fake"
    assert "newalias" in {m.id for m in client.models.list()}
    gw.cli("routes", "delete", "newalias", check=True)


def test_invalid_route_is_refused_by_the_cli(gw):
    result = gw.cli("routes", "set", "broken", '{"targets":[{"provider":"openai_compatible:fake"}]}')
    assert result.returncode != 0


# MARK: circuit breaker


def test_circuit_breaker_stops_trying_a_failing_target(gateway, fake):
    gw = gateway(gateway_config(
        fake.base_url,
        retry="{ max_attempts: 2, backoff_base_ms: 1, backoff_max_ms: 2 }",
        extra_routes=(
            '  breaker: { targets: [ { provider: "openai_compatible:fake", model: "status-500", weight: 1 },'
            ' { provider: "openai_compatible:fake", model: "gpt-fake", weight: 1 } ] }\n'),
    ))
    client = OpenAI(base_url=gw.base_url, api_key=gw.create_key("breaker"), max_retries=0)

    def failures() -> int:
        return sum(1 for r in fake.requests() if r["body"]["model"] == "status-500")

    for _ in range(100):
        if failures() >= 3:
            break
        # Every request succeeds: the healthy target serves when the failing one was tried first.
        assert client.chat.completions.create(model="breaker", messages=HELLO).choices[0].message.content
    assert failures() == 3, "the circuit should open after exactly failure_threshold failures"
    for _ in range(20):
        assert client.chat.completions.create(model="breaker", messages=HELLO).choices[0].message.content
    assert failures() == 3, "the open circuit's target was still tried"

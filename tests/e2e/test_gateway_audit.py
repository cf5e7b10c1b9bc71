"""The request log: exactly one audit event per request, whatever happened; nothing lost on SIGTERM or restart."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter

import httpx2 as httpx
import openai
import pytest
from openai import OpenAI

from conftest import avoid_minute_boundary, gateway_config

HELLO = [{"role": "user", "content": "hello big world"}]


def auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def test_every_request_is_audited_exactly_once(gateway, fake):
    gw = gateway(gateway_config(fake.base_url, mock_stream_delay_ms=200))
    key = gw.create_key("audit", label="audit-key")
    mock_only = gw.create_key("audit", models="mock")
    one_rpm = gw.create_key("audit", rpm=1)
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    expected: dict[str, tuple[int, str]] = {}

    raw = client.chat.completions.with_raw_response.create(model="chat", messages=HELLO)
    raw.parse()
    ok_id = raw.headers["x-request-id"]
    expected[ok_id] = (200, "success")

    stream_raw = client.chat.completions.with_raw_response.create(model="chat", messages=HELLO, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream_raw.parse() if c.choices)
    stream_id = stream_raw.headers["x-request-id"]
    expected[stream_id] = (200, "success")

    def expect_error(api_key: str, model: str, status: int, error_type: type[Exception]) -> None:
        with pytest.raises(error_type) as caught:
            OpenAI(base_url=gw.base_url, api_key=api_key, max_retries=0).chat.completions.create(
                model=model, messages=HELLO)
        assert caught.value.status_code == status
        expected[caught.value.response.headers["x-request-id"]] = (status, "error")

    expect_error("sk-wrong", "chat", 401, openai.AuthenticationError)
    expect_error(mock_only, "chat", 403, openai.PermissionDeniedError)
    expect_error(key, "missing-alias", 404, openai.NotFoundError)
    avoid_minute_boundary()  # both calls of the rpm=1 key in one quota window
    OpenAI(base_url=gw.base_url, api_key=one_rpm, max_retries=0).chat.completions.create(model="chat", messages=HELLO)
    expect_error(one_rpm, "chat", 429, openai.RateLimitError)

    # A client that goes away mid-stream (the mock sends a word every 200 ms).
    with httpx.Client(timeout=10) as http:
        with http.stream("POST", gw.base_url + "/chat/completions", headers=auth(key),
                         json={"model": "mock", "messages": HELLO, "stream": True}) as response:
            assert response.status_code == 200
            disconnect_id = response.headers["x-request-id"]
            for line in response.iter_lines():
                if line.startswith("data: ") and '"content":"This ' in line:
                    break
    expected[disconnect_id] = (200, "client_disconnect")

    # A client that gives up on a buffered answer (the `timeout` alias answers after 1.5 s, by its fallback): it
    # never saw a request id, so its event is found by alias.
    with pytest.raises(openai.APITimeoutError):
        OpenAI(base_url=gw.base_url, api_key=key, max_retries=0, timeout=0.5).chat.completions.create(
            model="timeout", messages=HELLO)

    total = len(expected) + 2  # plus the one successful request of the rpm=1 key, and the one that timed out
    events = gw.wait_for_events(
        lambda evs: len(evs) >= total and disconnect_id in {e["request_id"] for e in evs}
        and any(e["alias"] == "timeout" for e in evs), timeout=15)
    time.sleep(0.5)
    events = gw.requests_tail(1000)
    counts = Counter(e["request_id"] for e in events)
    assert all(count == 1 for count in counts.values()), f"duplicated events: {counts}"
    assert len(events) == total
    by_id = {e["request_id"]: e for e in events}
    for request_id, (status, outcome) in expected.items():
        event = by_id[request_id]
        assert (event["http_status"], event["outcome"]) == (status, outcome), event
    for request_id in (ok_id, stream_id):
        event = by_id[request_id]
        assert (event["prompt_tokens"], event["completion_tokens"]) == (3, 5)
        assert event["tenant"] == "audit" and event["key_label"] == "audit-key" and event["alias"] == "chat"
        assert event["provider_model"] == "gpt-fake"
    assert by_id[stream_id]["stream"] is True
    assert by_id[disconnect_id]["alias"] == "mock"
    # Audited as a client that left before its answer, with the tokens its answer cost.
    [gave_up] = [e for e in events if e["alias"] == "timeout"]
    assert (gave_up["http_status"], gave_up["outcome"], gave_up["error_code"]) == (
        499, "client_disconnect", "client_closed_request")
    assert (gave_up["prompt_tokens"], gave_up["completion_tokens"]) == (3, 5)


def read_stream(url: str, key: str, results: list, index: int, started: threading.Event) -> None:
    try:
        with httpx.Client(timeout=30) as http:
            with http.stream("POST", url, headers=auth(key),
                             json={"model": "mock", "messages": [{"role": "user", "content": "drain me"}],
                                   "stream": True}) as response:
                lines = []
                for line in response.iter_lines():
                    if line:
                        lines.append(line)
                        started.set()
                results[index] = (response.status_code, response.headers.get("x-request-id"), lines)
    except Exception as error:  # noqa: BLE001 - reported by the test
        results[index] = error


def start_streams(gw, key: str, count: int) -> tuple[list, list[threading.Thread]]:
    """Starts `count` streamed requests in threads and returns once each has received its first line."""
    results: list = [None] * count
    events = [threading.Event() for _ in range(count)]
    threads = [
        threading.Thread(target=read_stream, args=(gw.base_url + "/chat/completions", key, results, i, events[i]))
        for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for event in events:
        assert event.wait(10), "a stream never started"
    return results, threads


def test_sigterm_drains_streams_and_flushes_the_audit_log(gateway, fake):
    gw = gateway(gateway_config(fake.base_url, mock_stream_delay_ms=100))
    key = gw.create_key("drain")
    results, threads = start_streams(gw, key, 5)
    code = gw.stop(signal.SIGTERM)
    for thread in threads:
        thread.join(20)
    assert code == 0

    request_ids = []
    for result in results:
        assert not isinstance(result, Exception), result
        status, request_id, lines = result
        assert status == 200
        assert lines[-1] == "data: [DONE]", lines[-3:]
        text = "".join(
            json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
            for line in lines[:-1] if line.startswith("data: {") and '"choices":[{' in line)
        assert text == "This is a mock response from Switchboard to: drain me"
        request_ids.append(request_id)

    logged = {e["request_id"]: e for e in gw.requests_tail(100)}
    for request_id in request_ids:
        assert request_id in logged, "a drained stream's audit event was lost at shutdown"
        assert logged[request_id]["outcome"] == "success"
        assert logged[request_id]["http_status"] == 200


def test_streams_past_the_drain_timeout_end_with_an_error_event_and_are_audited(gateway, fake):
    # Each stream takes about 4 s (10 words, 400 ms apart); the drain timeout is 0.5 s.
    gw = gateway(gateway_config(fake.base_url, mock_stream_delay_ms=400, extra="server: { drain_timeout_seconds: 0.5 }"))
    key = gw.create_key("drain-timeout")
    results, threads = start_streams(gw, key, 2)
    started = time.monotonic()
    code = gw.stop(signal.SIGTERM)
    for thread in threads:
        thread.join(20)
    assert code == 0
    assert time.monotonic() - started < 3.5, "the drain timeout did not end the streams"

    logged = {e["request_id"]: e for e in gw.requests_tail(100)}
    for result in results:
        assert not isinstance(result, Exception), result
        status, request_id, lines = result
        assert status == 200
        assert "data: [DONE]" not in lines
        last = json.loads(lines[-1][6:])
        assert last["error"]["code"] == "server_shutting_down"
        assert logged[request_id]["outcome"] == "stream_error"
        assert logged[request_id]["error_code"] == "server_shutting_down"


def test_events_and_keys_survive_a_restart(gateway, fake):
    gw = gateway(gateway_config(fake.base_url))
    key = gw.create_key("durable")
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    ids = [
        client.chat.completions.with_raw_response.create(model="chat", messages=HELLO).headers["x-request-id"]
        for _ in range(3)
    ]
    gw.wait_for_events(lambda evs: len(evs) >= 3)
    restarted = gateway.restart(gw)
    assert [e["request_id"] for e in restarted.requests_tail(100)] == ids
    client = OpenAI(base_url=restarted.base_url, api_key=key, max_retries=0)
    new_id = client.chat.completions.with_raw_response.create(model="chat", messages=HELLO).headers["x-request-id"]
    events = restarted.wait_for_events(lambda evs: len(evs) >= 4)
    assert [e["request_id"] for e in events] == ids + [new_id]
    assert not (restarted.data_dir / "bootstrap-key").read_text().strip() == key


def test_speech_streams_past_the_drain_timeout_end_and_are_audited(gateway, fake):
    # 2,000 characters of speech is 100 chunks of 16 KiB, 400 ms apart (about 40 s); the drain timeout is 0.5 s.
    gw = gateway(gateway_config(
        fake.base_url, mock_stream_delay_ms=400, extra="server: { drain_timeout_seconds: 0.5 }",
        extra_routes="  speech: { kind: audio, targets: [ { provider: mock, model: mock-tts } ] }\n"))
    key = gw.create_key("speech-drain")
    received: dict[str, object] = {}

    def listen() -> None:
        try:
            with httpx.stream("POST", f"{gw.base_url}/audio/speech", headers={"authorization": f"Bearer {key}"},
                              json={"model": "speech", "voice": "alloy", "input": "x" * 2000}, timeout=60) as response:
                received["request_id"] = response.headers["x-request-id"]
                received["content_type"] = response.headers["content-type"]
                total = 0
                try:
                    for chunk in response.iter_bytes():
                        total += len(chunk)
                except httpx.HTTPError:
                    pass  # the connection ends without the rest of the audio
                received["bytes"] = total
        except Exception as error:  # noqa: BLE001 - reported below
            received["error"] = error

    thread = threading.Thread(target=listen)
    thread.start()
    deadline = time.monotonic() + 10
    while "request_id" not in received and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    code = gw.stop(signal.SIGTERM)
    thread.join(20)
    assert code == 0
    assert time.monotonic() - started < 3.5, "the drain timeout did not end the speech stream"
    assert "error" not in received, received.get("error")
    assert received["content_type"] == "audio/wav"
    assert 0 < int(received["bytes"]) < 2000 * 800  # type: ignore[arg-type]
    logged = {e["request_id"]: e for e in gw.requests_tail(100)}
    event = logged[received["request_id"]]
    assert event["outcome"] == "stream_error"
    assert event["error_code"] == "server_shutting_down"

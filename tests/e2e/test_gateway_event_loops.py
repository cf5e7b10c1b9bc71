"""`switchboard serve` sizes SwiftNIO's event loops: half the cores by default, `server.event_loops` or
`SWITCHBOARD_EVENT_LOOPS` when set, NIO's own `NIO_SINGLETON_GROUP_LOOP_COUNT` above both; and serves either way.
Requests run on the event loops while few are in flight (`server.loop_requests`), and are answered the same way
whatever the setting, the loop count and the concurrency."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openai import OpenAI

from conftest import gateway_config


def event_loop_threads(pid: int) -> int:
    return sum(
        1 for task in Path(f"/proc/{pid}/task").iterdir() if (task / "comm").read_text().startswith("NIO-SGLTN-")
    )


@pytest.mark.parametrize(
    ("extra", "env", "expected"),
    [
        ("", {}, max(1, len(os.sched_getaffinity(0)) // 2)),
        ("server: { event_loops: 3 }", {}, 3),
        ("server: { event_loops: 3 }", {"SWITCHBOARD_EVENT_LOOPS": "2"}, 2),
        ("server: { event_loops: 3 }", {"NIO_SINGLETON_GROUP_LOOP_COUNT": "5"}, 5),
    ],
)
def test_event_loops_follow_the_configuration(gateway, fake_upstream, extra, env, expected) -> None:
    gw = gateway(gateway_config(fake_upstream.base_url, extra=extra), env=env)
    key = gw.create_key("acme")
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    for _ in range(4):
        assert client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}]).choices
    assert gw.proc is not None
    assert event_loop_threads(gw.proc.pid) == expected


@pytest.mark.parametrize(
    ("extra", "env"),
    [
        ("server: { loop_requests: 0 }", {}),
        ("", {}),
        ("server: { event_loops: 2, loop_requests: 1000 }", {}),
        ("", {"SWITCHBOARD_EVENT_LOOPS": "3", "SWITCHBOARD_LOOP_REQUESTS": "4"}),
    ],
)
def test_concurrent_requests_are_answered_wherever_they_run(gateway, fake_upstream, extra, env) -> None:
    gw = gateway(gateway_config(fake_upstream.base_url, extra=extra), env=env)
    key = gw.create_key("acme")
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)

    def exchange(index: int) -> tuple[str, str]:
        words = f"request {index} of many"
        if index % 2:
            stream = client.chat.completions.create(
                model="chat", messages=[{"role": "user", "content": words}], stream=True,
                stream_options={"include_usage": True})
            chunks = list(stream)
            assert chunks[-1].usage is not None and chunks[-1].choices == []
            return words, "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        completion = client.chat.completions.create(model="chat", messages=[{"role": "user", "content": words}])
        return words, completion.choices[0].message.content or ""

    for concurrency in (1, 24):
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for words, answer in pool.map(exchange, range(48)):
                assert answer == f"You said: {words}"

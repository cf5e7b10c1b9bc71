"""`switchboard serve` sizes SwiftNIO's event loops: half the cores by default, `server.event_loops` or
`SWITCHBOARD_EVENT_LOOPS` when set, NIO's own `NIO_SINGLETON_GROUP_LOOP_COUNT` above both; and serves either way."""

from __future__ import annotations

import os
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

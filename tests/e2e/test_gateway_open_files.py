"""`switchboard serve` raises its soft limit on open files to the hard limit, so a burst of connections beyond a
service manager's usual 1024 is served instead of refused (every client and upstream connection is a file)."""

from __future__ import annotations

import contextlib
import resource
import socket
from collections.abc import Iterator

from openai import OpenAI

from conftest import gateway_config

LOW = 256


@contextlib.contextmanager
def soft_open_file_limit(soft: int) -> Iterator[int]:
    """Lowers this process's soft limit (inherited by the processes it starts); yields the hard limit."""
    old_soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        yield hard
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (old_soft, hard))


def open_files_limits(pid: int) -> tuple[int, int]:
    with open(f"/proc/{pid}/limits") as limits:
        for line in limits:
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return int(soft), int(hard)
    raise AssertionError("no open-file limit")


def test_a_burst_of_connections_beyond_the_inherited_limit_is_served(gateway, fake_upstream) -> None:
    with soft_open_file_limit(LOW) as hard:
        gw = gateway(gateway_config(fake_upstream.base_url))
    assert gw.proc is not None
    assert open_files_limits(gw.proc.pid) == (min(hard, 1 << 20), hard)
    key = gw.create_key("acme")
    idle: list[socket.socket] = []
    try:
        # More connections than the inherited limit allowed files, all held open at once.
        for _ in range(LOW + 100):
            idle.append(socket.create_connection(("127.0.0.1", gw.port)))
        reply = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0).chat.completions.create(
            model="chat", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].message.content
        # Each held connection is still served.
        for sock in idle[-3:]:
            sock.sendall(f"GET /health HTTP/1.1\r\nhost: x\r\n\r\n".encode())
            assert sock.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for sock in idle:
            sock.close()

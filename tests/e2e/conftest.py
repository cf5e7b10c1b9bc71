"""Reusable fixtures for end-to-end tests: start `switchboard-fake-upstream` on an ephemeral port.

The binary is looked up in $SWITCHBOARD_BIN_DIR (default: <repo>/.build/debug, where <repo> is the
parent of `tests/`). Build it first with `swift build --product switchboard-fake-upstream`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 30


def bin_dir() -> Path:
    return Path(os.environ.get("SWITCHBOARD_BIN_DIR", REPO_ROOT / ".build" / "debug"))


def find_binary(name: str) -> Path:
    path = bin_dir() / name
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"{path} not found; build it with `swift build --product {name}` or set SWITCHBOARD_BIN_DIR")
    return path


def read_listening_port(process: subprocess.Popen[str], timeout: float = START_TIMEOUT_SECONDS) -> int:
    """Reads stdout until the `listening on <port>` line (with a watchdog so a hung start fails the test)."""
    import threading

    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("listening on "):
                return int(line.split()[2])
    finally:
        timer.cancel()
    raise RuntimeError(f"server exited before listening (exit code {process.poll()})")


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    port: int

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_server(binary: Path, *args: str) -> RunningServer:
    process = subprocess.Popen(
        [str(binary), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = read_listening_port(process)
    except BaseException:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return RunningServer(process, port)


@dataclass
class FakeUpstream:
    server: RunningServer

    @property
    def base_url(self) -> str:
        """OpenAI-style base URL, e.g. http://127.0.0.1:1234/v1."""
        return f"{self.server.root_url}/v1"

    @property
    def root_url(self) -> str:
        return self.server.root_url

    def requests(self) -> list[dict[str, Any]]:
        """The recorded requests (oldest first)."""
        with urllib.request.urlopen(f"{self.root_url}/_fake/requests", timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        """Clears the request log and the flaky-N counters."""
        request = urllib.request.Request(f"{self.root_url}/_fake/requests", method="DELETE")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


@pytest.fixture(scope="session")
def fake_upstream_binary() -> Path:
    return find_binary("switchboard-fake-upstream")


@pytest.fixture(scope="session")
def fake_upstream(fake_upstream_binary: Path) -> Iterator[FakeUpstream]:
    server = start_server(fake_upstream_binary, "--port", "0")
    try:
        yield FakeUpstream(server)
    finally:
        server.stop()


@pytest.fixture
def fake(fake_upstream: FakeUpstream) -> FakeUpstream:
    """The session fake upstream, with its request log and flaky counters reset for this test."""
    fake_upstream.reset()
    return fake_upstream

"""Reusable fixtures for end-to-end tests: start `switchboard-fake-upstream` on an ephemeral port.

The binary is looked up in $SWITCHBOARD_BIN_DIR (default: <repo>/.build/debug, where <repo> is the
parent of `tests/`). Build it first with `swift build --product switchboard-fake-upstream`.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import signal
import subprocess
import urllib.request
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The gateway's AWS credential chain (and botocore's) ends at the EC2 instance metadata service, 169.254.169.254;
# no test may send traffic there. Every process these tests start inherits this.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
START_TIMEOUT_SECONDS = 30
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# scripts/test (and so CI) exports SWITCHBOARD_TEST_STRICT=1: everything a test needs is installed or started there,
# so a test that would skip for a missing tool, package or server fails instead (a test CI skips proves nothing).
STRICT = os.environ.get("SWITCHBOARD_TEST_STRICT") == "1"


def skip_or_fail(reason: str) -> NoReturn:
    """Skips the test for `reason` (something it needs is missing), or fails it under SWITCHBOARD_TEST_STRICT=1."""
    if STRICT:
        pytest.fail(f"{reason} (SWITCHBOARD_TEST_STRICT=1: scripts/test provides it, so this is a failure)",
                    pytrace=False)
    pytest.skip(reason)


def importorskip(module: str) -> Any:
    """pytest.importorskip, except that under SWITCHBOARD_TEST_STRICT=1 a missing module is an error."""
    if not STRICT:
        return pytest.importorskip(module)
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{module} is not installed (pip install -r tests/e2e/requirements.txt; "
                          f"SWITCHBOARD_TEST_STRICT=1 makes this an error, not a skip): {error}") from error


# moto with SigV4 checking (scripts/moto start, which scripts/test runs), for the AWS-mode tests.
MOTO_URL = os.environ.get("SWITCHBOARD_TEST_AWS_URL")
MOTO_ACCESS_KEY = os.environ.get("SWITCHBOARD_TEST_AWS_ACCESS_KEY_ID")
MOTO_SECRET_KEY = os.environ.get("SWITCHBOARD_TEST_AWS_SECRET_ACCESS_KEY")


@pytest.fixture(scope="session")
def moto_configured() -> None:
    if not MOTO_URL or not MOTO_ACCESS_KEY or not MOTO_SECRET_KEY:
        skip_or_fail("needs moto with SigV4 checking: SWITCHBOARD_TEST_AWS_URL and its access key (scripts/moto start)")


# A module's `pytestmark = requires_moto`: session-scoped, so it is checked before any module fixture uses moto.
requires_moto = pytest.mark.usefixtures("moto_configured")
# The service account whose key the fake's POST /token uses to verify JWT assertions (a public test key).
GOOGLE_SERVICE_ACCOUNT = FIXTURES / "google-test-service-account.json"

# Tools used by the chat tests, in the OpenAI request shape.
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}
OTHER_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}


def silent_wav(seconds: float, rate: int = 16000) -> bytes:
    """A mono 16-bit WAV of silence, for the audio tests."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


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

    def token_count(self) -> int:
        """Google access tokens issued by POST /token since start or the last reset."""
        with urllib.request.urlopen(f"{self.root_url}/_fake/token-count", timeout=10) as response:
            return json.loads(response.read())["count"]

    def reset(self) -> None:
        """Clears the request log, the flaky-N counters and the Google token counter."""
        request = urllib.request.Request(f"{self.root_url}/_fake/requests", method="DELETE")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


@pytest.fixture(scope="session")
def fake_upstream_binary() -> Path:
    return find_binary("switchboard-fake-upstream")


@pytest.fixture(scope="session")
def fake_upstream(fake_upstream_binary: Path) -> Iterator[FakeUpstream]:
    server = start_server(
        fake_upstream_binary, "--port", "0", "--google-service-account", str(GOOGLE_SERVICE_ACCOUNT))
    try:
        yield FakeUpstream(server)
    finally:
        server.stop()


@pytest.fixture
def fake(fake_upstream: FakeUpstream) -> FakeUpstream:
    """The session fake upstream, with its request log and flaky counters reset for this test."""
    fake_upstream.reset()
    return fake_upstream


# MARK: the gateway (`switchboard serve`)

import re
import threading
import time
from typing import Callable

GATEWAY_LISTENING = re.compile(r"Switchboard listening on http://127\.0\.0\.1:(\d+)")
SCRUBBED_ENV_PREFIXES = ("OPENAI_", "SWITCHBOARD_", "ANTHROPIC_", "AZURE_")
SCRUBBED_ENV_NAMES = {"RPM_LIMIT", "RPD_LIMIT", "LOG_LEVEL"}


def gateway_config(
    fake_base_url: str,
    *,
    limits: str = "{ rpm: 100000, rpd: 1000000 }",
    retry: str = "{ max_attempts: 3, backoff_base_ms: 5, backoff_max_ms: 20 }",
    circuit_breaker: str = "{ failure_threshold: 3, open_seconds: 30 }",
    mock_stream_delay_ms: int | None = None,
    extra: str = "",
    extra_routes: str = "",
    key_cache_seconds: float = 0,
) -> str:
    """The YAML configuration most tests use; `extra` adds top-level sections, `extra_routes` more aliases.

    Keys are not cached by default, so that a revocation or a new key shows at once; a gateway that caches them
    (as in production) answers lone buffered calls on the event loop (the fast path)."""
    mock = f"\n  mock: {{ stream_delay_ms: {mock_stream_delay_ms} }}" if mock_stream_delay_ms is not None else ""
    text = f"""\
log_format: text
providers:
  openai_compatible:
    fake: {{ base_url: "{fake_base_url}", api_key: "sk-fake-default" }}{mock}
limits: {limits}
retry: {retry}
upstream: {{ request_timeout_seconds: 1.5 }}
circuit_breaker: {circuit_breaker}
keys: {{ cache_seconds: {key_cache_seconds} }}
routes_refresh_seconds: 0.2
{extra}
routes:
  chat: {{ targets: [ {{ provider: "openai_compatible:fake", model: "gpt-fake" }} ] }}
  tools: {{ targets: [ {{ provider: "openai_compatible:fake", model: "tool-model" }} ] }}
  tools2: {{ targets: [ {{ provider: "openai_compatible:fake", model: "tools2-model" }} ] }}
  fallback: {{ targets: [ {{ provider: "openai_compatible:fake", model: "status-503" }} ], fallbacks: [ chat ] }}
  bad: {{ targets: [ {{ provider: "openai_compatible:fake", model: "status-400" }} ] }}
  timeout: {{ targets: [ {{ provider: "openai_compatible:fake", model: "slow-5000" }} ], fallbacks: [ chat ] }}
  legacy: {{ targets: [ {{ provider: "openai_compatible:fake", model: "nochat", endpoint_mode: auto }} ] }}
  completions-only: {{ targets: [ {{ provider: "openai_compatible:fake", model: "gpt-fake", endpoint_mode: completions }} ] }}
  pool: {{ targets: [ {{ provider: "openai_compatible:fake", model: "gpt-fake", key_id: "pool" }} ] }}
  midstream: {{ targets: [ {{ provider: "openai_compatible:fake", model: "midstream-error" }} ] }}
  mock: {{ targets: [ {{ provider: mock, model: mock-1 }} ] }}
"""
    return text + extra_routes


def gateway_env(overrides: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(SCRUBBED_ENV_PREFIXES) and name not in SCRUBBED_ENV_NAMES
    }
    env["SWITCHBOARD_LOG_FORMAT"] = "text"
    env.update(overrides or {})
    return env


class Gateway:
    """One running `switchboard serve` with its own config file and data directory."""

    def __init__(self, binary: Path, config_path: Path, data_dir: Path, env: dict[str, str]):
        self.binary = binary
        self.config_path = config_path
        self.data_dir = data_dir
        self.env = env
        self.log_path = data_dir.parent / f"{data_dir.name}-serve.log"
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def start(self) -> "Gateway":
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [str(self.binary), "serve", "--config", str(self.config_path), "--data-dir", str(self.data_dir),
             "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=log, text=True, env=self.env,
        )
        log.close()
        timer = threading.Timer(START_TIMEOUT_SECONDS, self.proc.kill)
        timer.start()
        port = None
        try:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                match = GATEWAY_LISTENING.search(line)
                if match:
                    port = int(match.group(1))
                    break
        finally:
            timer.cancel()
        if port is None:
            self.proc.wait()
            raise RuntimeError(
                f"gateway exited before listening (exit code {self.proc.returncode}):\n{self.log_path.read_text()}")
        self.port = port
        # Keep draining stdout so the gateway never blocks on a full pipe.
        threading.Thread(target=self._drain, args=(self.proc,), daemon=True).start()
        return self

    @staticmethod
    def _drain(proc: subprocess.Popen[str]) -> None:
        try:
            assert proc.stdout is not None
            for _ in proc.stdout:
                pass
        except (ValueError, OSError):
            pass

    def cli(self, *args: str, check: bool = False, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.binary), *args, "--config", str(self.config_path), "--data-dir", str(self.data_dir)],
            capture_output=True, text=True, env=self.env, timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"switchboard {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def create_key(self, tenant: str, *, label: str | None = None, expires: str | None = None,
                   models: str | None = None, rpm: int | None = None, rpd: int | None = None,
                   admin: bool = False) -> str:
        args = ["keys", "create", "--tenant", tenant] + (["--admin"] if admin else [])
        for name, value in (("--label", label), ("--expires", expires), ("--models", models), ("--rpm", rpm),
                            ("--rpd", rpd)):
            if value is not None:
                args += [name, str(value)]
        result = self.cli(*args, check=True)
        return result.stdout.strip().splitlines()[-1].strip()

    def requests_tail(self, limit: int = 100, tenant: str | None = None) -> list[dict[str, Any]]:
        args = ["requests", "tail", "--json", "--limit", str(limit)]
        if tenant:
            args += ["--tenant", tenant]
        result = self.cli(*args, check=True)
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    def wait_for_events(self, predicate: Callable[[list[dict[str, Any]]], bool], *, limit: int = 1000,
                        tenant: str | None = None, timeout: float = 10) -> list[dict[str, Any]]:
        """Polls `requests tail --json` until `predicate(events)` holds (audit events are written asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.requests_tail(limit, tenant)
            if predicate(events) or time.monotonic() > deadline:
                return events
            time.sleep(0.1)

    def show_request(self, request_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            result = self.cli("requests", "show", request_id)
            if result.returncode == 0:
                return json.loads(result.stdout.strip().splitlines()[-1])
            if time.monotonic() > deadline:
                raise AssertionError(f"request {request_id} never appeared in the log: {result.stderr}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def switchboard_binary() -> Path:
    return find_binary("switchboard")


class GatewayFactory:
    def __init__(self, binary: Path, base_dir: Path):
        self.binary = binary
        self.base_dir = base_dir
        self.started: list[Gateway] = []
        self.count = 0

    def __call__(self, config: str, env: dict[str, str] | None = None, data_dir: Path | None = None) -> Gateway:
        self.count += 1
        work = self.base_dir / f"gw{self.count}"
        work.mkdir(parents=True, exist_ok=True)
        config_path = work / "switchboard.yaml"
        config_path.write_text(config)
        if data_dir is None:
            data_dir = work / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        gateway = Gateway(self.binary, config_path, data_dir, gateway_env(env))
        self.started.append(gateway)
        return gateway.start()

    def restart(self, gateway: Gateway) -> Gateway:
        """Starts a new process with the same config, data directory and environment."""
        gateway.stop()
        fresh = Gateway(gateway.binary, gateway.config_path, gateway.data_dir, gateway.env)
        self.started.append(fresh)
        return fresh.start()

    def close(self) -> None:
        for gateway in self.started:
            gateway.kill()


@pytest.fixture
def gateway(switchboard_binary: Path, tmp_path: Path) -> Iterator[GatewayFactory]:
    """Factory: `gateway(config_yaml, env={...})` starts `switchboard serve`; everything is killed at teardown."""
    factory = GatewayFactory(switchboard_binary, tmp_path)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="module")
def module_gateway(switchboard_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayFactory]:
    """Like `gateway`, shared by a module's tests (for gateways whose state the tests do not disturb)."""
    factory = GatewayFactory(switchboard_binary, tmp_path_factory.mktemp("gateway"))
    try:
        yield factory
    finally:
        factory.close()


POOL_ENV = {"OPENAI_COMPAT_FAKE_API_KEY_POOL": '["sk-a","sk-b"]'}


@pytest.fixture(scope="module")
def gw(module_gateway: GatewayFactory, fake_upstream: FakeUpstream) -> Gateway:
    """A gateway with the standard config, shared by a module; its keys are cached, as in production, so the
    modules' buffered calls go through the event-loop fast path wherever it applies."""
    return module_gateway(gateway_config(fake_upstream.base_url, key_cache_seconds=60), env=POOL_ENV)


def avoid_minute_boundary(seconds_needed: float = 8) -> None:
    """Rate limits use fixed one-minute windows: wait for a fresh minute if this one ends too soon."""
    into_minute = time.time() % 60
    if into_minute > 60 - seconds_needed:
        time.sleep(60 - into_minute + 0.2)

"""Self-hosted mode end to end: the five service binaries as separate processes over a real Kafka-protocol broker
and PostgreSQL with pgvector, driven through the edge with the official openai SDK.

Needs SWITCHBOARD_TEST_POSTGRES_URL (scripts/postgres) and SWITCHBOARD_TEST_KAFKA_BROKERS (scripts/kafka, whose
librdkafka must be on LD_LIBRARY_PATH); `scripts/test` provides both. Each test module run gets its own database and
its own topics, so nothing is shared with other suites.

Checked here: chat (buffered and streamed), embeddings, images, speech, RAG and the billing report through the edge,
every request found in PostgreSQL exactly once; identity headers cannot be forged; a service that is down is a 503;
a client disconnect reaches the router; quotas are exact with two edges sharing the database; and audit delivery
survives the audit service killed mid-batch plus a broker restart with no event lost and no duplicate row.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import secrets
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import httpx2 as httpx
import pytest
from openai import OpenAI

from conftest import (
    REPO_ROOT,
    START_TIMEOUT_SECONDS,
    avoid_minute_boundary,
    find_binary,
    gateway_env,
    importorskip,
    silent_wav,
    skip_or_fail,
)

psycopg = importorskip("psycopg")

POSTGRES_URL = os.environ.get("SWITCHBOARD_TEST_POSTGRES_URL")
KAFKA_BROKERS = os.environ.get("SWITCHBOARD_TEST_KAFKA_BROKERS")


@pytest.fixture(scope="session")
def selfhosted_servers() -> None:
    if not POSTGRES_URL or not KAFKA_BROKERS:
        skip_or_fail("self-hosted mode needs SWITCHBOARD_TEST_POSTGRES_URL and SWITCHBOARD_TEST_KAFKA_BROKERS "
                     "(scripts/test)")


# Session-scoped, so it is checked before any module fixture connects.
pytestmark = pytest.mark.usefixtures("selfhosted_servers")

SECRET = secrets.token_hex(32)
LISTENING = re.compile(r"switchboard-(\w+) listening on http://[^:]+:(\d+)")
SERVICES = ("router", "media", "rag", "audit")


class ServiceProcess:
    """One running `switchboard-<name>` with its log file."""

    def __init__(self, name: str, env: dict[str, str], config: Path, log_dir: Path):
        self.name = name
        self.env = env
        self.config = config
        self.log_path = log_dir / f"{name}-{secrets.token_hex(3)}.log"
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServiceProcess":
        binary = find_binary(f"switchboard-{self.name}")
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [str(binary), "--config", str(self.config), "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=log, text=True, env=self.env,
        )
        log.close()
        timer = threading.Timer(START_TIMEOUT_SECONDS * 2, self.proc.kill)
        timer.start()
        try:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                match = LISTENING.search(line)
                if match:
                    self.port = int(match.group(2))
                    break
        finally:
            timer.cancel()
        if not self.port:
            self.proc.wait()
            raise RuntimeError(f"switchboard-{self.name} did not start:\n{self.log_path.read_text()}")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()  # type: ignore
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


class Stack:
    """The database, the topics and the running services of one self-hosted deployment."""

    def __init__(self, tmp: Path):
        suffix = secrets.token_hex(4)
        self.database = f"sb_selfhosted_{suffix}"
        admin = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"  # type: ignore[union-attr]
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {self.database}")
        self.postgres_url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{self.database}"  # type: ignore[union-attr]
        self.tmp = tmp
        self.config = tmp / "switchboard.yaml"
        self.config.write_text(f"""\
log_format: text
keys: {{ cache_seconds: 0 }}
routes_refresh_seconds: 0.3
limits: {{ rpm: 1000000, rpd: 10000000 }}
providers: {{ mock: {{ stream_delay_ms: 25 }} }}
kafka:
  topics: {{ audit: "e2e.{suffix}.audit", rag_ingest: "e2e.{suffix}.rag-ingest", media: "e2e.{suffix}.media" }}
  group_prefix: "e2e.{suffix}"
  properties: {{ session.timeout.ms: "6000", heartbeat.interval.ms: "500" }}
rag: {{ chunk_size: 200, chunk_overlap: 40 }}
""")
        self.env = gateway_env({
            "SWITCHBOARD_POSTGRES_URL": self.postgres_url,
            "SWITCHBOARD_POSTGRES_POOL_SIZE": "4",
            "SWITCHBOARD_KAFKA_BROKERS": KAFKA_BROKERS or "",
            "SWITCHBOARD_INTERNAL_SECRET": SECRET,
        })
        self.services: dict[str, ServiceProcess] = {}
        self.edges: list[ServiceProcess] = []

    def start_service(self, name: str) -> ServiceProcess:
        service = ServiceProcess(name, self.env, self.config, self.tmp).start()
        self.services[name] = service
        return service

    def start_edge(self, **urls: str) -> ServiceProcess:
        env = dict(self.env)
        for name in SERVICES:
            env[f"SWITCHBOARD_{name.upper()}_URL"] = urls.get(name) or self.services[name].url
        edge = ServiceProcess("edge", env, self.config, self.tmp).start()
        self.edges.append(edge)
        return edge

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(find_binary("switchboard")), *args, "--postgres-url", self.postgres_url],
            capture_output=True, text=True, env=self.env, timeout=60, cwd=self.tmp,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def create_key(self, tenant: str, **options: str | int) -> str:
        args = ["keys", "create", "--tenant", tenant]
        for name, value in options.items():
            args += [f"--{name}", str(value)]
        return self.cli(*args).strip().splitlines()[-1].strip()

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.postgres_url) as conn:
            return conn.execute(sql, params).fetchall()

    def logged(self, request_ids: list[str]) -> dict[str, int]:
        """How many request-log rows each request id has."""
        rows = self.query(
            "SELECT request_id, count(*) FROM request_log WHERE request_id = ANY(%s) GROUP BY request_id",
            request_ids)
        return {request_id: count for request_id, count in rows}

    def wait_logged(self, request_ids: list[str], timeout: float = 60) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.logged(request_ids)
            if len(found) == len(set(request_ids)) or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    def stop(self) -> None:
        for edge in self.edges:
            edge.stop()
        for name in ("rag", "media", "router", "audit"):
            if name in self.services:
                self.services[name].stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("selfhosted"))
    try:
        # The schema is migrated explicitly first, as a deployment's migrate job does (the services also do it).
        assert "up to date" in stack.cli("migrate")
        for name in SERVICES:
            stack.start_service(name)
        stack.start_edge()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def key(stack: Stack) -> str:
    return stack.create_key("acme", label="e2e")


def sdk(edge: ServiceProcess, key: str) -> OpenAI:
    return OpenAI(base_url=f"{edge.url}/v1", api_key=key, max_retries=0)


def test_every_endpoint_through_the_edge_is_served_and_found_in_postgres(stack: Stack, key: str) -> None:
    edge = stack.edges[0]
    client = sdk(edge, key)
    ids: list[str] = []

    raw = client.chat.completions.with_raw_response.create(
        model="fast", messages=[{"role": "user", "content": "hello there"}])
    completion = raw.parse()
    ids.append(raw.headers["x-request-id"])
    assert completion.object == "chat.completion"
    assert completion.model == "fast"
    assert completion.choices[0].message.content

    with client.chat.completions.with_streaming_response.create(
        model="fast", messages=[{"role": "user", "content": "stream please"}], stream=True,
        stream_options={"include_usage": True},
    ) as response:
        ids.append(response.headers["x-request-id"])
        chunks = list(response.parse())
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].usage is not None and chunks[-1].choices == []

    raw = client.embeddings.with_raw_response.create(model="text-embedding-3-small", input=["a", "b"])
    ids.append(raw.headers["x-request-id"])
    assert len(raw.parse().data) == 2

    raw = client.images.with_raw_response.generate(model="dall-e-3", prompt="a lighthouse", response_format="b64_json")
    ids.append(raw.headers["x-request-id"])
    assert raw.parse().data[0].b64_json

    raw = client.audio.speech.with_raw_response.create(model="tts-1", voice="alloy", input="hello", response_format="wav")
    ids.append(raw.headers["x-request-id"])
    assert raw.content[:4] == b"RIFF"

    # A multipart upload (2.4 MB, so the media service spools it) streamed through the edge.
    audio = silent_wav(75.0)
    raw = client.audio.transcriptions.with_raw_response.create(
        model="whisper-1", file=("a.wav", audio, "audio/wav"), response_format="verbose_json")
    ids.append(raw.headers["x-request-id"])
    assert f"{len(audio)} bytes" in raw.parse().text
    assert raw.parse().duration == pytest.approx(75.0)

    raw = client.models.with_raw_response.list()
    ids.append(raw.headers["x-request-id"])
    assert "fast" in {model.id for model in raw.parse().data}

    headers = {"authorization": f"Bearer {key}"}
    ingest = httpx.post(f"{edge.url}/v1/rag/ingest", headers=headers, timeout=30, json={
        "documents": [{"key": "kafka.md", "text": "Kafka carries the audit events to the audit service. " * 4}]})
    assert ingest.status_code == 200, ingest.text
    ids.append(ingest.headers["x-request-id"])
    query = httpx.post(f"{edge.url}/v1/rag/query", headers=headers, timeout=30,
                       json={"query": "what carries audit events?"})
    assert query.status_code == 200, query.text
    assert query.json()["object"] == "chat.completion"
    ids.append(query.headers["x-request-id"])

    found = stack.wait_logged(ids)
    assert found == {request_id: 1 for request_id in ids}, "every request is in PostgreSQL exactly once"
    rows = stack.query(
        "SELECT request_id, tenant, key_label, http_status, outcome FROM request_log WHERE request_id = ANY(%s)", ids)
    assert {(tenant, label, status, outcome) for _, tenant, label, status, outcome in rows} == {
        ("acme", "e2e", 200, "success")}

    usage = httpx.get(f"{edge.url}/v1/billing/usage", headers=headers, timeout=30)
    assert usage.status_code == 200, usage.text
    assert usage.json()["tenantId"] == "acme"
    # Model calls (POST) count; listing models does not.
    assert usage.json()["summary"]["totalRequests"] == len(ids) - 1
    dashboard = httpx.get(f"{edge.url}/dashboard", timeout=10)
    assert dashboard.status_code == 200 and "<html" in dashboard.text.lower()


def test_a_route_saved_in_postgres_is_served_by_every_router_without_a_restart(stack: Stack, key: str) -> None:
    client = sdk(stack.edges[0], key)
    assert "live-alias" not in {model.id for model in client.models.list().data}
    stack.cli("routes", "set", "live-alias", '{"targets":[{"provider":"mock","model":"mock-live"}]}')
    deadline = time.monotonic() + 10
    while "live-alias" not in {model.id for model in client.models.list().data}:
        assert time.monotonic() < deadline, "the router did not pick up the new route"
        time.sleep(0.2)
    completion = client.chat.completions.create(model="live-alias", messages=[{"role": "user", "content": "hi"}])
    assert completion.model == "live-alias"
    # A route that does not validate never reaches the table: the CLI refuses it up front.
    result = subprocess.run(
        [str(find_binary("switchboard")), "routes", "set", "broken", '{"targets":[]}', "--postgres-url",
         stack.postgres_url], capture_output=True, text=True, env=stack.env, timeout=60)
    assert result.returncode != 0


def test_internal_services_refuse_requests_that_did_not_come_through_the_edge(stack: Stack, key: str) -> None:
    router = stack.services["router"]
    body = {"model": "fast", "messages": [{"role": "user", "content": "hi"}]}
    direct = httpx.post(f"{router.url}/v1/chat/completions", json=body,
                        headers={"authorization": f"Bearer {key}"}, timeout=10)
    assert direct.status_code == 401
    assert direct.json()["error"]["code"] == "invalid_internal_identity"
    forged = httpx.post(f"{router.url}/v1/chat/completions", json=body, timeout=10, headers={
        "x-switchboard-identity": "eyJ0ZW5hbnQiOiJ2aWN0aW0ifQ", "x-switchboard-signature": "v1=AAAA"})
    assert forged.status_code == 401
    # Probes stay open for the orchestrator.
    assert httpx.get(f"{router.url}/health", timeout=10).text == "ok"
    assert httpx.get(f"{router.url}/ready", timeout=10).json()["status"] == "ready"


def test_a_service_that_is_down_is_a_503_and_a_bad_key_never_reaches_it(stack: Stack, key: str) -> None:
    edge = stack.start_edge(media="http://127.0.0.1:9")
    try:
        headers = {"authorization": f"Bearer {key}"}
        down = httpx.post(f"{edge.url}/v1/images/generations", headers=headers, timeout=30,
                          json={"model": "dall-e-3", "prompt": "x"})
        assert down.status_code == 503
        assert down.json()["error"]["message"] == "The media service is unavailable; retry shortly."
        chat = httpx.post(f"{edge.url}/v1/chat/completions", headers=headers, timeout=30,
                          json={"model": "fast", "messages": [{"role": "user", "content": "hi"}]})
        assert chat.status_code == 200
        rejected = httpx.post(f"{edge.url}/v1/chat/completions", headers={"authorization": "Bearer sb_sk_nope"},
                              timeout=30, json={"model": "fast", "messages": []})
        assert rejected.status_code == 401
        ids = [down.headers["x-request-id"], chat.headers["x-request-id"], rejected.headers["x-request-id"]]
        assert stack.wait_logged(ids) == {request_id: 1 for request_id in ids}
        statuses = dict(stack.query(
            "SELECT request_id, http_status FROM request_log WHERE request_id = ANY(%s)", ids))
        assert [statuses[request_id] for request_id in ids] == [503, 200, 401]
    finally:
        edge.stop()
        stack.edges.remove(edge)


def test_a_client_disconnect_mid_stream_reaches_the_router(stack: Stack, key: str) -> None:
    edge = stack.edges[0]
    with httpx.stream("POST", f"{edge.url}/v1/chat/completions", timeout=30,
                      headers={"authorization": f"Bearer {key}"},
                      json={"model": "fast", "stream": True, "max_tokens": 400,
                            "messages": [{"role": "user", "content": "a long story " * 20}]}) as response:
        request_id = response.headers["x-request-id"]
        for line in response.iter_lines():
            if line.startswith("data: ") and '"content"' in line:
                break
    found = stack.wait_logged([request_id])
    assert found == {request_id: 1}
    [(outcome,)] = stack.query("SELECT outcome FROM request_log WHERE request_id = %s", request_id)
    assert outcome == "client_disconnect"


def test_quotas_are_exact_with_two_edges_sharing_the_database(stack: Stack) -> None:
    limited = stack.create_key("quota-tenant", rpm=37)
    second = stack.start_edge()
    try:
        edges = [stack.edges[0], second]

        def call(index: int) -> tuple[int, str]:
            edge = edges[index % 2]
            reply = httpx.get(f"{edge.url}/v1/models", headers={"authorization": f"Bearer {limited}"}, timeout=30)
            return reply.status_code, reply.headers["x-request-id"]

        # The counters are per minute: the burst must not straddle a minute boundary.
        avoid_minute_boundary(20)
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            replies = list(pool.map(call, range(100)))
        statuses = [status for status, _ in replies]
        assert statuses.count(200) == 37
        assert statuses.count(429) == 63
        # The edge audits its refusals, for the key's tenant, and the router the requests it served.
        logged = stack.wait_logged([request_id for _, request_id in replies])
        assert len(logged) == 100
        rows = stack.query("SELECT http_status, count(*) FROM request_log WHERE tenant = 'quota-tenant' "
                           "GROUP BY http_status")
        assert dict(rows) == {200: 37, 429: 63}
    finally:
        second.stop()
        stack.edges.remove(second)


def kafka_command(action: str) -> None:
    subprocess.run([str(REPO_ROOT / "scripts" / "kafka"), action], check=True, timeout=120,
                   capture_output=True)


def test_audit_delivery_survives_a_killed_consumer_and_a_broker_restart(stack: Stack, key: str) -> None:
    edge = stack.edges[0]

    def burst(count: int) -> list[str]:
        with httpx.Client(timeout=30, headers={"authorization": f"Bearer {key}"}) as client:
            def one(_: int) -> str:
                reply = client.get(f"{edge.url}/v1/models")
                assert reply.status_code == 200
                return reply.headers["x-request-id"]

            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                return list(pool.map(one, range(count)))

    # The audit service is consuming (its consumer joined the group) before it is stopped gracefully. (tansu, the
    # test broker, never expires a member that died while joining; Kafka does after session.timeout.ms.)
    assert stack.wait_logged(burst(1)) != {}
    stack.services["audit"].stop()  # events pile up in Kafka meanwhile
    ids = burst(1500)
    # Start the consumer and kill it (SIGKILL: no flush, no commit) as soon as it has written part of the backlog.
    audit = stack.start_service("audit")
    deadline = time.monotonic() + 60
    while not stack.logged(ids) and time.monotonic() < deadline:
        time.sleep(0.01)
    audit.kill()
    written_before_kill = len(stack.logged(ids))
    print(f"audit consumer killed after writing {written_before_kill} of {len(ids)} events")
    assert written_before_kill > 0

    # The broker restarts (its storage survives); producers reconnect and publish again. (The restart also clears
    # the killed member from tansu's group, which Kafka would expire after session.timeout.ms.)
    kafka_command("restart-broker")
    ids += burst(200)
    stack.start_service("audit")
    found = stack.wait_logged(ids, timeout=120)
    assert len(found) == len(ids), f"{len(ids) - len(found)} events lost ({written_before_kill} before the kill)"
    assert set(found.values()) == {1}, "no duplicate rows"

"""A fake AWS Lambda Runtime API (2018-06-01) for driving the gateway's binaries as Lambda functions.

It follows the protocol of ../shared/vectors/lambda-apigw/lambda-runtime-api-2018-06-01.openapi.yaml (copied
into fixtures/lambda/ for the record): the function long-polls `GET /runtime/invocation/next`, which answers with
the event and the `Lambda-Runtime-*` headers; it answers with `POST /runtime/invocation/{id}/response` (buffered,
or streamed: `Lambda-Runtime-Function-Response-Mode: streaming`, chunked, with error trailers), or
`/runtime/invocation/{id}/error`, or `/runtime/init/error` before the first `next`.

`invoke(event)` queues an event and waits for its outcome, recording each chunk's arrival time so a test can tell
a streamed answer from a buffered one.
"""

from __future__ import annotations

import base64
import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/2018-06-01/runtime"


@dataclass
class Outcome:
    """What the function answered to one invocation."""

    request_id: str
    kind: str  # "response" or "error"
    headers: dict[str, str]
    body: bytes
    trailers: dict[str, str] = field(default_factory=dict)
    # (seconds since the invocation was handed out, bytes) for each chunk of a chunked body
    chunks: list[tuple[float, bytes]] = field(default_factory=list)

    @property
    def streamed(self) -> bool:
        return self.headers.get("lambda-runtime-function-response-mode") == "streaming"

    def json(self) -> Any:
        return json.loads(self.body)

    def http_integration(self) -> tuple[dict[str, Any], bytes]:
        """A streamed API Gateway answer: the prelude (status, headers) and the body after the 8 NULs."""
        prelude, separator, body = self.body.partition(b"\x00" * 8)
        assert separator, f"no prelude delimiter in {self.body[:200]!r}"
        return json.loads(prelude), body

    def error_trailer(self) -> dict[str, Any] | None:
        body = self.trailers.get("lambda-runtime-function-error-body")
        return json.loads(base64.b64decode(body)) if body else None


class FakeLambdaRuntime:
    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.outcomes: dict[str, queue.Queue[Outcome]] = {}
        self.handed_out: dict[str, float] = {}
        self.init_errors: list[Outcome] = []
        self.next_calls = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        """The value of AWS_LAMBDA_RUNTIME_API."""
        return f"127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_until_polling(self, timeout: float = 30) -> None:
        """Waits for the function's first `next` (it finished its init)."""
        deadline = time.monotonic() + timeout
        while self.next_calls == 0:
            if self.init_errors:
                raise AssertionError(f"init error: {self.init_errors[0].body!r}")
            if time.monotonic() > deadline:
                raise AssertionError("the function never asked for an invocation")
            time.sleep(0.02)

    def invoke(self, event: Any, timeout: float = 30) -> Outcome:
        request_id = str(uuid.uuid4())
        box: queue.Queue[Outcome] = queue.Queue()
        with self.lock:
            self.outcomes[request_id] = box
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.events.put((request_id, body))
        try:
            return box.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no answer to invocation {request_id} within {timeout}s") from None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    return self._answer(404, {"errorMessage": "unknown path"})
                runtime.next_calls += 1
                while True:
                    try:
                        request_id, body = runtime.events.get(timeout=1)
                        break
                    except queue.Empty:
                        continue
                runtime.handed_out[request_id] = time.monotonic()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60_000))
                self.send_header(
                    "Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                headers = {name.lower(): value for name, value in self.headers.items()}
                parts = self.path.removeprefix(PREFIX).strip("/").split("/")
                if parts == ["init", "error"]:
                    body, chunks, trailers = self._read_body(headers, 0)
                    runtime.init_errors.append(Outcome("", "init-error", headers, body, trailers, chunks))
                    return self._answer(202, {"status": "OK"})
                if len(parts) != 3 or parts[0] != "invocation" or parts[2] not in ("response", "error"):
                    return self._answer(404, {"errorMessage": "unknown path"})
                request_id, kind = parts[1], parts[2]
                with runtime.lock:
                    box = runtime.outcomes.pop(request_id, None)
                if box is None:
                    self._read_body(headers, 0)
                    return self._answer(400, {"errorMessage": "unknown or answered request id"})
                body, chunks, trailers = self._read_body(headers, runtime.handed_out.get(request_id, 0))
                box.put(Outcome(request_id, kind, headers, body, trailers, chunks))
                self._answer(202, {"status": "OK"})

            def _read_body(self, headers: dict[str, str], started: float) -> tuple[bytes, list, dict[str, str]]:
                if headers.get("transfer-encoding", "").lower() != "chunked":
                    return self.rfile.read(int(headers.get("content-length", "0"))), [], {}
                chunks: list[tuple[float, bytes]] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        break
                    data = self.rfile.read(size)
                    self.rfile.readline()
                    chunks.append((time.monotonic() - started, data))
                trailers: dict[str, str] = {}
                while True:
                    line = self.rfile.readline().strip()
                    if not line:
                        break
                    name, _, value = line.decode().partition(":")
                    trailers[name.strip().lower()] = value.strip()
                return b"".join(data for _, data in chunks), chunks, trailers

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the function exited right after posting (an init error)

        return Handler

"""Proves the fake Lambda Runtime API (fake_lambda_runtime.py) with AWS's own runtime interface client
(`awslambdaric`, the client inside AWS's Python base images): an invocation answered, a handler's exception reported
as an invocation error, and a missing handler reported as an init error, each where the protocol puts it. The
gateway's binaries are then driven by the same fake (test_aws_lambda.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from conftest import importorskip
from fake_lambda_runtime import FakeLambdaRuntime

importorskip("awslambdaric")

HANDLERS = '''
def ok(event, context):
    return {"echo": event, "request_id": context.aws_request_id,
            "remaining_ms_positive": context.get_remaining_time_in_millis() > 0}

def boom(event, context):
    raise ValueError("bad input")
'''


@pytest.fixture
def runtime() -> Iterator[FakeLambdaRuntime]:
    fake = FakeLambdaRuntime()
    try:
        yield fake
    finally:
        fake.close()


def start_ric(runtime: FakeLambdaRuntime, tmp_path: Path, handler: str) -> subprocess.Popen[bytes]:
    (tmp_path / "handlers.py").write_text(HANDLERS)
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=runtime.address, PYTHONPATH=str(tmp_path), _HANDLER=handler)
    return subprocess.Popen([sys.executable, "-m", "awslambdaric", handler], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_official_client_gets_events_and_answers(runtime: FakeLambdaRuntime, tmp_path: Path) -> None:
    process = start_ric(runtime, tmp_path, "handlers.ok")
    try:
        runtime.wait_until_polling()
        first = runtime.invoke({"n": 1})
        second = runtime.invoke({"n": 2})
    finally:
        process.kill()
    assert first.kind == second.kind == "response"
    assert first.json() == {"echo": {"n": 1}, "request_id": first.request_id, "remaining_ms_positive": True}
    assert second.json()["echo"] == {"n": 2}
    assert not first.streamed


def test_official_client_reports_a_handler_error(runtime: FakeLambdaRuntime, tmp_path: Path) -> None:
    process = start_ric(runtime, tmp_path, "handlers.boom")
    try:
        outcome = runtime.invoke({"n": 1})
    finally:
        process.kill()
    assert outcome.kind == "error"
    assert outcome.json()["errorType"] == "ValueError"
    assert outcome.json()["errorMessage"] == "bad input"


def test_official_client_reports_an_init_error(runtime: FakeLambdaRuntime, tmp_path: Path) -> None:
    process = start_ric(runtime, tmp_path, "handlers.missing")
    try:
        process.wait(timeout=20)
    finally:
        process.kill()
    assert len(runtime.init_errors) == 1
    error = runtime.init_errors[0].json()
    assert error["errorType"] == "Runtime.HandlerNotFound"

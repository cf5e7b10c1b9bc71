"""AWS serverless mode end to end: the gateway's own binaries run as Lambda functions (AWS_LAMBDA_RUNTIME_API set)
against moto with SigV4 checking on and the fake upstream, fed real API Gateway and SQS event shapes by the fake
Runtime API (proven with AWS's runtime interface client in test_fake_lambda_runtime.py).

The DynamoDB tables are created from deploy/aws/template.yaml's own definitions, so the code and the template cannot
disagree on keys and indexes. Checked here:
- the TOKEN authorizer (`switchboard-edge`): Allow with the tenant in the context and a wildcard resource, Deny for a
  bad key, `Unauthorized` for a missing header; a key from the original gateway's plaintext-keyed secret works before
  and after `switchboard keys migrate`;
- the router function (`switchboard-router`): buffered chat as an API Gateway proxy response, streamed chat through
  the HTTP-integration prelude with chunks arriving over time, /v1/models, quotas enforced in the function, provider
  keys from Secrets Manager (a JSON array used round-robin, a rotation picked up after the TTL);
- the RAG function (`switchboard-rag`): an ingestion job queued on SQS, run from the SQS event, then a grounded
  query answered in the streaming format (vectors in S3 Vectors, served by the fake upstream);
- audit: every event is in SQS when the invocation ends; the audit function (`switchboard-audit`) writes an SQS batch
  to the DynamoDB request log and reports the one bad message as a batch item failure; `switchboard requests show`
  reads the log; `switchboard dlq replay` moves dead letters back;
- chat on a buffered route (not in SWITCHBOARD_STREAMING_ROUTES): a proxy response for `stream: false`, and the
  whole event stream as one for `stream: true`, both in the request log;
- deploy/aws/build.sh run for real (on debug builds without Kafka): the zips the template's CodeUri values name, their
  `bootstrap` and `lib/`, and the router's zip unpacked and run as a Lambda function.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import os
import re
import secrets
import stat
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from conftest import (
    FIXTURES,
    MOTO_ACCESS_KEY,
    MOTO_SECRET_KEY,
    MOTO_URL,
    REPO_ROOT,
    bin_dir,
    find_binary,
    gateway_config,
    gateway_env,
    importorskip,
    requires_moto,
)
from fake_lambda_runtime import FakeLambdaRuntime, Outcome

boto3 = importorskip("boto3")

AWS_URL, ACCESS_KEY, SECRET_KEY = MOTO_URL, MOTO_ACCESS_KEY, MOTO_SECRET_KEY
pytestmark = requires_moto

REGION = "us-east-1"
TEMPLATE = REPO_ROOT / "deploy" / "aws" / "template.yaml"
PROXY_EVENT = json.loads((FIXTURES / "lambda" / "apigw-rest-proxy-event-with-authorizer.aws-lambda-go.json").read_text())
TOKEN_EVENT = json.loads((FIXTURES / "lambda" / "apigw-rest-token-authorizer-event.aws-lambda-go.json").read_text())
HELLO = [{"role": "user", "content": "hello from lambda"}]
# What the mock provider answers to HELLO.
MOCK_REPLY = "This is a mock response from Switchboard to: hello from lambda"


class CloudFormationLoader(yaml.SafeLoader):
    """Reads a CloudFormation template: intrinsic-function tags become plain values (enough to read literals)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@functools.cache
def load_template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=CloudFormationLoader)


def template_tables() -> dict[str, dict[str, Any]]:
    """The template's DynamoDB tables by the SWITCHBOARD_*_TABLE variable that names them."""
    template = load_template()
    tables = {logical: resource["Properties"] for logical, resource in template["Resources"].items()
              if resource["Type"] == "AWS::DynamoDB::Table"}
    by_variable: dict[str, dict[str, Any]] = {}
    for resource in template["Resources"].values():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        globals_ = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        for name, value in {**globals_, **variables}.items():
            if name.endswith("_TABLE") and isinstance(value, dict) and "Ref" in value and value["Ref"] in tables:
                by_variable[name] = tables[value["Ref"]]
    return by_variable


def template_streaming_routes() -> list[str]:
    """The template's SWITCHBOARD_STREAMING_ROUTES entries (`POST /v1/chat/completions`…)."""
    value = load_template()["Globals"]["Function"]["Environment"]["Variables"]["SWITCHBOARD_STREAMING_ROUTES"]
    return [entry.strip() for entry in value.split(",")]


def template_code_uris() -> dict[str, str]:
    """Each function of the template → its CodeUri (`build/<product>.zip`, relative to deploy/aws)."""
    return {logical: resource["Properties"]["CodeUri"] for logical, resource in load_template()["Resources"].items()
            if resource["Type"] == "AWS::Serverless::Function"}


class AWS:
    """Clients of the moto server, and this module's resources (names unique to the run)."""

    def __init__(self) -> None:
        session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
        self.dynamodb = session.client("dynamodb", endpoint_url=AWS_URL)
        self.sqs = session.client("sqs", endpoint_url=AWS_URL)
        self.secrets = session.client("secretsmanager", endpoint_url=AWS_URL)
        self.prefix = f"sb{secrets.token_hex(4)}"
        self.env: dict[str, str] = {}

    def create(self) -> None:
        tables = template_tables()
        assert {"SWITCHBOARD_ROUTES_TABLE", "SWITCHBOARD_QUOTAS_TABLE", "SWITCHBOARD_REQUESTS_TABLE",
                "SWITCHBOARD_STATE_TABLE"} <= set(tables), f"the template's tables: {sorted(tables)}"
        for variable, properties in tables.items():
            name = f"{self.prefix}-{variable.removeprefix('SWITCHBOARD_').removesuffix('_TABLE').lower()}"
            arguments: dict[str, Any] = {
                "TableName": name, "KeySchema": properties["KeySchema"],
                "AttributeDefinitions": properties["AttributeDefinitions"], "BillingMode": "PAY_PER_REQUEST"}
            if properties.get("GlobalSecondaryIndexes"):
                arguments["GlobalSecondaryIndexes"] = [
                    {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
                    for index in properties["GlobalSecondaryIndexes"]]
            self.dynamodb.create_table(**arguments)
            self.env[variable] = name
        dlq = self.sqs.create_queue(QueueName=f"{self.prefix}-audit-dlq")["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        audit = self.sqs.create_queue(
            QueueName=f"{self.prefix}-audit",
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})},
        )["QueueUrl"]
        rag = self.sqs.create_queue(QueueName=f"{self.prefix}-rag-ingest")["QueueUrl"]
        self.rag_queue = rag
        keys_secret = f"/{self.prefix}/api-keys"
        self.secrets.create_secret(Name=keys_secret, SecretString="{}")
        provider = self.secrets.create_secret(
            Name=f"/{self.prefix}/fake-provider-keys", SecretString=json.dumps(["sk-sec-a", "sk-sec-b"]))
        self.provider_secret_arn = provider["ARN"]
        self.env.update({
            "SWITCHBOARD_BACKEND": "aws", "AWS_ENDPOINT_URL": AWS_URL, "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "SWITCHBOARD_AUDIT_QUEUE_URL": audit, "SWITCHBOARD_AUDIT_DLQ_URL": dlq, "SWITCHBOARD_RAG_QUEUE_URL": rag,
            "SWITCHBOARD_API_KEYS_SECRET": keys_secret, "SWITCHBOARD_SECRETS_TTL_SECONDS": "1",
            "OPENAI_COMPAT_FAKE_SECRET_ARN": self.provider_secret_arn,
        })
        self.audit_queue, self.dlq = audit, dlq
        self.audit_queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=audit, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def receive_all(self, queue_url: str, expected: int, timeout: float = 10) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(messages) < expected and time.monotonic() < deadline:
            answer = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"],
                MessageAttributeNames=["All"], VisibilityTimeout=60)
            messages += answer.get("Messages", [])
        return messages

    def discard_all(self, queue_url: str) -> None:
        for message in self.receive_all(queue_url, expected=10_000, timeout=2):
            self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def queue_depth(self, queue_url: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return sum(int(value) for value in attributes["Attributes"].values())


class Function:
    """One of the gateway's binaries (a product name, or the path of a packaged `bootstrap`) running as a Lambda
    function on its own fake Runtime API."""

    def __init__(self, binary: str | Path, env: dict[str, str], log: Path, cwd: Path | None = None):
        self.runtime = FakeLambdaRuntime()
        self.log = log
        executable = binary if isinstance(binary, Path) else find_binary(binary)
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [str(executable)], env={**env, "AWS_LAMBDA_RUNTIME_API": self.runtime.address},
                stdout=output, stderr=output, cwd=cwd)
        try:
            self.runtime.wait_until_polling()
        except AssertionError:
            self.stop()
            raise AssertionError(f"{binary} did not start as a Lambda function:\n{log.read_text()[-3000:]}") from None

    def invoke(self, event: Any) -> Outcome:
        polls = self.runtime.next_calls
        outcome = self.runtime.invoke(event)
        # The invocation ends when the function asks for the next one (it may be frozen from then on).
        deadline = time.monotonic() + 10
        while self.runtime.next_calls == polls and time.monotonic() < deadline:
            time.sleep(0.005)
        assert self.runtime.next_calls > polls, "the function did not ask for the next invocation"
        return outcome

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.runtime.close()


def proxy_event(method: str, path: str, body: Any = None, *, authorizer: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The real REST proxy event with this request in it."""
    event = copy.deepcopy(PROXY_EVENT)
    fields = {"Content-Type": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com",
              **(headers or {})}
    event.update({
        "resource": path, "path": path, "httpMethod": method, "headers": fields,
        "multiValueHeaders": {name: [value] for name, value in fields.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "body": json.dumps(body) if body is not None else None, "isBase64Encoded": False})
    event["requestContext"].update({"resourcePath": path, "httpMethod": method, "path": f"/api{path}",
                                    "stage": "api", "requestId": secrets.token_hex(8)})
    event["requestContext"]["authorizer"] = authorizer or {}
    return event


def token_event(authorization: str | None) -> dict[str, Any]:
    event = copy.deepcopy(TOKEN_EVENT)
    event["authorizationToken"] = authorization
    event["methodArn"] = "arn:aws:execute-api:us-east-1:123456789012:abc123/api/POST/v1/chat/completions"
    return event


def buffered_bytes(outcome: Outcome) -> tuple[int, dict[str, str], bytes]:
    """A buffered API Gateway proxy response: status, headers (lower-cased), body bytes."""
    assert outcome.kind == "response", outcome.body
    assert not outcome.streamed
    answer = outcome.json()
    body = base64.b64decode(answer["body"]) if answer.get("isBase64Encoded") else answer["body"].encode()
    headers = {name.lower(): value for name, value in (answer.get("headers") or {}).items()}
    return answer["statusCode"], headers, body


def buffered(outcome: Outcome) -> tuple[int, dict[str, str], Any]:
    """A buffered API Gateway proxy response with a JSON body: status, headers (lower-cased), the parsed body."""
    status, headers, body = buffered_bytes(outcome)
    return status, headers, json.loads(body)


def streamed(outcome: Outcome) -> tuple[int, dict[str, str], bytes]:
    """An answer on a route integrated with response streaming (always this format there, whatever `stream` the
    request asked for, since API Gateway expects it): status, headers (lower-cased), body bytes."""
    assert outcome.kind == "response", outcome.body
    assert outcome.streamed, outcome.headers
    assert outcome.headers["content-type"] == "application/vnd.awslambda.http-integration-response"
    prelude, body = outcome.http_integration()
    return prelude["statusCode"], {name.lower(): value for name, value in prelude["headers"].items()}, body


def sse_data(body: bytes) -> list[str]:
    """The `data:` payloads of a server-sent event stream, in order."""
    return [event.removeprefix("data: ") for event in body.decode().split("\n\n") if event.startswith("data: ")]


def chat_answer(outcome: Outcome) -> tuple[int, dict[str, str], Any]:
    """A non-streamed chat completion, which arrives in the streaming format of its route."""
    status, headers, body = streamed(outcome)
    return status, headers, json.loads(body)


@pytest.fixture(scope="module")
def aws() -> AWS:
    resources = AWS()
    resources.create()
    return resources


@pytest.fixture(scope="module")
def env(aws: AWS, fake_upstream, tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("aws")
    config = work / "switchboard.yaml"
    config.write_text(gateway_config(
        fake_upstream.base_url, mock_stream_delay_ms=40, extra="rag: { embedding_model: emb, chat_model: mock }",
        extra_routes="  emb: { kind: embedding, targets: [ { provider: mock, model: mock-embed } ] }\n"))
    values = gateway_env({
        **aws.env, "SWITCHBOARD_CONFIG": str(config),
        # The fake upstream also serves S3 Vectors (proven against boto3 in test_fake_s3vectors.py).
        "AWS_ENDPOINT_URL_S3VECTORS": fake_upstream.root_url, "SWITCHBOARD_RAG_S3VECTORS_BUCKET": f"{aws.prefix}-vectors"})
    values["SWITCHBOARD_TEST_WORK"] = str(work)
    return values


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(find_binary("switchboard")), *args], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, f"switchboard {' '.join(args)} failed: {result.stderr}"
    return result


@pytest.fixture(scope="module")
def key(env: dict[str, str]) -> str:
    return cli(env, "keys", "create", "--tenant", "acme", "--label", "lambda-test").stdout.strip().splitlines()[-1]


def start(binary: str, env: dict[str, str], name: str | None = None) -> Function:
    return Function(binary, env, Path(env["SWITCHBOARD_TEST_WORK"]) / f"{name or binary}.log")


@pytest.fixture(scope="module")
def authorizer(env: dict[str, str]) -> Iterator[Function]:
    function = start("switchboard-edge", env)
    yield function
    function.stop()


@pytest.fixture(scope="module")
def router(env: dict[str, str]) -> Iterator[Function]:
    function = start("switchboard-router", env)
    yield function
    function.stop()


@pytest.fixture(scope="module")
def audit(env: dict[str, str]) -> Iterator[Function]:
    function = start("switchboard-audit", env)
    yield function
    function.stop()


def authorize(authorizer: Function, key: str) -> dict[str, Any]:
    """The authorizer's context for this key, as API Gateway hands it to the request functions."""
    outcome = authorizer.invoke(token_event(f"Bearer {key}"))
    assert outcome.kind == "response", outcome.body
    policy = outcome.json()
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    return {"principalId": policy["principalId"], **policy["context"]}


# MARK: the authorizer


def test_authorizer_allows_a_valid_key_for_every_route(authorizer: Function, key: str) -> None:
    outcome = authorizer.invoke(token_event(f"Bearer {key}"))
    policy = outcome.json()
    statement = policy["policyDocument"]["Statement"][0]
    assert policy["policyDocument"]["Version"] == "2012-10-17"
    assert statement["Effect"] == "Allow" and statement["Action"] == "execute-api:Invoke"
    # A wildcard resource: API Gateway caches the result for 300 s across every route of the API.
    assert statement["Resource"] in ("arn:aws:execute-api:us-east-1:123456789012:abc123/api/*/*",
                                     ["arn:aws:execute-api:us-east-1:123456789012:abc123/api/*/*"])
    assert policy["context"]["tenant"] == "acme"
    assert all(isinstance(value, (str, int, float, bool)) for value in policy["context"].values())
    assert key not in outcome.body.decode(), "the key itself never leaves the authorizer"


def test_authorizer_denies_unknown_keys_and_rejects_missing_ones(authorizer: Function) -> None:
    denied = authorizer.invoke(token_event("Bearer sk-sb-not-a-real-key-000000000000"))
    assert denied.kind == "response"
    assert denied.json()["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    for header in (None, "", "Basic dXNlcjpwYXNz", "Bearer"):
        missing = authorizer.invoke(token_event(header))
        assert missing.kind == "error", f"{header!r}: {missing.body!r}"
        assert missing.json()["errorMessage"] == "Unauthorized"


def test_original_gateways_plaintext_keyed_secret_works_before_and_after_migration(
        aws: AWS, env: dict[str, str], authorizer: Function) -> None:
    legacy_key = f"sk-legacy-{secrets.token_hex(12)}"
    current = json.loads(aws.secrets.get_secret_value(SecretId=env["SWITCHBOARD_API_KEYS_SECRET"])["SecretString"])
    current[legacy_key] = {"tenantId": "legacy-co", "label": "from-typescript", "status": "active",
                           "createdAt": "2025-01-01T00:00:00Z"}
    aws.secrets.put_secret_value(SecretId=env["SWITCHBOARD_API_KEYS_SECRET"], SecretString=json.dumps(current))
    time.sleep(1.2)  # past the key cache
    assert authorize(authorizer, legacy_key)["tenant"] == "legacy-co"

    result = cli(env, "keys", "migrate")
    assert legacy_key not in result.stdout + result.stderr
    migrated = json.loads(aws.secrets.get_secret_value(SecretId=env["SWITCHBOARD_API_KEYS_SECRET"])["SecretString"])
    assert legacy_key not in migrated
    assert migrated[hashlib.sha256(legacy_key.encode()).hexdigest()]["tenant"] == "legacy-co"
    time.sleep(1.2)
    assert authorize(authorizer, legacy_key)["tenant"] == "legacy-co"


def test_keys_are_imported_from_the_original_gateways_secret(aws: AWS, env: dict[str, str],
                                                              authorizer: Function) -> None:
    old_secret = f"/{aws.prefix}/llm-gateway/api-keys"
    active, revoked = f"sk-old-{secrets.token_hex(12)}", f"sk-old-{secrets.token_hex(12)}"
    original = {active: {"tenantId": "imported-co", "label": "old-gateway", "status": "active"},
                revoked: {"tenantId": "imported-co", "label": "old-revoked", "status": "disabled"}}
    aws.secrets.create_secret(Name=old_secret, SecretString=json.dumps(original))
    result = cli(env, "keys", "migrate", old_secret)
    assert "Imported 2 key(s)" in result.stdout, result.stdout
    assert active not in result.stdout + result.stderr
    # The old secret is untouched; ours now holds the keys hashed.
    assert json.loads(aws.secrets.get_secret_value(SecretId=old_secret)["SecretString"]) == original
    ours = json.loads(aws.secrets.get_secret_value(SecretId=env["SWITCHBOARD_API_KEYS_SECRET"])["SecretString"])
    assert active not in ours and hashlib.sha256(active.encode()).hexdigest() in ours
    time.sleep(1.2)
    assert authorize(authorizer, active)["tenant"] == "imported-co"
    denied = authorizer.invoke(token_event(f"Bearer {revoked}"))
    assert denied.json()["policyDocument"]["Statement"][0]["Effect"] == "Deny", "a revoked key stays refused"
    # Importing again adds nothing.
    assert "Imported 0 key(s)" in cli(env, "keys", "migrate", old_secret).stdout


# MARK: the router function


def test_buffered_chat_through_the_router_function(aws: AWS, authorizer: Function, router: Function, key: str,
                                                   fake_upstream) -> None:
    context = authorize(authorizer, key)
    status, headers, body = chat_answer(router.invoke(
        proxy_event("POST", "/v1/chat/completions", {"model": "chat", "messages": HELLO}, authorizer=context)))
    assert status == 200, body
    assert body["object"] == "chat.completion" and body["model"] == "chat"
    assert body["usage"]["total_tokens"] > 0
    assert headers["x-request-id"].startswith("req_")
    assert "x-ratelimit-limit-requests" in headers


def test_streamed_chat_arrives_as_it_is_generated(authorizer: Function, router: Function, key: str) -> None:
    context = authorize(authorizer, key)
    outcome = router.invoke(proxy_event(
        "POST", "/v1/chat/completions",
        {"model": "mock", "messages": HELLO, "stream": True, "stream_options": {"include_usage": True}},
        authorizer=context))
    status, headers, body = streamed(outcome)
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    events = sse_data(body)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0
    # Streamed, not buffered: the mock's tokens (40 ms apart) reached the Runtime API in several chunks over time.
    times = [at for at, _ in outcome.chunks]
    assert len(times) >= 3 and times[-1] - times[1] > 0.08, times
    assert outcome.trailers.get("lambda-runtime-function-error-type") is None


def test_an_upstream_failure_mid_stream_ends_with_an_error_event(authorizer: Function, router: Function,
                                                                  key: str) -> None:
    context = authorize(authorizer, key)
    status, _, body = streamed(router.invoke(proxy_event(
        "POST", "/v1/chat/completions", {"model": "midstream", "messages": HELLO, "stream": True},
        authorizer=context)))
    assert status == 200
    events = sse_data(body)
    assert events and "[DONE]" not in events
    assert "error" in json.loads(events[-1])
    assert json.loads(events[0])["object"] == "chat.completion.chunk", "what came before the failure was sent"


def test_models_and_errors_are_openai_shaped(authorizer: Function, router: Function, key: str) -> None:
    context = authorize(authorizer, key)
    status, _, models = buffered(router.invoke(proxy_event("GET", "/v1/models", authorizer=context)))
    assert status == 200 and models["object"] == "list"
    assert {"chat", "mock"} <= {model["id"] for model in models["data"]}
    status, _, error = chat_answer(router.invoke(
        proxy_event("POST", "/v1/chat/completions", {"model": "no-such-alias", "messages": HELLO},
                    authorizer=context)))
    assert status == 404 and error["error"]["code"] == "model_not_found"
    # Without the authorizer's context (a route deployed without the authorizer) nothing is served.
    status, _, error = buffered(router.invoke(proxy_event("GET", "/v1/models")))
    assert status == 401


def test_quotas_are_enforced_in_the_request_function(env: dict[str, str], authorizer: Function,
                                                     router: Function) -> None:
    from conftest import avoid_minute_boundary

    limited = cli(env, "keys", "create", "--tenant", "quota-co", "--rpm", "2").stdout.strip().splitlines()[-1]
    context = authorize(authorizer, limited)
    avoid_minute_boundary()
    statuses = []
    for _ in range(4):
        status, headers, _ = buffered(router.invoke(proxy_event("GET", "/v1/models", authorizer=context)))
        statuses.append(status)
    assert statuses == [200, 200, 429, 429]
    assert int(headers["retry-after"]) >= 1


def test_provider_keys_come_from_secrets_manager_and_rotate(aws: AWS, authorizer: Function, router: Function,
                                                            key: str, fake_upstream) -> None:
    context = authorize(authorizer, key)
    fake_upstream.reset()
    for _ in range(4):
        status, _, _ = chat_answer(router.invoke(
            proxy_event("POST", "/v1/chat/completions", {"model": "chat", "messages": HELLO}, authorizer=context)))
        assert status == 200
    assert sorted(r["authorization"] for r in fake_upstream.requests()) == [
        "Bearer sk-sec-a", "Bearer sk-sec-a", "Bearer sk-sec-b", "Bearer sk-sec-b"]
    aws.secrets.put_secret_value(SecretId=aws.provider_secret_arn, SecretString="sk-sec-rotated")
    time.sleep(1.3)  # SWITCHBOARD_SECRETS_TTL_SECONDS=1: no redeploy, no restart
    fake_upstream.reset()
    chat_answer(router.invoke(
        proxy_event("POST", "/v1/chat/completions", {"model": "chat", "messages": HELLO}, authorizer=context)))
    assert [r["authorization"] for r in fake_upstream.requests()] == ["Bearer sk-sec-rotated"]


# MARK: audit


@pytest.fixture(scope="module")
def rag(env: dict[str, str]) -> Iterator[Function]:
    function = start("switchboard-rag", env)
    yield function
    function.stop()


def test_rag_jobs_run_from_their_sqs_queue_and_queries_stream(aws: AWS, authorizer: Function, rag: Function,
                                                               key: str) -> None:
    context = authorize(authorizer, key)
    documents = [{"key": f"doc-{i}", "text": f"Lambda document {i} about topic {i % 3}."} for i in range(5)]
    status, headers, job = buffered(rag.invoke(proxy_event(
        "POST", "/v1/rag/ingest", {"documents": documents, "index_name": "lambda", "async": True},
        authorizer=context)))
    assert status == 202 and job["status"] == "queued", job
    assert headers["location"] == f"/v1/rag/jobs/{job['id']}"

    # The job waits in the rag-ingest queue; Lambda's event source mapping would hand it to the function.
    messages = aws.receive_all(aws.rag_queue, expected=1)
    assert len(messages) == 1
    outcome = rag.invoke(sqs_event(aws, messages, queue_arn="arn:aws:sqs:us-east-1:123456789012:rag-ingest"))
    assert outcome.json() == {"batchItemFailures": []}
    status, _, done = buffered(rag.invoke(proxy_event("GET", f"/v1/rag/jobs/{job['id']}", authorizer=context)))
    assert status == 200 and done["status"] == "succeeded" and done["documents_ingested"] == 5, done

    # /v1/rag/query is a streamed route: the grounded answer comes in the streaming format, sources first.
    status, _, body = streamed(rag.invoke(proxy_event(
        "POST", "/v1/rag/query", {"query": documents[2]["text"], "index_name": "lambda", "top_k": 1},
        authorizer=context)))
    answer = json.loads(body)
    assert status == 200 and answer["object"] == "chat.completion"
    assert [source["key"] for source in answer["rag_context"]] == ["doc-2"]


def sqs_event(aws: AWS, messages: list[dict[str, Any]], queue_arn: str | None = None) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping delivers for these received messages."""
    return {"Records": [{
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn or aws.audit_queue_arn, "awsRegion": REGION,
    } for message in messages]}


def request_log_items(aws: AWS, env: dict[str, str], request_id: str) -> list[dict[str, Any]]:
    """The DynamoDB request log's items for one request id (its byRequestId index)."""
    return aws.dynamodb.query(
        TableName=env["SWITCHBOARD_REQUESTS_TABLE"], IndexName="byRequestId",
        KeyConditionExpression="requestId = :id", ExpressionAttributeValues={":id": {"S": request_id}})["Items"]


def logged_request(aws: AWS, env: dict[str, str], request_id: str) -> dict[str, Any]:
    """The request's one row in the DynamoDB request log (tenant acme), as `switchboard requests show` reads it."""
    items = request_log_items(aws, env, request_id)
    assert len(items) == 1 and items[0]["tenant"]["S"] == "acme", items
    shown = json.loads(cli(env, "requests", "show", request_id).stdout.strip().splitlines()[-1])
    assert shown["request_id"] == request_id and shown["tenant"] == "acme"
    return shown


def test_every_request_reaches_the_dynamodb_request_log(aws: AWS, env: dict[str, str], authorizer: Function,
                                                        router: Function, audit: Function, key: str) -> None:
    aws.discard_all(aws.audit_queue)  # what earlier tests queued: this test counts only its own events
    context = authorize(authorizer, key)
    request_ids = []
    for stream in (False, True, False):
        outcome = router.invoke(proxy_event(
            "POST", "/v1/chat/completions", {"model": "mock", "messages": HELLO, "stream": stream},
            authorizer=context))
        request_ids.append(streamed(outcome)[1]["x-request-id"])
        # Accepted by SQS before the invocation ended: no waiting here.
        assert aws.queue_depth(aws.audit_queue) == len(request_ids)

    messages = aws.receive_all(aws.audit_queue, expected=3)
    assert len(messages) == 3
    poison = {"MessageId": "poison-1", "ReceiptHandle": "poison-receipt", "Body": "not an audit event",
              "MD5OfBody": hashlib.md5(b"not an audit event").hexdigest(), "Attributes": {}}
    outcome = audit.invoke(sqs_event(aws, messages + [poison]))
    assert outcome.kind == "response", outcome.body
    assert outcome.json() == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}

    for request_id in request_ids:
        assert logged_request(aws, env, request_id)["http_status"] == 200
    # Delivered twice (the event source retries a batch): still one row each.
    assert audit.invoke(sqs_event(aws, messages)).json() == {"batchItemFailures": []}
    assert len(request_log_items(aws, env, request_ids[0])) == 1


# MARK: chat on a buffered route


@pytest.fixture(scope="module")
def buffered_router(env: dict[str, str]) -> Iterator[Function]:
    """The router function with chat on a buffered route: SWITCHBOARD_STREAMING_ROUTES is the template's list without
    POST /v1/chat/completions, as for an API that integrates chat without response streaming."""
    listed = template_streaming_routes()
    routes = [route for route in listed if route != "POST /v1/chat/completions"]
    assert len(routes) == len(listed) - 1, listed
    function = start("switchboard-router", {**env, "SWITCHBOARD_STREAMING_ROUTES": ",".join(routes)},
                     name="switchboard-router-buffered-chat")
    yield function
    function.stop()


def deliver_audit_events(aws: AWS, audit: Function, expected: int) -> None:
    """Hands what the audit queue holds to the audit function in one SQS batch and, when it reports no failure,
    deletes the messages, as Lambda's event source mapping does."""
    messages = aws.receive_all(aws.audit_queue, expected=expected)
    assert len(messages) == expected
    assert audit.invoke(sqs_event(aws, messages)).json() == {"batchItemFailures": []}
    for message in messages:
        aws.sqs.delete_message(QueueUrl=aws.audit_queue, ReceiptHandle=message["ReceiptHandle"])


def test_chat_on_a_buffered_route_is_a_proxy_response(aws: AWS, env: dict[str, str], authorizer: Function,
                                                      buffered_router: Function, audit: Function, key: str) -> None:
    aws.discard_all(aws.audit_queue)
    queued = aws.queue_depth(aws.audit_queue)  # what an earlier test received and left in flight
    context = authorize(authorizer, key)
    status, headers, raw = buffered_bytes(buffered_router.invoke(proxy_event(
        "POST", "/v1/chat/completions", {"model": "mock", "messages": HELLO, "stream": False}, authorizer=context)))
    assert status == 200, raw
    assert headers["content-type"].startswith("application/json")
    assert int(headers.get("content-length", len(raw))) == len(raw)
    body = json.loads(raw)
    assert body["object"] == "chat.completion" and body["model"] == "mock"
    assert body["choices"][0]["message"]["content"] == MOCK_REPLY
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["completion_tokens"] == len(MOCK_REPLY.split())
    assert headers["x-request-id"].startswith("req_")
    # Accepted by SQS before the invocation ended.
    assert aws.queue_depth(aws.audit_queue) == queued + 1

    deliver_audit_events(aws, audit, expected=1)
    shown = logged_request(aws, env, headers["x-request-id"])
    assert shown["stream"] is False and shown["http_status"] == 200 and shown["outcome"] == "success"
    assert shown["alias"] == "mock" and shown["completion_tokens"] == len(MOCK_REPLY.split())


def test_streamed_chat_on_a_buffered_route_arrives_whole_as_server_sent_events(
        aws: AWS, env: dict[str, str], authorizer: Function, buffered_router: Function, audit: Function,
        key: str) -> None:
    """`stream: true` where API Gateway buffers the answer: the function cannot stream there, so the whole event
    stream is its proxy response (text, not base64): the client gets every event and `[DONE]`, only all at once."""
    aws.discard_all(aws.audit_queue)
    queued = aws.queue_depth(aws.audit_queue)
    context = authorize(authorizer, key)
    outcome = buffered_router.invoke(proxy_event(
        "POST", "/v1/chat/completions",
        {"model": "mock", "messages": HELLO, "stream": True, "stream_options": {"include_usage": True}},
        authorizer=context))
    assert outcome.json()["isBase64Encoded"] is False
    status, headers, body = buffered_bytes(outcome)
    assert status == 200, body
    assert headers["content-type"].startswith("text/event-stream")
    assert int(headers.get("content-length", len(body))) == len(body)
    assert "transfer-encoding" not in headers, "a proxy response has no chunked body"
    events = sse_data(body)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" and chunk["id"] == chunks[0]["id"] for chunk in chunks)
    text = "".join(choice["delta"].get("content") or "" for chunk in chunks for choice in chunk["choices"])
    assert text == MOCK_REPLY
    assert [choice["finish_reason"] for chunk in chunks for choice in chunk["choices"]
            if choice.get("finish_reason")] == ["stop"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == len(MOCK_REPLY.split())
    assert aws.queue_depth(aws.audit_queue) == queued + 1

    deliver_audit_events(aws, audit, expected=1)
    shown = logged_request(aws, env, headers["x-request-id"])
    assert shown["stream"] is True and shown["http_status"] == 200 and shown["outcome"] == "success"
    assert shown["completion_tokens"] == len(MOCK_REPLY.split())


def test_dlq_replay_moves_dead_letters_back_to_the_audit_queue(aws: AWS, env: dict[str, str]) -> None:
    aws.discard_all(aws.audit_queue)
    bodies = [json.dumps({"replay": index}) for index in range(13)]
    for body in bodies:
        aws.sqs.send_message(QueueUrl=aws.dlq, MessageBody=body)
    result = cli(env, "dlq", "replay")
    assert "13" in result.stdout
    moved = aws.receive_all(aws.audit_queue, expected=13)
    assert sorted(message["Body"] for message in moved) == sorted(bodies)
    assert aws.queue_depth(aws.dlq) == 0


# MARK: the packaged functions (deploy/aws/build.sh)

BUILD_SCRIPT = REPO_ROOT / "deploy" / "aws" / "build.sh"
# Shared objects of glibc (and the kernel's vDSO): every Lambda runtime has them, so they are never bundled.
GLIBC_LIBRARY = re.compile(
    r"^(linux-vdso|linux-gate|ld-linux[^/]*|ld64|libc|libm|libdl|libpthread|librt|libutil|libresolv|libanl|libnsl"
    r"|libcrypt|libmvec|libnss_[a-z]+)\.so(\.[0-9.]+)?$")


def lambda_bin_dir() -> Path:
    """The five functions' binaries built as build.sh builds them, without the Kafka queue (SWITCHBOARD_NO_KAFKA=1):
    the suite's own binaries link librdkafka for self-hosted mode, which build.sh refuses to package. scripts/test
    builds them (debug) and keeps them in .build/lambda-debug."""
    path = Path(os.environ.get("SWITCHBOARD_LAMBDA_BIN_DIR", REPO_ROOT / ".build" / "lambda-debug"))
    missing = [product for product in (Path(uri).stem for uri in template_code_uris().values())
               if not os.access(path / product, os.X_OK)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found in {path}: build each with `SWITCHBOARD_NO_KAFKA=1 swift build "
                    "--product <name>` and copy it there before `swift build` puts the Kafka-linked one back "
                    "(scripts/test does), or set SWITCHBOARD_LAMBDA_BIN_DIR")
    return path


def without_library_path() -> dict[str, str]:
    """This environment without LD_LIBRARY_PATH (scripts/test points it at a newer librdkafka for the Kafka tests)."""
    return {name: value for name, value in os.environ.items() if name != "LD_LIBRARY_PATH"}


def run_build_script(binaries: Path, output: Path) -> subprocess.CompletedProcess[str]:
    # --allow-newer-glibc: this machine's glibc (Debian 12: 2.36) is newer than Amazon Linux 2023's 2.34, so
    # build.sh warns that the zips would not start on Lambda instead of refusing to write them.
    return subprocess.run(
        [str(BUILD_SCRIPT), "--bin-dir", str(binaries), "--allow-newer-glibc", "--output", str(output)],
        env=without_library_path(), capture_output=True, text=True, timeout=1200)


def ldd_libraries(binary: Path) -> set[str]:
    """The sonames of the shared libraries `binary` loads (ldd: the transitive closure)."""
    result = subprocess.run(["ldd", str(binary)], env=without_library_path(), capture_output=True, text=True,
                            timeout=60, check=True)
    return {line.split()[0].rsplit("/", 1)[-1] for line in result.stdout.splitlines() if line.strip()}


def sha256_of(stream: Any) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """deploy/aws/build.sh run for real on the Kafka-free binaries: each function of template.yaml → its zip."""
    output = tmp_path_factory.mktemp("lambda-zips")
    result = run_build_script(lambda_bin_dir(), output)
    assert result.returncode == 0, f"build.sh failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    zips = {function: output / Path(uri).name for function, uri in template_code_uris().items()}
    assert sorted(path.name for path in output.iterdir()) == sorted(path.name for path in zips.values())
    return zips


def test_build_script_packages_each_function_of_the_template(packaged: dict[str, Path]) -> None:
    binaries = lambda_bin_dir()
    assert len(packaged) == 5, sorted(packaged)
    for function, archive in packaged.items():
        product = archive.stem  # CodeUri build/<product>.zip
        with zipfile.ZipFile(archive) as zipped:
            entries = {info.filename: info for info in zipped.infolist() if not info.is_dir()}
            assert "bootstrap" in entries, f"{function}: {sorted(entries)}"
            mode = entries["bootstrap"].external_attr >> 16
            assert stat.S_ISREG(mode) and mode & 0o111 == 0o111, f"{function}: bootstrap mode {oct(mode)}"
            with zipped.open("bootstrap") as bootstrap, open(binaries / product, "rb") as built:
                assert sha256_of(bootstrap) == sha256_of(built), f"{function}: bootstrap is not {product}"
            bundled = {name.removeprefix("lib/") for name in entries if name.startswith("lib/")}
            assert set(entries) == {"bootstrap"} | {f"lib/{name}" for name in bundled}, f"{function}: {sorted(entries)}"
        needed = ldd_libraries(binaries / product)
        assert not [name for name in needed | bundled if name.startswith("librdkafka")], f"{function} has librdkafka"
        assert bundled <= needed, f"{function}: lib/ has what the binary does not load: {sorted(bundled - needed)}"
        assert not [name for name in bundled if GLIBC_LIBRARY.match(name)], f"{function} bundles glibc: {bundled}"


def test_build_script_refuses_binaries_that_link_librdkafka(tmp_path: Path) -> None:
    """The suite's own binaries carry the Kafka queue (self-hosted mode): build.sh must not package them."""
    assert any(name.startswith("librdkafka") for name in ldd_libraries(find_binary("switchboard-edge")))
    result = run_build_script(bin_dir(), tmp_path)
    assert result.returncode != 0
    assert "links librdkafka.so" in result.stderr and "SWITCHBOARD_NO_KAFKA=1" in result.stderr, result.stderr
    assert not list(tmp_path.glob("*.zip"))


def mapped_libraries(pid: int) -> set[Path]:
    """The shared objects a running process has mapped."""
    paths = {line.split(maxsplit=5)[5].strip() for line in Path(f"/proc/{pid}/maps").read_text().splitlines()
             if len(line.split(maxsplit=5)) == 6}
    return {Path(path) for path in paths if path.startswith("/") and ".so" in Path(path).name}


def test_the_packaged_router_answers_as_a_lambda_function(packaged: dict[str, Path], env: dict[str, str],
                                                          authorizer: Function, key: str, tmp_path: Path) -> None:
    """The router's zip unpacked as Lambda does (permissions from the zip) into a task root and its bootstrap run with
    Lambda's library path: it starts, answers an invocation, and loads every library but glibc's from the zip."""
    task = (tmp_path / "task").resolve()  # /var/task
    with zipfile.ZipFile(packaged["RouterFunction"]) as zipped:
        for info in zipped.infolist():
            zipped.extract(info, task)
            os.chmod(task / info.filename, (info.external_attr >> 16) & 0o7777)
    lambda_env = {**env, "LAMBDA_TASK_ROOT": str(task), "_HANDLER": "bootstrap",
                  # provided.al2023's LD_LIBRARY_PATH, with /var/task here
                  "LD_LIBRARY_PATH": f"/lib64:/usr/lib64:{task}:{task}/lib"}
    function = Function(task / "bootstrap", lambda_env, Path(env["SWITCHBOARD_TEST_WORK"]) / "packaged-router.log",
                        cwd=task)
    try:
        context = authorize(authorizer, key)
        status, headers, body = chat_answer(function.invoke(proxy_event(
            "POST", "/v1/chat/completions", {"model": "mock", "messages": HELLO}, authorizer=context)))
        assert status == 200, body
        assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"] == MOCK_REPLY
        assert headers["x-request-id"].startswith("req_")
        loaded = mapped_libraries(function.process.pid)
    finally:
        function.stop()
    bundled = {path.name for path in (task / "lib").iterdir()} if (task / "lib").is_dir() else set()
    from_zip = {path.name for path in loaded if path.parent == task / "lib"}
    assert from_zip == bundled, f"bundled but not loaded: {sorted(bundled - from_zip)}"
    elsewhere = sorted(str(path) for path in loaded if path.parent != task / "lib" and not GLIBC_LIBRARY.match(path.name))
    assert not elsewhere, f"loaded from outside the zip: {elsewhere}"

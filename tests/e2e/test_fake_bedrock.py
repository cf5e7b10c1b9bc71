"""The fake Bedrock runtime (Converse / ConverseStream) is proven against boto3's `bedrock-runtime` client.

Every request boto3 sends is fetched back from `/_fake/requests` and its SigV4 signature is verified with
botocore (`sigv4_verify.py`); the verifier itself is first proven against AWS's published signing vectors.
"""

from __future__ import annotations

import json
import struct
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import botocore
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError, EventStreamError

from conftest import FIXTURES
from sigv4_verify import assert_sigv4, parse_authorization, verify_sigv4

ACCESS_KEY = "AKIDFAKEEXAMPLE"
SECRET_KEY = "fake/secret+key"
REGION = "us-east-1"
CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
NOVA = "amazon.nova-pro-v1:0"
PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-tool-v1:0"
WEATHER = {
    "toolSpec": {
        "name": "get_weather",
        "description": "Current weather",
        "inputSchema": {"json": {"type": "object", "properties": {"location": {"type": "string"}}}},
    }
}
TOOLS = {"tools": [WEATHER, {"toolSpec": {"name": "get_time", "inputSchema": {"json": {"type": "object"}}}}]}
SYSTEM = [{"text": "be brief"}]  # 2 words
MESSAGES = [
    {"role": "user", "content": [{"text": "first question"}]},
    {"role": "assistant", "content": [{"text": "an answer"}]},
    {"role": "user", "content": [{"text": "hello big"}, {"text": "world"}]},
]
INPUT_WORDS = 2 + 2 + 2 + 3


def make_client(fake, **config) -> "botocore.client.BaseClient":
    return boto3.client(
        "bedrock-runtime",
        endpoint_url=fake.root_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, **config),
    )


@pytest.fixture
def client(fake):
    return make_client(fake)


@pytest.fixture(autouse=True)
def every_signed_request_verifies(fake):
    """After each test, every SigV4-signed request the fake received must verify with botocore."""
    yield
    for recorded in fake.requests():
        if (recorded.get("authorization") or "").startswith("AWS4-HMAC-SHA256"):
            assert_sigv4(recorded, secret_key=SECRET_KEY, access_key=ACCESS_KEY, region=REGION, service="bedrock")


def converse(client, model: str = CLAUDE, **extra):
    return client.converse(modelId=model, system=SYSTEM, messages=MESSAGES, **extra)


def collect_stream(response) -> tuple[list[dict], list[dict]]:
    """(events, reassembled content blocks in Converse shape) from a ConverseStream response."""
    events = list(response["stream"])
    blocks: dict[int, dict] = {}
    for event in events:
        if "contentBlockStart" in event:
            start = event["contentBlockStart"]
            tool = start["start"]["toolUse"]
            blocks[start["contentBlockIndex"]] = {"toolUse": {**tool, "input": ""}}
        elif "contentBlockDelta" in event:
            index = event["contentBlockDelta"]["contentBlockIndex"]
            delta = event["contentBlockDelta"]["delta"]
            if "text" in delta:
                block = blocks.setdefault(index, {"text": ""})
                block["text"] += delta["text"]
            elif "toolUse" in delta:
                blocks[index]["toolUse"]["input"] += delta["toolUse"]["input"]
            elif "reasoningContent" in delta:
                block = blocks.setdefault(index, {"reasoningContent": {"reasoningText": {"text": ""}}})
                text = block["reasoningContent"]["reasoningText"]
                if "text" in delta["reasoningContent"]:
                    text["text"] += delta["reasoningContent"]["text"]
                if "signature" in delta["reasoningContent"]:
                    text["signature"] = delta["reasoningContent"]["signature"]
    content = [blocks[index] for index in sorted(blocks)]
    for block in content:
        if "toolUse" in block:
            block["toolUse"]["input"] = json.loads(block["toolUse"]["input"])
    return events, content


# MARK: the verifier itself


def test_sigv4_verifier_accepts_aws_published_vectors_and_rejects_tampering():
    cases = json.loads((FIXTURES / "sigv4-aws-c-auth-cases.json").read_text())["cases"]
    assert len(cases) == 6
    for case in cases:
        recorded = case["recorded"]
        check = verify_sigv4(recorded, secret_key=case["secret_key"], session_token=case["session_token"])
        assert check.valid, (case["name"], check.describe())
        assert not verify_sigv4(recorded, secret_key=case["secret_key"] + "x").valid
        tampered = {**recorded, "raw_body": (recorded["raw_body"] or "") + " "}
        assert not verify_sigv4(tampered, secret_key=case["secret_key"], session_token=case["session_token"]).valid
        moved = {**recorded, "path": recorded["path"] + "x"}
        assert not verify_sigv4(moved, secret_key=case["secret_key"], session_token=case["session_token"]).valid


def test_recorded_boto3_request_verifies_and_tampering_is_detected(client, fake):
    converse(client)
    [recorded] = fake.requests()
    check = assert_sigv4(recorded, secret_key=SECRET_KEY, access_key=ACCESS_KEY, region=REGION, service="bedrock")
    assert {"host", "x-amz-date"} <= set(check.authorization.signed_headers)
    assert not verify_sigv4(recorded, secret_key="wrong").valid
    assert not verify_sigv4(recorded, secret_key=SECRET_KEY, region="eu-west-1").valid
    body = {**recorded, "raw_body": recorded["raw_body"].replace("hello", "HELLO")}
    assert not verify_sigv4(body, secret_key=SECRET_KEY).valid
    date = {**recorded, "headers": {**recorded["headers"], "x-amz-date": "20200101T000000Z"}}
    assert not verify_sigv4(date, secret_key=SECRET_KEY).valid


# MARK: Converse


def test_converse_text_reply_with_word_usage(client, fake):
    response = converse(client)
    assert response["output"]["message"] == {"role": "assistant", "content": [{"text": "You said: hello big world"}]}
    assert response["stopReason"] == "end_turn"
    assert response["usage"] == {"inputTokens": INPUT_WORDS, "outputTokens": 5, "totalTokens": INPUT_WORDS + 5}
    assert response["metrics"] == {"latencyMs": 42}
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]

    [recorded] = fake.requests()
    # The model id travels percent-encoded; the body has no modelId.
    assert (recorded["method"], recorded["path"], recorded["query"]) == (
        "POST", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", None)
    assert recorded["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    assert recorded["headers"]["content-type"] == "application/json"
    assert "modelId" not in recorded["body"]
    assert json.loads(recorded["raw_body"]) == recorded["body"] == {
        "system": SYSTEM, "messages": MESSAGES}


def test_nova_ids_and_inference_profile_arns_are_accepted(client, fake):
    assert converse(client, NOVA)["output"]["message"]["content"] == [{"text": "You said: hello big world"}]
    response = converse(client, PROFILE_ARN, toolConfig=TOOLS)
    assert response["stopReason"] == "tool_use"  # the behaviour words are read from the decoded ARN
    paths = [r["path"] for r in fake.requests()]
    assert paths == [
        "/model/amazon.nova-pro-v1%3A0/converse",
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-tool-v1%3A0"
        "/converse",
    ]


def test_tool_model_calls_the_first_tool_after_a_short_text(client):
    response = converse(client, "anthropic.claude-tool-v1:0", toolConfig=TOOLS)
    assert response["output"]["message"]["content"] == [
        {"text": "I will call get_weather."},
        {"toolUse": {"toolUseId": "tooluse_fake_0", "name": "get_weather", "input": {"location": "Paris"}}},
    ]
    assert response["stopReason"] == "tool_use"
    assert response["usage"]["outputTokens"] == 4 + 3


def test_noargs_tool_model_calls_with_empty_input(client):
    response = converse(client, "amazon.nova-tool-noargs-v1:0", toolConfig=TOOLS)
    assert response["output"]["message"]["content"][1] == {
        "toolUse": {"toolUseId": "tooluse_fake_0", "name": "get_weather", "input": {}}}


def test_tools2_model_makes_two_tool_calls(client):
    response = converse(client, "amazon.nova-tools2-v1:0", toolConfig=TOOLS)
    calls = [block["toolUse"] for block in response["output"]["message"]["content"] if "toolUse" in block]
    assert [(c["toolUseId"], c["input"]) for c in calls] == [
        ("tooluse_fake_0", {"location": "Paris"}), ("tooluse_fake_1", {"location": "Tokyo"})]


def test_reasoning_model_returns_reasoning_content_first(client):
    response = converse(client, "anthropic.claude-reasoning-v1:0")
    content = response["output"]["message"]["content"]
    reasoning = content[0]["reasoningContent"]["reasoningText"]
    assert reasoning["text"] == "Let me think this through briefly."
    assert reasoning["signature"]
    assert content[1] == {"text": "You said: hello big world"}
    assert response["usage"]["outputTokens"] == 6 + 5


def test_thinking_requested_through_additional_fields(client):
    response = converse(client, additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 1024}})
    assert "reasoningContent" in response["output"]["message"]["content"][0]


def test_cache_model_reports_cache_tokens_in_the_total(client):
    usage = converse(client, "anthropic.claude-cache-v1:0")["usage"]
    assert usage == {"inputTokens": INPUT_WORDS, "outputTokens": 5, "totalTokens": INPUT_WORDS + 5 + 100 + 20,
                     "cacheReadInputTokens": 100, "cacheWriteInputTokens": 20}


def test_max_tokens_and_stop_sequence_stop_reasons(client):
    limited = converse(client, inferenceConfig={"maxTokens": 2})
    assert (limited["output"]["message"]["content"], limited["stopReason"]) == ([{"text": "You said:"}], "max_tokens")
    assert converse(client, "maxtokens")["stopReason"] == "max_tokens"
    assert converse(client, "stop", inferenceConfig={"stopSequences": ["END"]})["stopReason"] == "stop_sequence"


# MARK: ConverseStream


@pytest.mark.parametrize(
    "model, extra",
    [
        (CLAUDE, {}),
        (NOVA, {}),
        ("anthropic.claude-tool-v1:0", {"toolConfig": TOOLS}),
        ("tools2", {"toolConfig": TOOLS}),
        ("reasoning", {}),
        ("reasoning-tool-cache", {"toolConfig": TOOLS}),
        ("maxtokens", {}),
        ("stop", {}),
        (PROFILE_ARN, {"toolConfig": TOOLS}),
    ],
)
def test_converse_stream_reassembles_the_converse_answer(client, fake, model, extra):
    buffered = converse(client, model, **extra)
    response = client.converse_stream(modelId=model, system=SYSTEM, messages=MESSAGES, **extra)
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/vnd.amazon.eventstream"
    events, content = collect_stream(response)
    assert content == buffered["output"]["message"]["content"]
    assert events[0] == {"messageStart": {"role": "assistant"}}
    assert events[-2] == {"messageStop": {"stopReason": buffered["stopReason"]}}
    assert events[-1] == {"metadata": {"usage": buffered["usage"], "metrics": buffered["metrics"]}}
    assert fake.requests()[-1]["path"].endswith("/converse-stream")


def test_converse_stream_event_sequence_matches_the_real_service(client):
    response = client.converse_stream(modelId="reasoning-tool", system=SYSTEM, messages=MESSAGES, toolConfig=TOOLS)
    events = list(response["stream"])
    kinds = [next(iter(event)) for event in events]
    # reasoning (6 words + signature), text (4 words), then the tool block opened by contentBlockStart.
    assert kinds == (["messageStart"] + ["contentBlockDelta"] * 7 + ["contentBlockStop"]
                     + ["contentBlockDelta"] * 4 + ["contentBlockStop"]
                     + ["contentBlockStart"] + ["contentBlockDelta"] * 4 + ["contentBlockStop"]
                     + ["messageStop", "metadata"])
    assert [event["contentBlockDelta"]["delta"] for event in events[1:8]] == [
        {"reasoningContent": {"text": piece}} for piece in ["Let ", "me ", "think ", "this ", "through ", "briefly."]
    ] + [{"reasoningContent": {"signature": "ZmFrZS10aGlua2luZy1zaWduYXR1cmU="}}]
    start = events[14]["contentBlockStart"]
    assert start == {
        "contentBlockIndex": 2, "start": {"toolUse": {"toolUseId": "tooluse_fake_0", "name": "get_weather"}}}
    pieces = [event["contentBlockDelta"]["delta"]["toolUse"]["input"] for event in events[15:19]]
    assert pieces[0] == "" and json.loads("".join(pieces)) == {"location": "Paris"}


def test_event_stream_frames_decode_with_botocore_and_carry_real_headers(fake):
    """A hand-signed request, read as raw bytes: frames, CRCs and headers as in the recorded service output."""
    body = json.dumps({"messages": MESSAGES}).encode()
    url = f"{fake.root_url}/model/{CLAUDE.replace(':', '%3A')}/converse-stream"
    request = AWSRequest(method="POST", url=url, data=body, headers={"content-type": "application/json"})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "bedrock", REGION).add_auth(request)
    prepared = request.prepare()
    raw = urllib.request.Request(url, data=body, method="POST", headers=dict(prepared.headers.items()))
    with urllib.request.urlopen(raw, timeout=10) as response:
        assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
        data = response.read()

    buffer = EventStreamBuffer()
    buffer.add_data(data)  # the decoder checks both CRCs of every frame
    messages = list(buffer)
    assert [m.headers[":event-type"] for m in messages] == (
        ["messageStart"] + ["contentBlockDelta"] * 5 + ["contentBlockStop", "messageStop", "metadata"])
    for message in messages:
        assert list(message.headers) == [":event-type", ":content-type", ":message-type"]
        assert message.headers[":content-type"] == "application/json"
        assert message.headers[":message-type"] == "event"
    payloads = [json.loads(m.payload) for m in messages]
    assert all("p" in payload for payload in payloads[:-1])  # the real service pads events
    assert payloads[-1] == {"usage": {"inputTokens": 7, "outputTokens": 5, "totalTokens": 12},
                            "metrics": {"latencyMs": 42}}
    total, headers_length = struct.unpack(">II", data[:8])
    assert total == len(messages[0].payload) + headers_length + 16


@pytest.mark.parametrize(
    "model, code, message",
    [
        ("midstream-error", "throttlingException", "Too many tokens, please wait before trying again."),
        ("anthropic.claude-midstream-modelerror-v1:0", "modelStreamErrorException", "The model returned an error."),
    ],
)
def test_midstream_exception_surfaces_as_event_stream_error(client, model, code, message):
    response = client.converse_stream(modelId=model, messages=MESSAGES)
    received = []
    with pytest.raises(EventStreamError) as caught:
        for event in response["stream"]:
            received.append(event)
    assert caught.value.response["Error"] == {"Code": code, "Message": message}
    assert received == [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "You "}}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "said: "}}},
    ]


# MARK: errors


@pytest.mark.parametrize(
    "model, status, code",
    [
        ("status-400", 400, "ValidationException"),
        ("anthropic.claude-status-403-v1:0", 403, "AccessDeniedException"),
        ("status-404", 404, "ResourceNotFoundException"),
        ("status-408", 408, "ModelTimeoutException"),
        ("status-429", 429, "ThrottlingException"),
        ("status-500", 500, "InternalServerException"),
        ("status-503", 503, "ServiceUnavailableException"),
        ("notready", 429, "ModelNotReadyException"),
    ],
)
@pytest.mark.parametrize("operation", ["converse", "converse_stream"])
def test_status_models_raise_client_errors_with_the_bedrock_code(client, model, status, code, operation):
    with pytest.raises(ClientError) as caught:
        getattr(client, operation)(modelId=model, messages=MESSAGES)
    error = caught.value.response
    assert error["Error"]["Code"] == code
    assert error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert isinstance(caught.value, getattr(client.exceptions, code))


def test_flaky_model_fails_with_service_unavailable_then_succeeds(client):
    with pytest.raises(client.exceptions.ServiceUnavailableException):
        converse(client, "flaky-1")
    assert converse(client, "flaky-1")["stopReason"] == "end_turn"


def test_unsigned_requests_are_rejected_as_unrecognized_clients(fake):
    unsigned = make_client(fake, signature_version=UNSIGNED)
    with pytest.raises(ClientError) as caught:
        unsigned.converse(modelId=CLAUDE, messages=MESSAGES)
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    raw = urllib.request.Request(
        f"{fake.root_url}/model/x/converse", data=b"{}", method="POST",
        headers={"authorization": "Bearer nope", "x-amz-date": "20250101T000000Z"})
    with pytest.raises(urllib.error.HTTPError) as http_error:
        urllib.request.urlopen(raw, timeout=10)
    assert http_error.value.code == 403
    assert http_error.value.headers["x-amzn-errortype"].startswith("UnrecognizedClientException")
    assert json.loads(http_error.value.read()) == {"message": "The security token included in the request is invalid."}


def test_recorded_authorization_parses(client, fake):
    converse(client, NOVA)
    parsed = parse_authorization(fake.requests()[0]["authorization"])
    assert (parsed.access_key, parsed.region, parsed.service) == (ACCESS_KEY, REGION, "bedrock")


# --- InvokeModel for embedding models (Titan Text Embeddings, Cohere Embed) -----------------------------


def invoke_json(client, model: str, body: dict) -> tuple[dict, dict]:
    response = client.invoke_model(modelId=model, body=json.dumps(body), contentType="application/json",
                                   accept="application/json")
    return json.loads(response["body"].read()), response["ResponseMetadata"]["HTTPHeaders"]


def test_invoke_titan_embeddings_v2(client):
    answer, headers = invoke_json(client, "amazon.titan-embed-text-v2:0",
                                  {"inputText": "three little words", "dimensions": 256, "normalize": True})
    assert len(answer["embedding"]) == 256
    assert abs(sum(v * v for v in answer["embedding"]) - 1) < 1e-4, "normalised"
    assert answer["inputTextTokenCount"] == 3
    assert headers["x-amzn-bedrock-input-token-count"] == "3"


def test_invoke_cohere_embed_by_type_and_plain(client):
    by_type, headers = invoke_json(client, "cohere.embed-english-v3", {
        "texts": ["a b", "c"], "input_type": "search_document", "embedding_types": ["float"]})
    assert [len(v) for v in by_type["embeddings"]["float"]] == [1024, 1024]
    assert headers["x-amzn-bedrock-input-token-count"] == "3"
    plain, _ = invoke_json(client, "cohere.embed-english-v3", {"texts": ["a b"], "input_type": "search_query"})
    assert plain["embeddings"] == [by_type["embeddings"]["float"][0]], "same text, same vector"


def test_invoke_errors_are_client_errors(client):
    with pytest.raises(botocore.exceptions.ClientError) as bad:
        invoke_json(client, "amazon.titan-embed-text-v2:0", {"inputText": "x", "dimensions": 300})
    assert bad.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as throttled:
        invoke_json(client, "amazon.titan-embed-text-v2:0-status-429", {"inputText": "x"})
    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"

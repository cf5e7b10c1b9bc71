"""Rejections and upstream errors reach the SDK as the right OpenAI exception, status and error code."""

from __future__ import annotations

import json

import httpx2 as httpx
import openai
import pytest
from openai import OpenAI

from conftest import avoid_minute_boundary, gateway_config

HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture(scope="module")
def key(gw) -> str:
    return gw.create_key("errors", label="error-tests")


def sdk(gw, api_key: str) -> OpenAI:
    return OpenAI(base_url=gw.base_url, api_key=api_key, max_retries=0)


def post(gw, body: bytes, key: str | None, path: str = "/v1/chat/completions") -> httpx.Response:
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return httpx.post(gw.root + path, content=body, headers=headers, timeout=30)


# MARK: authentication


def test_missing_key_is_401(gw, fake):
    response = httpx.post(gw.base_url + "/chat/completions", json={"model": "chat", "messages": HELLO}, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert fake.requests() == []


def test_missing_key_via_sdk_is_authentication_error(gw):
    client = OpenAI(base_url=gw.base_url, api_key="placeholder", max_retries=0,
                    default_headers={"Authorization": ""})
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="chat", messages=HELLO)
    assert caught.value.status_code == 401


def test_wrong_key_is_401_invalid_api_key(gw, fake):
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk(gw, "sk-sb-not-a-real-key").chat.completions.create(model="chat", messages=HELLO)
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert caught.value.response.headers.get("x-request-id")
    assert fake.requests() == []


def test_expired_key_is_401(gw):
    expired = gw.create_key("errors", expires="2020-01-01")
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk(gw, expired).chat.completions.create(model="chat", messages=HELLO)
    assert caught.value.code == "invalid_api_key"


def test_revoked_key_is_401_immediately(gateway, fake):
    gw = gateway(gateway_config(fake.base_url))  # keys not cached: revocation shows at once
    revocable = gw.create_key("revoke-me", label="revocable")
    client = sdk(gw, revocable)
    assert client.chat.completions.create(model="chat", messages=HELLO).choices[0].message.content
    listing = gw.cli("keys", "list", "--tenant", "revoke-me", check=True).stdout.splitlines()
    rows = [line.split() for line in listing[1:] if line.strip()]
    assert len(rows) == 1 and rows[0][3] == "active"
    key_id = rows[0][0]
    assert key_id.startswith("key_")
    gw.cli("keys", "revoke", key_id, check=True)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="chat", messages=HELLO)
    assert caught.value.code == "invalid_api_key"
    listing = gw.cli("keys", "list", "--tenant", "revoke-me", check=True).stdout.splitlines()
    assert listing[1].split()[3] == "disabled"
    gw.cli("keys", "enable", key_id, check=True)
    assert client.chat.completions.create(model="chat", messages=HELLO).choices[0].message.content


# MARK: authorisation and routing


def test_model_outside_the_key_models_is_403(gw, fake):
    limited = gw.create_key("errors", models="mock")
    client = sdk(gw, limited)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(model="chat", messages=HELLO)
    assert caught.value.status_code == 403
    assert caught.value.code == "model_not_allowed"
    assert fake.requests() == []
    assert client.chat.completions.create(model="mock", messages=HELLO).model == "mock"


def test_unknown_model_is_404_model_not_found(gw, key, fake):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(gw, key).chat.completions.create(model="no-such-alias", messages=HELLO)
    assert caught.value.status_code == 404
    assert caught.value.code == "model_not_found"
    assert fake.requests() == []


def test_unknown_path_is_404_json(gw, key):
    response = httpx.get(gw.base_url + "/no-such-endpoint", headers={"authorization": f"Bearer {key}"}, timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"


def test_models_need_a_key(gw):
    with pytest.raises(openai.AuthenticationError):
        sdk(gw, "sk-wrong").models.list()


# MARK: request bodies


def test_body_over_default_limit_is_413(gw, key, fake):
    big = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "x" * (5 * 1024 * 1024)}]})
    response = post(gw, big.encode(), key)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert fake.requests() == []


def test_body_over_configured_limit_is_413(gateway, fake):
    small = gateway(gateway_config(fake.base_url, extra="server: { max_body_bytes: 2048 }"))
    key = small.create_key("errors")
    ok = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "x" * 1000}]}).encode()
    assert post(small, ok, key).status_code == 200
    big = json.dumps({"model": "chat", "messages": [{"role": "user", "content": "x" * 3000}]}).encode()
    response = post(small, big, key)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    with pytest.raises(openai.APIStatusError) as caught:
        sdk(small, key).chat.completions.create(model="chat", messages=[{"role": "user", "content": "y" * 3000}])
    assert caught.value.status_code == 413


def test_deeply_nested_json_is_400(gw, key, fake):
    nested = "[" * 100 + "]" * 100
    body = '{"model": "chat", "messages": [{"role": "user", "content": "hi"}], "extra": ' + nested + "}"
    response = post(gw, body.encode(), key)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert fake.requests() == []


def test_invalid_json_is_400_invalid_json(gw, key, fake):
    response = post(gw, b'{"model": "chat", "messages": [', key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert fake.requests() == []


# MARK: upstream errors


def test_upstream_400_is_returned_at_once_without_retry(gw, key, fake):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(gw, key).chat.completions.create(model="bad", messages=HELLO)
    assert caught.value.status_code == 400
    assert len(fake.requests()) == 1


# MARK: rate limits


def test_per_key_rpm(gw, fake):
    limited = gw.create_key("rpm-tenant", rpm=3)
    client = sdk(gw, limited)
    avoid_minute_boundary()
    request_ids = []
    for remaining in ("2", "1", "0"):
        raw = client.chat.completions.with_raw_response.create(model="chat", messages=HELLO)
        assert raw.headers["x-ratelimit-limit-requests"] == "3"
        assert raw.headers["x-ratelimit-remaining-requests"] == remaining
        request_ids.append(raw.headers["x-request-id"])
    for _ in range(2):
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="chat", messages=HELLO)
        error = caught.value
        assert error.status_code == 429
        assert error.code == "rate_limit_exceeded"
        retry_after = error.response.headers["retry-after"]
        assert retry_after.isdigit() and 1 <= int(retry_after) <= 60
        assert error.response.headers["x-ratelimit-remaining-requests"] == "0"
        request_ids.append(error.response.headers["x-request-id"])
    assert len(fake.requests()) == 3

    events = gw.wait_for_events(lambda evs: len(evs) >= 5, tenant="rpm-tenant")
    assert [e["request_id"] for e in events] == request_ids
    assert [e["http_status"] for e in events] == [200, 200, 200, 429, 429]
    assert [e["outcome"] for e in events] == ["success"] * 3 + ["error"] * 2


def test_rejected_requests_do_not_consume_quota(gateway, fake):
    """A request refused by the key's limit must not use up the tenant's shared budget."""
    small = gateway(gateway_config(fake.base_url, limits="{ rpm: 5 }"))
    strict = sdk(small, small.create_key("shared", rpm=3))
    other = sdk(small, small.create_key("shared"))
    avoid_minute_boundary()
    for _ in range(3):
        strict.chat.completions.create(model="chat", messages=HELLO)
    for _ in range(3):
        with pytest.raises(openai.RateLimitError):
            strict.chat.completions.create(model="chat", messages=HELLO)
    # The tenant used 3 of 5: the other key still has 2.
    remaining = [
        other.chat.completions.with_raw_response.create(model="chat", messages=HELLO).headers[
            "x-ratelimit-remaining-requests"]
        for _ in range(2)
    ]
    assert remaining == ["1", "0"]
    with pytest.raises(openai.RateLimitError):
        other.chat.completions.create(model="chat", messages=HELLO)


def test_daily_quota_survives_a_restart(gateway, fake):
    from conftest import gateway_config
    gw = gateway(gateway_config(fake.base_url))
    key = gw.create_key("daily", rpd=2)
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    for _ in range(2):
        client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}])
    restarted = gateway.restart(gw)
    again = OpenAI(base_url=restarted.base_url, api_key=key, max_retries=0)
    with pytest.raises(openai.RateLimitError):
        again.chat.completions.create(model="chat", messages=[{"role": "user", "content": "third"}])

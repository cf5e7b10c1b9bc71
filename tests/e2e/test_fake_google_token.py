"""The fake Google OAuth token endpoint (`POST /token`, JWT-bearer grant) is proven against `google-auth`.

The fake verifies the RS256 assertion with the test service account's key (`--google-service-account`).
"""

from __future__ import annotations

import base64
import datetime
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import google.auth.exceptions
import pytest
import requests
from conftest import FIXTURES, GOOGLE_SERVICE_ACCOUNT, find_binary, start_server
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from google.auth.transport.requests import Request as GoogleRequest
from google.oauth2 import service_account
from openai import OpenAI

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCOUNT = json.loads(GOOGLE_SERVICE_ACCOUNT.read_text())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(claims: dict, key=None, header: dict | None = None) -> str:
    """A compact RS256 JWT signed with `key` (default: the test service account's private key)."""
    if key is None:
        key = serialization.load_pem_private_key(ACCOUNT["private_key"].encode(), password=None)
    header = header or {"alg": "RS256", "typ": "JWT", "kid": ACCOUNT["private_key_id"]}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def claims_for(fake, **overrides) -> dict:
    now = int(time.time())
    claims = {"iss": ACCOUNT["client_email"], "scope": SCOPE, "aud": f"{fake.root_url}/token", "iat": now,
              "exp": now + 3600}
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def exchange(root_url: str, assertion: str, grant_type: str = JWT_BEARER) -> tuple[int, dict]:
    body = urllib.parse.urlencode({"grant_type": grant_type, "assertion": assertion}).encode()
    request = urllib.request.Request(
        f"{root_url}/token", data=body, method="POST", headers={"content-type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_google_auth_service_account_credentials_get_a_token(fake):
    info = {**ACCOUNT, "token_uri": f"{fake.root_url}/token"}
    credentials = service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])
    credentials.refresh(GoogleRequest(requests.Session()))
    assert credentials.token == "ya29.fake-1"
    assert credentials.valid
    now = datetime.datetime.now(datetime.timezone.utc)
    expiry = credentials.expiry
    if expiry.tzinfo is None:  # google-auth keeps naive UTC datetimes
        expiry = expiry.replace(tzinfo=datetime.timezone.utc)
    assert 3000 < (expiry - now).total_seconds() <= 3599  # expires_in 3599
    credentials.refresh(GoogleRequest(requests.Session()))
    assert credentials.token == "ya29.fake-2"
    assert fake.token_count() == 2

    # The exchanges are in the request log, with the form body as sent.
    recorded = [r for r in fake.requests() if r["path"] == "/token"]
    assert len(recorded) == 2
    form = urllib.parse.parse_qs(recorded[0]["raw_body"])
    assert form["grant_type"] == [JWT_BEARER]
    assert recorded[0]["body"] is None  # not JSON
    assert recorded[0]["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_hand_signed_jwt_is_exchanged_for_a_bearer_token(fake):
    status, body = exchange(fake.root_url, sign_jwt(claims_for(fake)))
    assert status == 200
    assert body == {"access_token": "ya29.fake-1", "expires_in": 3599, "token_type": "Bearer"}


def test_googles_own_audience_is_accepted_too(fake):
    status, body = exchange(fake.root_url, sign_jwt(claims_for(fake, aud=ACCOUNT["token_uri"])))
    assert (status, body["token_type"]) == (200, "Bearer")


def test_reset_restarts_the_token_counter(fake):
    exchange(fake.root_url, sign_jwt(claims_for(fake)))
    assert fake.token_count() == 1
    fake.reset()
    assert fake.token_count() == 0
    assert exchange(fake.root_url, sign_jwt(claims_for(fake)))[1]["access_token"] == "ya29.fake-1"


def tampered(assertion: str) -> str:
    header, claims, signature = assertion.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    payload["scope"] += " https://www.googleapis.com/auth/admin"
    return f"{header}.{b64url(json.dumps(payload).encode())}.{signature}"


def test_tampered_or_foreign_signatures_are_invalid_grants(fake):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for assertion in (tampered(sign_jwt(claims_for(fake))), sign_jwt(claims_for(fake), key=other_key)):
        status, body = exchange(fake.root_url, assertion)
        assert (status, body) == (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    assert fake.token_count() == 0


def test_published_vector_signature_verifies_but_it_has_expired(fake):
    vector = json.loads((FIXTURES / "google-jwt-bearer-vector.json").read_text())
    status, body = exchange(fake.root_url, vector["assertion"])
    assert (status, body["error"]) == (400, "invalid_grant")
    assert "iat and exp" in body["error_description"]  # past the signature check: it expired in 2023
    header, claims, signature = vector["assertion"].split(".")
    broken = f"{header}.{claims}.{signature[:-4]}AAAA"
    assert exchange(fake.root_url, broken)[1]["error_description"] == "Invalid JWT Signature."


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"aud": "https://example.com/token"}, "invalid_grant"),
        ({"exp": int(time.time()) - 10, "iat": int(time.time()) - 100}, "invalid_grant"),
        ({"exp": int(time.time()) + 7200}, "invalid_grant"),
        ({"iss": "someone@else.iam.gserviceaccount.com"}, "invalid_grant"),
        ({"scope": None}, "invalid_scope"),
    ],
)
def test_bad_claims_are_rejected(fake, overrides, error):
    status, body = exchange(fake.root_url, sign_jwt(claims_for(fake, **overrides)))
    assert (status, body["error"]) == (400, error)
    assert body["error_description"]


def test_wrong_grant_type_and_garbage_assertions(fake):
    assert exchange(fake.root_url, sign_jwt(claims_for(fake)), grant_type="client_credentials")[1]["error"] == (
        "unsupported_grant_type")
    assert exchange(fake.root_url, "not-a-jwt") == (
        400, {"error": "invalid_grant", "error_description": "Invalid JWT: malformed assertion"})
    unsigned = sign_jwt(claims_for(fake), header={"alg": "none"})
    assert exchange(fake.root_url, unsigned)[1]["error_description"] == "Invalid JWT Signature."


def test_google_auth_surfaces_the_invalid_grant(fake):
    info = {**ACCOUNT, "token_uri": f"{fake.root_url}/token", "client_email": "someone@else.iam.gserviceaccount.com"}
    credentials = service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])
    with pytest.raises(google.auth.exceptions.RefreshError) as caught:
        credentials.refresh(GoogleRequest(requests.Session()))
    assert "invalid_grant" in str(caught.value)


def test_token_ttl_option_and_missing_service_account():
    binary = find_binary("switchboard-fake-upstream")
    short = start_server(binary, "--port", "0", "--google-service-account", str(GOOGLE_SERVICE_ACCOUNT),
                         "--google-token-ttl", "120")
    bare = start_server(binary, "--port", "0")
    try:
        claims = {"iss": ACCOUNT["client_email"], "scope": SCOPE, "aud": ACCOUNT["token_uri"],
                  "iat": int(time.time()), "exp": int(time.time()) + 600}
        assert exchange(short.root_url, sign_jwt(claims))[1]["expires_in"] == 120
        status, body = exchange(bare.root_url, sign_jwt(claims))
        assert status == 500
        assert "--google-service-account" in body["error_description"]
    finally:
        short.stop()
        bare.stop()


def test_openai_routes_accept_the_google_bearer_token_and_record_it(fake):
    status, body = exchange(fake.root_url, sign_jwt(claims_for(fake)))
    token = body["access_token"]
    client = OpenAI(base_url=fake.base_url, api_key=token, max_retries=0)
    reply = client.chat.completions.create(model="gemini-test", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "You said: hi"
    chat = [r for r in fake.requests() if r["path"] == "/v1/chat/completions"]
    assert [r["authorization"] for r in chat] == ["Bearer ya29.fake-1"]

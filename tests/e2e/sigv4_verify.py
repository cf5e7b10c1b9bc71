"""Verifies the AWS Signature Version 4 of a request recorded by the fake upstream (`GET /_fake/requests`).

The signature is recomputed with botocore's own signer (`botocore.auth.SigV4Auth`) on an `AWSRequest` rebuilt
from the recorded method, path and query (exactly as sent on the wire), the signed headers, the raw body and the
request's own `x-amz-date`, then compared with the `Signature=` of the recorded `authorization` header.

    from sigv4_verify import assert_sigv4, verify_sigv4

    result = verify_sigv4(recorded, secret_key="...")        # SigV4Check; result.valid, result.problems
    assert_sigv4(recorded, secret_key="...", access_key="AKID...", region="us-east-1", service="bedrock")

Used by the fake's own proof (boto3 → fake) and, later, to check the gateway's signatures.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<access_key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
    r"/aws4_request, ?SignedHeaders=(?P<signed_headers>[^,]+), ?Signature=(?P<signature>[0-9a-f]{64})$"
)
UNSIGNED_PAYLOADS = {"UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}


@dataclass
class ParsedAuthorization:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str


@dataclass
class SigV4Check:
    """The outcome: `valid` is True only when `problems` is empty."""

    authorization: ParsedAuthorization | None
    expected_signature: str | None = None
    canonical_request: str | None = None
    string_to_sign: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        lines = [*self.problems]
        if self.canonical_request is not None:
            lines += ["canonical request:", self.canonical_request, "string to sign:", self.string_to_sign or ""]
        return "\n".join(lines)


def parse_authorization(value: str) -> ParsedAuthorization | None:
    """Splits `AWS4-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/aws4_request, SignedHeaders=…, Signature=…`."""
    match = AUTHORIZATION.match(value.strip())
    if match is None:
        return None
    return ParsedAuthorization(
        access_key=match["access_key"],
        date=match["date"],
        region=match["region"],
        service=match["service"],
        signed_headers=match["signed_headers"].split(";"),
        signature=match["signature"],
    )


def raw_body(recorded: dict[str, Any]) -> bytes:
    """The exact request body bytes from a recorded request (`raw_body`, or `raw_body_base64` for non-UTF-8)."""
    if recorded.get("raw_body_base64") is not None:
        return base64.b64decode(recorded["raw_body_base64"])
    text = recorded.get("raw_body")
    return text.encode("utf-8") if text is not None else b""


def recorded_url(recorded: dict[str, Any], scheme: str = "http") -> str:
    """`scheme://host/path?query` with the path and query exactly as they were sent."""
    host = recorded["headers"].get("host", "")
    query = recorded.get("query")
    return f"{scheme}://{host}{recorded['path']}" + (f"?{query}" if query is not None else "")


def verify_sigv4(
    recorded: dict[str, Any],
    *,
    secret_key: str,
    access_key: str | None = None,
    session_token: str | None = None,
    region: str | None = None,
    service: str | None = None,
    scheme: str = "http",
) -> SigV4Check:
    """Recomputes the recorded request's SigV4 signature with `secret_key` and reports every mismatch.

    `access_key`, `session_token`, `region` and `service`, when given, must also match what was signed.
    `scheme` is the one the request was sent with (botocore signs payloads of plain-HTTP requests always).
    """
    headers: dict[str, str] = recorded["headers"]
    authorization = recorded.get("authorization") or headers.get("authorization")
    if not authorization:
        return SigV4Check(None, problems=["no authorization header"])
    parsed = parse_authorization(authorization)
    if parsed is None:
        return SigV4Check(None, problems=[f"not a SigV4 authorization header: {authorization!r}"])

    check = SigV4Check(parsed)
    timestamp = headers.get("x-amz-date")
    if timestamp is None:
        check.problems.append("no x-amz-date header")
        return check
    if not timestamp.startswith(parsed.date):
        check.problems.append(f"credential date {parsed.date} does not match x-amz-date {timestamp}")
    for name in ("host", "x-amz-date"):
        if name not in parsed.signed_headers:
            check.problems.append(f"{name} is not signed")
    missing = [name for name in parsed.signed_headers if name not in headers]
    if missing:
        check.problems.append(f"signed headers missing from the request: {missing}")
        return check
    for label, wanted, actual in (
        ("access key", access_key, parsed.access_key),
        ("region", region, parsed.region),
        ("service", service, parsed.service),
    ):
        if wanted is not None and wanted != actual:
            check.problems.append(f"{label} {actual!r} is not the expected {wanted!r}")
    if session_token is not None and headers.get("x-amz-security-token") != session_token:
        check.problems.append("x-amz-security-token is not the expected session token")

    body = raw_body(recorded)
    declared_hash = headers.get("x-amz-content-sha256")
    if declared_hash is not None and declared_hash not in UNSIGNED_PAYLOADS:
        if declared_hash != hashlib.sha256(body).hexdigest():
            check.problems.append("x-amz-content-sha256 is not the SHA-256 of the body")

    request = AWSRequest(
        method=recorded["method"],
        url=recorded_url(recorded, scheme),
        headers={name: headers[name] for name in parsed.signed_headers},
        data=body,
    )
    request.context["timestamp"] = timestamp
    signer = SigV4Auth(Credentials(parsed.access_key, secret_key, session_token), parsed.service, parsed.region)
    check.canonical_request = signer.canonical_request(request)
    check.string_to_sign = signer.string_to_sign(request, check.canonical_request)
    check.expected_signature = signer.signature(check.string_to_sign, request)
    signed = signer.signed_headers(signer.headers_to_sign(request)).split(";")
    if signed != parsed.signed_headers:
        check.problems.append(f"SignedHeaders {parsed.signed_headers} are not sorted/canonical (expected {signed})")
    if check.expected_signature != parsed.signature:
        check.problems.append(f"signature {parsed.signature} != recomputed {check.expected_signature}")
    return check


def assert_sigv4(recorded: dict[str, Any], *, secret_key: str, **expected: Any) -> SigV4Check:
    """`verify_sigv4`, raising AssertionError with the canonical request when the signature does not verify."""
    check = verify_sigv4(recorded, secret_key=secret_key, **expected)
    assert check.valid, f"SigV4 of {recorded['method']} {recorded['path']} does not verify:\n{check.describe()}"
    return check

"""The fake S3 Vectors service (in `switchboard-fake-upstream`) is proven against boto3's `s3vectors` client.

Every operation `S3VectorsStore` uses is exercised with boto3, error codes and statuses included, and every
request boto3 sent is fetched back from `/_fake/requests` and its SigV4 signature verified with botocore.
Search results are checked against a brute-force cosine reference in Python. Where moto implements the same
operation (everything but QueryVectors), the same boto3 calls are sent to `moto_server` and the outcomes compared;
that part is skipped, with the reason, when `moto_server` is not installed (a failure under scripts/test, which
installs it: SWITCHBOARD_TEST_STRICT=1).
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import skip_or_fail
from sigv4_verify import assert_sigv4

ACCESS_KEY = "AKIDFAKES3VECTORS"
SECRET_KEY = "fake/s3vectors+secret"
REGION = "us-east-1"


def make_client(endpoint: str):
    return boto3.client(
        "s3vectors",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture
def client(fake):
    return make_client(fake.root_url)


@pytest.fixture(autouse=True)
def every_signed_request_verifies(fake):
    """After each test, every SigV4-signed request the fake received must verify with botocore."""
    yield
    for recorded in fake.requests():
        if (recorded.get("authorization") or "").startswith("AWS4-HMAC-SHA256"):
            assert_sigv4(recorded, secret_key=SECRET_KEY, access_key=ACCESS_KEY, region=REGION, service="s3vectors")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(call: Callable[[], Any]) -> tuple[str, int, str]:
    """(code, HTTP status, message) of a call that must fail."""
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def cosine_distance(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return 1.0 if norm == 0 else 1 - dot / norm


def reference_match(metadata: dict[str, Any], condition: dict[str, Any]) -> bool:
    """S3 Vectors' filter semantics, written independently of the fake."""

    def equals(value: Any, operand: Any) -> bool:
        if isinstance(value, list):
            return any(equals(item, operand) for item in value)
        if value is None or isinstance(value, bool) != isinstance(operand, bool):
            return False
        return value == operand

    for key, value in condition.items():
        if key == "$and":
            ok = all(reference_match(metadata, child) for child in value)
        elif key == "$or":
            ok = any(reference_match(metadata, child) for child in value)
        elif not isinstance(value, dict):
            ok = equals(metadata.get(key), value)
        else:
            ok = True
            field = metadata.get(key)
            for op, operand in value.items():
                number = isinstance(field, (int, float)) and not isinstance(field, bool)
                ok = ok and {
                    "$eq": lambda: equals(field, operand),
                    "$ne": lambda: not equals(field, operand),
                    "$in": lambda: any(equals(field, item) for item in operand),
                    "$nin": lambda: not any(equals(field, item) for item in operand),
                    "$exists": lambda: (key in metadata and metadata[key] is not None) == operand,
                    "$gt": lambda: number and field > operand,
                    "$gte": lambda: number and field >= operand,
                    "$lt": lambda: number and field < operand,
                    "$lte": lambda: number and field <= operand,
                }[op]()
        if not ok:
            return False
    return True


# MARK: buckets and indexes


def test_vector_buckets_are_created_once_and_found_by_name(client):
    bucket = unique("bkt")
    created = client.create_vector_bucket(vectorBucketName=bucket)
    assert created["vectorBucketArn"] == f"arn:aws:s3vectors:{REGION}:123456789012:bucket/{bucket}"
    got = client.get_vector_bucket(vectorBucketName=bucket)["vectorBucket"]
    assert got["vectorBucketName"] == bucket and got["vectorBucketArn"] == created["vectorBucketArn"]
    assert got["creationTime"].year >= 2024  # a timestamp boto3 parsed
    assert error_of(lambda: client.create_vector_bucket(vectorBucketName=bucket))[:2] == ("ConflictException", 409)
    assert error_of(lambda: client.get_vector_bucket(vectorBucketName=unique("nope")))[:2] == ("NotFoundException", 404)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_vector_bucket(vectorBucketName=unique("nope"))
    assert error_of(lambda: client.create_vector_bucket(vectorBucketName="Upper_Case"))[:2] == (
        "ValidationException",
        400,
    )


def test_indexes_keep_dimension_metric_and_non_filterable_keys(client):
    bucket = unique("bkt")
    client.create_vector_bucket(vectorBucketName=bucket)
    created = client.create_index(
        vectorBucketName=bucket, indexName="sb-docs", dataType="float32", dimension=3, distanceMetric="cosine",
        metadataConfiguration={"nonFilterableMetadataKeys": ["_text"]},
    )
    assert created["indexArn"].endswith(f":bucket/{bucket}/index/sb-docs")
    index = client.get_index(vectorBucketName=bucket, indexName="sb-docs")["index"]
    assert {k: index[k] for k in ("vectorBucketName", "indexName", "dataType", "dimension", "distanceMetric")} == {
        "vectorBucketName": bucket, "indexName": "sb-docs", "dataType": "float32", "dimension": 3,
        "distanceMetric": "cosine",
    }
    assert index["metadataConfiguration"] == {"nonFilterableMetadataKeys": ["_text"]}
    assert index["indexArn"] == created["indexArn"]
    # The index can also be named by its ARN.
    assert client.get_index(indexArn=created["indexArn"])["index"]["indexName"] == "sb-docs"

    def create(**overrides):
        arguments = dict(vectorBucketName=bucket, indexName="sb-docs", dataType="float32", dimension=3,
                         distanceMetric="cosine")
        return lambda: client.create_index(**{**arguments, **overrides})

    assert error_of(create())[:2] == ("ConflictException", 409)
    assert error_of(create(vectorBucketName=unique("nope")))[:2] == ("NotFoundException", 404)
    assert error_of(create(indexName="other", dimension=5000))[:2] == ("ValidationException", 400)
    assert error_of(create(indexName="Bad_Name"))[:2] == ("ValidationException", 400)
    assert error_of(lambda: client.get_index(vectorBucketName=bucket, indexName="absent"))[:2] == (
        "NotFoundException",
        404,
    )
    client.delete_index(vectorBucketName=bucket, indexName="sb-docs")
    assert error_of(lambda: client.get_index(vectorBucketName=bucket, indexName="sb-docs"))[0] == "NotFoundException"


# MARK: vectors


@pytest.fixture
def index(client) -> tuple[str, str]:
    bucket = unique("bkt")
    client.create_vector_bucket(vectorBucketName=bucket)
    client.create_index(
        vectorBucketName=bucket, indexName="idx", dataType="float32", dimension=3, distanceMetric="cosine",
        metadataConfiguration={"nonFilterableMetadataKeys": ["_text"]},
    )
    return bucket, "idx"


def test_vectors_are_put_got_listed_and_deleted(client, index):
    bucket, name = index
    at = dict(vectorBucketName=bucket, indexName=name)
    vectors = [
        {"key": "doc#0", "data": {"float32": [1.0, 0.0, 0.5]},
         "metadata": {"_doc": "doc", "_chunk": 0, "_count": 2, "_text": "hello", "tags": ["a", "b"], "ok": True}},
        {"key": "doc#1", "data": {"float32": [0.25, 1.0, 0.0]}, "metadata": {"_doc": "doc", "_chunk": 1}},
        {"key": "plain", "data": {"float32": [0.0, 0.0, 1.0]}},
    ]
    client.put_vectors(**at, vectors=vectors)
    got = client.get_vectors(**at, keys=["doc#0", "missing", "plain"], returnData=True, returnMetadata=True)["vectors"]
    assert got == [
        {"key": "doc#0", "data": {"float32": [1.0, 0.0, 0.5]}, "metadata": vectors[0]["metadata"]},
        {"key": "plain", "data": {"float32": [0.0, 0.0, 1.0]}},
    ]
    assert client.get_vectors(**at, keys=["doc#1"])["vectors"] == [{"key": "doc#1"}]
    # Overwrite by key.
    client.put_vectors(**at, vectors=[{"key": "plain", "data": {"float32": [0.0, 2.0, 0.0]}, "metadata": {"n": 1}}])
    assert client.get_vectors(**at, keys=["plain"], returnMetadata=True)["vectors"] == [
        {"key": "plain", "metadata": {"n": 1}}
    ]
    # Listing, paginated.
    first = client.list_vectors(**at, maxResults=2)
    second = client.list_vectors(**at, maxResults=2, nextToken=first["nextToken"])
    assert [v["key"] for v in first["vectors"] + second["vectors"]] == ["doc#0", "doc#1", "plain"]
    assert "nextToken" not in second
    segments = [client.list_vectors(**at, segmentCount=2, segmentIndex=i)["vectors"] for i in range(2)]
    assert sorted(v["key"] for v in segments[0] + segments[1]) == ["doc#0", "doc#1", "plain"]
    # Deleting (absent keys are ignored).
    client.delete_vectors(**at, keys=["doc#1", "never-there"])
    assert [v["key"] for v in client.list_vectors(**at)["vectors"]] == ["doc#0", "plain"]


def test_vector_operations_are_validated_like_the_service(client, index):
    bucket, name = index
    at = dict(vectorBucketName=bucket, indexName=name)
    code, status, message = error_of(
        lambda: client.put_vectors(**at, vectors=[{"key": "short", "data": {"float32": [1.0, 0.0]}}]))
    assert (code, status) == ("ValidationException", 400) and "length 3" in message
    too_many = [{"key": f"k{n}", "data": {"float32": [1.0, 0.0, 0.0]}} for n in range(501)]
    assert error_of(lambda: client.put_vectors(**at, vectors=too_many))[:2] == ("ValidationException", 400)
    assert error_of(lambda: client.get_vectors(**at, keys=[f"k{n}" for n in range(101)]))[:2] == (
        "ValidationException",
        400,
    )
    assert error_of(lambda: client.delete_vectors(**at, keys=[f"k{n}" for n in range(501)]))[:2] == (
        "ValidationException",
        400,
    )
    missing = dict(vectorBucketName=bucket, indexName="absent")
    for call in (
        lambda: client.put_vectors(**missing, vectors=[{"key": "k", "data": {"float32": [1.0, 0.0, 0.0]}}]),
        lambda: client.get_vectors(**missing, keys=["k"]),
        lambda: client.delete_vectors(**missing, keys=["k"]),
        lambda: client.list_vectors(**missing),
        lambda: client.query_vectors(**missing, topK=1, queryVector={"float32": [1.0, 0.0, 0.0]}),
    ):
        assert error_of(call)[:2] == ("NotFoundException", 404)


def test_unsigned_requests_are_refused(fake):
    request = urllib.request.Request(
        f"{fake.root_url}/GetVectorBucket", data=b'{"vectorBucketName":"abc"}', method="POST",
        headers={"content-type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 403
    assert raised.value.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert "message" in json.loads(raised.value.read())


# MARK: queries


def test_queries_return_the_exact_nearest_neighbours_with_distances_and_metadata(client, index):
    bucket, name = index
    at = dict(vectorBucketName=bucket, indexName=name)
    rng = random.Random(11)
    stored = {}
    for n in range(120):
        vector = [round(rng.uniform(-1, 1), 4) for _ in range(3)]
        stored[f"v{n:03d}"] = (vector, {"n": n, "_text": f"text {n}"})
    items = [{"key": k, "data": {"float32": v}, "metadata": m} for k, (v, m) in stored.items()]
    client.put_vectors(**at, vectors=items)
    query = [0.3, -0.7, 0.2]
    answer = client.query_vectors(**at, topK=7, queryVector={"float32": query}, returnDistance=True,
                                  returnMetadata=True)
    assert answer["distanceMetric"] == "cosine"
    expected = sorted(stored, key=lambda k: (cosine_distance(query, stored[k][0]), k))[:7]
    assert [v["key"] for v in answer["vectors"]] == expected
    for vector in answer["vectors"]:
        assert vector["distance"] == pytest.approx(cosine_distance(query, stored[vector["key"]][0]), abs=1e-5)
        assert vector["metadata"] == stored[vector["key"]][1]
    bare = client.query_vectors(**at, topK=2, queryVector={"float32": query})["vectors"]
    assert bare == [{"key": expected[0]}, {"key": expected[1]}]
    assert len(client.query_vectors(**at, topK=100, queryVector={"float32": query})["vectors"]) == 100
    assert error_of(lambda: client.query_vectors(**at, topK=101, queryVector={"float32": query}))[:2] == (
        "ValidationException",
        400,
    )
    assert error_of(lambda: client.query_vectors(**at, topK=3, queryVector={"float32": [1.0, 0.0]}))[:2] == (
        "ValidationException",
        400,
    )


FILTERS = [
    {"genre": "drama"},
    {"genre": {"$eq": "drama"}},
    {"genre": {"$ne": "drama"}},
    {"year": {"$gte": 2010, "$lt": 2015}},
    {"year": {"$gt": 2020}},
    {"year": {"$lte": 2003}, "draft": True},
    {"genre": {"$in": ["comedy", "news"]}, "year": {"$gt": 2020}},
    {"genre": {"$nin": ["news"]}},
    {"tags": "featured"},
    {"tags": {"$in": ["featured", "nothing"]}},
    {"tags": {"$ne": "featured"}},
    {"$or": [{"genre": "news"}, {"tags": "featured"}]},
    {"$and": [{"draft": False}, {"genre": {"$nin": ["news"]}}]},
    {"rating": {"$exists": True}},
    {"rating": {"$exists": False}},
    {"$or": [{"rating": {"$gte": 4.5}}, {"$and": [{"genre": "news"}, {"draft": True}]}]},
]


@pytest.mark.parametrize("condition", FILTERS, ids=[json.dumps(f, sort_keys=True) for f in FILTERS])
def test_filters_follow_s3_vectors_semantics(client, index, condition):
    bucket, name = index
    at = dict(vectorBucketName=bucket, indexName=name)
    rng = random.Random(5)
    stored = {}
    for n in range(90):
        metadata = {
            "genre": ["drama", "comedy", "news"][n % 3], "year": 2000 + n % 25, "draft": n % 5 == 0,
            "tags": ["featured", "x"] if n % 4 == 0 else ["x"], "_text": f"chunk {n}",
        }
        if n % 6 == 0:
            metadata["rating"] = 3 + (n % 5) * 0.5
        stored[f"d{n:02d}"] = ([rng.uniform(-1, 1) for _ in range(3)], metadata)
    client.put_vectors(**at, vectors=[{"key": k, "data": {"float32": v}, "metadata": m} for k, (v, m) in stored.items()])
    query = [0.5, 0.5, -0.2]
    got = client.query_vectors(**at, topK=100, queryVector={"float32": query}, filter=condition,
                               returnDistance=True)["vectors"]
    wanted = [k for k in stored if reference_match(stored[k][1], condition)]
    assert wanted, "each filter must select something"
    assert sorted(v["key"] for v in got) == sorted(wanted)
    distances = [v["distance"] for v in got]
    assert distances == sorted(distances)


def test_non_filterable_keys_are_invisible_to_filters_and_bad_filters_are_rejected(client, index):
    bucket, name = index
    at = dict(vectorBucketName=bucket, indexName=name)
    client.put_vectors(**at, vectors=[{"key": "a", "data": {"float32": [1.0, 0.0, 0.0]},
                                       "metadata": {"_text": "body", "lang": "en"}}])
    query = {"float32": [1.0, 0.0, 0.0]}
    assert client.query_vectors(**at, topK=5, queryVector=query, filter={"_text": "body"})["vectors"] == []
    assert [v["key"] for v in client.query_vectors(**at, topK=5, queryVector=query, filter={"lang": "en"})["vectors"]] == ["a"]
    for bad in ({"lang": {"$regex": "e"}}, {"$or": []}, {"year": {"$gt": "2020"}}, {"lang": {"$in": []}}, {}):
        assert error_of(lambda: client.query_vectors(**at, topK=5, queryVector=query, filter=bad))[:2] == (
            "ValidationException",
            400,
        ), bad


# MARK: the same calls against moto


def moto_server_path() -> str | None:
    beside = Path(sys.executable).parent / "moto_server"
    if beside.is_file():
        return str(beside)
    return shutil.which("moto_server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    path = moto_server_path()
    if path is None:
        skip_or_fail("moto_server is not installed (add moto[server] to tests/e2e/requirements.txt)")
    port = free_port()
    process = subprocess.Popen([path, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).read()
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    skip_or_fail(f"moto_server did not start (exit code {process.poll()})")
                time.sleep(0.1)
        yield endpoint
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


def outcome(call: Callable[[], dict]) -> tuple[str, Any]:
    try:
        response = call()
    except ClientError as error:
        return "error", (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"])
    response.pop("ResponseMetadata", None)
    return "ok", response


def script(client, bucket: str) -> list[tuple[str, tuple[str, Any]]]:
    """The operations S3VectorsStore uses, with the errors it handles, in the order it uses them."""
    at = dict(vectorBucketName=bucket, indexName="sb-0123abcd")
    index = dict(at, dataType="float32", dimension=3, distanceMetric="cosine",
                 metadataConfiguration={"nonFilterableMetadataKeys": ["_text"]})
    vectors = [
        {"key": "doc#0", "data": {"float32": [1.0, 0.5, 0.0]},
         "metadata": {"_doc": "doc", "_chunk": 0, "_count": 2, "_text": "a", "genre": "news", "tags": ["x", "y"]}},
        {"key": "doc#1", "data": {"float32": [0.0, 0.5, 1.0]},
         "metadata": {"_doc": "doc", "_chunk": 1, "_text": "b", "year": 2021, "score": 0.5, "draft": False}},
    ]
    steps: list[tuple[str, Callable[[], dict]]] = [
        ("GetVectorBucket missing", lambda: client.get_vector_bucket(vectorBucketName=bucket)),
        ("CreateVectorBucket", lambda: client.create_vector_bucket(vectorBucketName=bucket)),
        ("CreateVectorBucket again", lambda: client.create_vector_bucket(vectorBucketName=bucket)),
        ("GetVectorBucket", lambda: client.get_vector_bucket(vectorBucketName=bucket)),
        ("GetIndex missing", lambda: client.get_index(**at)),
        ("GetVectors without index", lambda: client.get_vectors(**at, keys=["doc#0"], returnMetadata=True)),
        ("CreateIndex", lambda: client.create_index(**index)),
        ("GetIndex", lambda: client.get_index(**at)),
        ("GetVectors before put", lambda: client.get_vectors(**at, keys=["doc#0"], returnMetadata=True)),
        ("PutVectors", lambda: client.put_vectors(**at, vectors=vectors)),
        ("PutVectors wrong dimension",
         lambda: client.put_vectors(**at, vectors=[{"key": "x", "data": {"float32": [1.0]}}])),
        ("GetVectors", lambda: client.get_vectors(**at, keys=["doc#0", "doc#1", "nope"], returnMetadata=True,
                                                  returnData=True)),
        ("DeleteVectors", lambda: client.delete_vectors(**at, keys=["doc#1", "nope"])),
        ("GetVectors after delete", lambda: client.get_vectors(**at, keys=["doc#0", "doc#1"], returnMetadata=True)),
        ("DeleteVectors without index",
         lambda: client.delete_vectors(vectorBucketName=bucket, indexName="absent", keys=["k"])),
        ("CreateIndex without bucket", lambda: client.create_index(**dict(index, vectorBucketName=bucket + "-x"))),
    ]
    return [(name, outcome(call)) for name, call in steps]


# Fields moto leaves out of answers whose model marks them required; the fake sends them like the service.
MOTO_OMITS = {"CreateVectorBucket": {"vectorBucketArn"}, "CreateIndex": {"indexArn"}}


def comparable(name: str, result: tuple[str, Any]) -> tuple[str, Any]:
    kind, value = result
    if kind == "error":
        return result
    value = json.loads(json.dumps(value, default=str))
    for field in MOTO_OMITS.get(name.split(" ")[0], ()):
        value.pop(field, None)
    if "vectorBucket" in value:
        value["vectorBucket"] = {k: value["vectorBucket"][k] for k in ("vectorBucketName", "vectorBucketArn")}
    if "index" in value:
        keys = ("vectorBucketName", "indexName", "indexArn", "dataType", "dimension", "distanceMetric")
        value["index"] = {k: value["index"][k] for k in keys}
    return kind, value


def test_the_fake_answers_like_moto_for_the_operations_moto_has(client, moto_endpoint):
    bucket = unique("cmp")
    ours = script(client, bucket)
    theirs = script(make_client(moto_endpoint), bucket)
    for (name, our), (_, their) in zip(ours, theirs):
        assert comparable(name, our) == comparable(name, their), name
        if our[0] == "ok" and their[0] == "ok":
            # The fake never leaves out what moto sends.
            assert set(their[1]) <= set(our[1]), name
    # Known gap in moto, not in the service or the fake: a second CreateIndex of the same name is accepted.
    assert dict(ours)["CreateVectorBucket again"] == ("error", ("ConflictException", 409))

"""Every vector store the gateway can be configured with (`rag.store`) serves the same RAG API and keeps what
was ingested across a restart: the embedded SQLite index, PostgreSQL with pgvector (the server CI starts,
`SWITCHBOARD_TEST_POSTGRES_URL`), and S3 Vectors (the fake upstream's S3 Vectors service, proven against boto3
and moto in test_fake_s3vectors.py)."""

from __future__ import annotations

import os
import uuid

import httpx2 as httpx
import pytest

from conftest import gateway_config

ROUTES = "  emb: { kind: embedding, targets: [ { provider: mock, model: mock-embed } ] }\n"
DOCS = [
    {"key": "alpha", "text": "Alpha particles are helium nuclei.", "metadata": {"kind": "physics"}},
    {"key": "beta", "text": "Beta decay emits an electron.", "metadata": {"kind": "physics"}},
    {"key": "gamma", "text": "Gamma is the third letter of the Greek alphabet.", "metadata": {"kind": "language"}},
]


def store_config(kind: str, fake) -> tuple[str, dict[str, str]]:
    index = f"i{uuid.uuid4().hex[:12]}"
    base = f"rag: {{ embedding_model: emb, chat_model: mock, index_name: {index}, store: {kind}"
    if kind == "postgres":
        url = os.environ.get("SWITCHBOARD_TEST_POSTGRES_URL")
        if not url:
            pytest.fail("SWITCHBOARD_TEST_POSTGRES_URL is not set: start PostgreSQL with scripts/postgres (scripts/test does)")
        return base + " }", {"SWITCHBOARD_RAG_POSTGRES_URL": url}
    if kind == "s3vectors":
        bucket = f"sb-e2e-{uuid.uuid4().hex[:12]}"
        return (base + f", s3vectors: {{ bucket: {bucket}, region: us-east-1, base_url: \"{fake.root_url}\" }} }}",
                {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "test-secret-not-real"})
    return base + " }", {}


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "s3vectors"])
def test_each_store_answers_and_keeps_its_vectors_across_a_restart(gateway, fake, kind):
    rag, env = store_config(kind, fake)
    gw = gateway(gateway_config(fake.base_url, extra=rag, extra_routes=ROUTES), env=env)
    key = gw.create_key("acme")
    other = gw.create_key("globex")
    headers = {"authorization": f"Bearer {key}"}

    def query(body: dict, auth: dict = headers) -> list[dict]:
        response = httpx.post(f"{gw.base_url}/rag/query", json={"query": "helium alpha particles", **body},
                              headers=auth, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["rag_context"]

    ingested = httpx.post(f"{gw.base_url}/rag/ingest", json={"documents": DOCS}, headers=headers, timeout=30)
    assert ingested.status_code == 200, ingested.text
    first = query({"top_k": 3})
    assert [c["key"] for c in first][0] == "alpha" and len(first) == 3
    assert [c["distance"] for c in first] == sorted(c["distance"] for c in first)
    assert {c["key"] for c in query({"top_k": 3, "filter": {"kind": "language"}})} == {"gamma"}
    assert query({"top_k": 3}, {"authorization": f"Bearer {other}"}) == []

    gw = gateway.restart(gw)
    after = query({"top_k": 3})
    assert [(c["key"], c["chunk"]) for c in after] == [(c["key"], c["chunk"]) for c in first]
    for before, now in zip(first, after):
        assert abs(before["distance"] - now["distance"]) < 1e-4
    deleted = httpx.delete(f"{gw.base_url}/rag/documents/alpha", headers=headers)
    assert deleted.status_code == 200
    assert "alpha" not in {c["key"] for c in query({"top_k": 3})}

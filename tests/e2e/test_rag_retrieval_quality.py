"""Retrieval quality on a real corpus: the project's own documentation, chunked by the gateway, queried with
questions whose answering passage is known. Reports hit rate at k=5.

The embeddings are the built-in mock provider's (feature-hashed words: lexical, not semantic), because no
embedding model can run on the CI machine (no network to fetch weights). So this checks the plumbing end to end
— chunking on boundaries, metadata, storage, exact search, ranking, `rag_context` — on real text, and guards
against regressions; it does not measure semantic quality. Point `SWITCHBOARD_RAG_EMBEDDING_*` at a real model
(see the README) and run it by hand for that."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx

from conftest import REPO_ROOT, gateway_config

CORPUS = ["README.md", "docs/DESIGN.md", "CONTRIBUTING.md", "dashboard/README.md", "bench/README.md"]

# (question, a phrase of the passage that answers it)
QUESTIONS = [
    ("How are the gateway's API keys stored?", "stored only as SHA-256 hashes"),
    ("What does the client get when a stream fails after it started?", "never a silent"),
    ("How do I override the built-in model prices with my own?", "replaces any model's prices"),
    ("How do I check a configuration file for mistakes?", "config check FILE"),
    ("Does the billing dashboard load scripts from outside?", "loads nothing from"),
    ("Are quota counters lost when the gateway restarts?", "every 10 seconds"),
    ("Is an audit event written twice if the consumer crashes?", "idempotently by request id"),
    ("How much latency does the bare proxy alone add?", "bare proxy alone adds"),
    ("What Content-Security-Policy does the dashboard send?", "strict Content-Security-Policy"),
    ("In which order are configuration file, environment variables and flags applied?", "One YAML file"),
    ("How is a target taken out of rotation by the circuit breaker?", "failure_threshold"),
    ("How does an alias pick among weighted targets and fallback aliases?", "weighted targets and ordered fallback"),
]
K = 5
MINIMUM_HIT_RATE = 0.6  # measured 0.75 (9/12) with the mock embeddings; a floor against regressions


def test_hit_rate_at_5_on_the_projects_docs(gateway, fake, capsys):
    gw = gateway(gateway_config(
        fake.base_url, extra="rag: { embedding_model: emb, chat_model: mock, chunk_size: 700, chunk_overlap: 120 }",
        extra_routes="  emb: { kind: embedding, targets: [ { provider: mock, model: mock-embed } ] }\n"))
    key = gw.create_key("docs")
    headers = {"authorization": f"Bearer {key}"}
    documents = [{"key": path, "text": (REPO_ROOT / path).read_text(), "metadata": {"file": Path(path).name}}
                 for path in CORPUS]
    ingested = httpx.post(f"{gw.base_url}/rag/ingest", json={"documents": documents, "index_name": "docs"},
                          headers=headers, timeout=60)
    assert ingested.status_code == 200, ingested.text
    chunks = ingested.json()["chunks"]

    hits = []
    for question, phrase in QUESTIONS:
        assert any(phrase in d["text"] for d in documents), f"the docs no longer contain {phrase!r}: update QUESTIONS"
        answer = httpx.post(f"{gw.base_url}/rag/query", headers=headers, timeout=30,
                            json={"query": question, "index_name": "docs", "top_k": K}).json()
        hits.append(any(phrase in source["chunk"] for source in answer["rag_context"]))
    rate = sum(hits) / len(hits)
    with capsys.disabled():
        print(f"\nRAG retrieval, project docs ({len(CORPUS)} files, {chunks} chunks, mock embeddings): "
              f"hit rate at {K} = {rate:.2f} ({sum(hits)}/{len(hits)}); "
              f"missed: {[q for (q, _), hit in zip(QUESTIONS, hits) if not hit]}")
    assert rate >= MINIMUM_HIT_RATE

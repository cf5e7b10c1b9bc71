"""RAG end to end in embedded mode with fake providers: ingest over HTTP, answers through the official openai SDK
(buffered and streamed), tenant isolation, re-ingestion, asynchronous jobs, validation and audit."""

from __future__ import annotations

import time

import httpx2 as httpx
import openai
import pytest
from openai import OpenAI
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from conftest import gateway_config

RAG_ROUTES = """\
  emb: { kind: embedding, targets: [ { provider: "openai_compatible:fake", model: "embed-fake" } ] }
  emb-mock: { kind: embedding, targets: [ { provider: mock, model: mock-embed } ] }
  emb-mock-large: { kind: embedding, targets: [ { provider: mock, model: mock-embed-large } ] }
"""
RAG_CONFIG = "rag: { embedding_model: emb, chat_model: chat, chunk_size: 200, chunk_overlap: 40 }"

DOCS = [
    {"key": "guide/routing.md", "text": "Aliases route requests to weighted targets. Fallbacks are tried in order "
                                        "when a target fails. " * 3, "metadata": {"topic": "routing", "year": 2024}},
    {"key": "guide/keys.md", "text": "Keys are stored only as SHA-256 hashes. Each key belongs to one tenant.",
     "metadata": {"topic": "security", "year": 2025}},
    {"key": "guide/billing.md", "text": "Every request is priced when its audit event is written.",
     "metadata": {"topic": "billing", "year": 2026, "tags": ["money", "reports"]}},
]


def post(gw, key: str, path: str, body: dict) -> httpx.Response:
    return httpx.post(f"{gw.base_url}{path}", json=body, headers={"authorization": f"Bearer {key}"}, timeout=30)


@pytest.fixture
def rag(gateway, fake):
    gw = gateway(gateway_config(fake.base_url, extra=RAG_CONFIG, extra_routes=RAG_ROUTES))
    return gw, gw.create_key("acme"), gw.create_key("globex")


def ingest(gw, key: str, documents: list[dict], **extra) -> dict:
    response = post(gw, key, "/rag/ingest", {"documents": documents, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_ingest_then_answer_buffered_and_streamed_through_the_sdk(rag, fake):
    gw, acme, _ = rag
    result = ingest(gw, acme, DOCS, index_name="guide")
    assert result["object"] == "rag.ingest" and result["index_name"] == "guide"
    counts = {d["key"]: d["chunks"] for d in result["documents"]}
    assert counts["guide/routing.md"] > 1 and counts["guide/keys.md"] == 1
    assert result["chunks"] == sum(counts.values()) and result["usage"]["prompt_tokens"] > 0

    client = OpenAI(base_url=gw.base_url, api_key=acme, max_retries=0)
    question = DOCS[1]["text"]  # the fake's embeddings hash the text: the same text is at distance 0
    fake.reset()
    completion = client.post("/rag/query", cast_to=ChatCompletion,
                             body={"query": question, "index_name": "guide", "top_k": 2})
    assert completion.object == "chat.completion" and completion.model == "chat"
    assert completion.choices[0].message.content
    context = completion.model_extra["rag_context"]
    assert [c["source"] for c in context] == [1, 2]
    assert context[0]["key"] == "guide/keys.md" and context[0]["chunk"] == DOCS[1]["text"]
    assert abs(context[0]["distance"]) < 1e-4 and context[0]["metadata"] == DOCS[1]["metadata"]
    assert completion.usage.prompt_tokens > 0
    # The upstream got a grounded prompt with the numbered sources and the question.
    chat_calls = [r for r in fake.requests() if r["path"].endswith("/chat/completions")]
    prompt = chat_calls[-1]["body"]["messages"][1]["content"]
    assert prompt.startswith("Sources:\n\n[1] (guide/keys.md)\n" + DOCS[1]["text"])
    assert prompt.endswith("Question: " + question)

    stream = client.post("/rag/query", cast_to=ChatCompletionChunk, stream=True,
                         stream_cls=openai.Stream[ChatCompletionChunk],
                         body={"query": question, "index_name": "guide", "top_k": 1, "stream": True,
                               "stream_options": {"include_usage": True}})
    chunks = list(stream)
    assert chunks[0].model_extra["rag_context"][0]["key"] == "guide/keys.md"
    assert all("rag_context" not in (c.model_extra or {}) for c in chunks[1:])
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert {c.id for c in chunks} == {chunks[0].id} and chunks[0].model == "chat"


def test_filters_and_top_k_are_honoured(rag):
    gw, acme, _ = rag
    ingest(gw, acme, DOCS, embedding_model="emb-mock")
    def context(body: dict) -> list[dict]:
        response = post(gw, acme, "/rag/query", {"query": "keys tenants routing billing", "embedding_model": "emb-mock",
                                                 **body})
        assert response.status_code == 200, response.text
        return response.json()["rag_context"]

    everything = context({"top_k": 20})
    assert {c["key"] for c in everything} == {d["key"] for d in DOCS}
    assert [c["distance"] for c in everything] == sorted(c["distance"] for c in everything)
    assert len(context({"top_k": 1})) == 1
    assert {c["key"] for c in context({"top_k": 20, "filter": {"topic": "security"}})} == {"guide/keys.md"}
    ranged = context({"top_k": 20, "filter": {"year": {"$gte": 2025}, "topic": {"$ne": "billing"}}})
    assert {c["key"] for c in ranged} == {"guide/keys.md"}
    either = context({"top_k": 20, "filter": {"$or": [{"tags": "money"}, {"topic": {"$in": ["routing"]}}]}})
    assert {c["key"] for c in either} == {"guide/billing.md", "guide/routing.md"}
    bad = post(gw, acme, "/rag/query", {"query": "q", "embedding_model": "emb-mock", "filter": {"year": {"$gt": "x"}}})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "filter.year.$gt"
    assert post(gw, acme, "/rag/query", {"query": "q", "top_k": 21}).json()["error"]["param"] == "top_k"


def test_a_tenant_cannot_read_overwrite_or_delete_another_tenants_documents(rag):
    gw, acme, globex = rag
    secret = {"key": "secret", "text": "The launch date is the fourth of July.", "metadata": {}}
    ingest(gw, acme, [secret], index_name="shared")
    seen_by_globex = post(gw, globex, "/rag/query", {"query": secret["text"], "index_name": "shared"}).json()
    assert seen_by_globex["rag_context"] == []
    # Globex writes and deletes the same key in "its" index of the same name: acme's document is untouched.
    ingest(gw, globex, [{"key": "secret", "text": "Globex's own text."}], index_name="shared")
    delete = httpx.delete(f"{gw.base_url}/rag/documents/secret", params={"index_name": "shared"},
                          headers={"authorization": f"Bearer {globex}"})
    assert delete.status_code == 200
    again = httpx.delete(f"{gw.base_url}/rag/documents/secret", params={"index_name": "shared"},
                         headers={"authorization": f"Bearer {globex}"})
    assert again.status_code == 404 and again.json()["error"]["code"] == "document_not_found"
    seen_by_acme = post(gw, acme, "/rag/query", {"query": secret["text"], "index_name": "shared"}).json()
    assert [c["chunk"] for c in seen_by_acme["rag_context"]] == [secret["text"]]


def test_reingesting_a_key_replaces_all_its_chunks_and_keys_may_contain_slashes(rag):
    gw, acme, _ = rag
    long_text = " ".join(f"Paragraph sentence number {i} about the manual." for i in range(40))
    first = ingest(gw, acme, [{"key": "docs/manual.md", "text": long_text}])
    assert first["documents"][0]["chunks"] > 3
    ingest(gw, acme, [{"key": "docs/manual.md", "text": "A short replacement."}])
    context = post(gw, acme, "/rag/query", {"query": "manual", "top_k": 20}).json()["rag_context"]
    assert [(c["key"], c["chunk"]) for c in context] == [("docs/manual.md", "A short replacement.")]
    deleted = httpx.delete(f"{gw.base_url}/rag/documents/docs%2Fmanual.md",
                           headers={"authorization": f"Bearer {acme}"})
    assert deleted.status_code == 200 and deleted.json() == {
        "object": "rag.document.deleted", "key": "docs/manual.md", "index_name": "default", "deleted": True}
    assert post(gw, acme, "/rag/query", {"query": "manual", "top_k": 20}).json()["rag_context"] == []


def wait_for_job(gw, key: str, job_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = httpx.get(f"{gw.base_url}/rag/jobs/{job_id}", headers={"authorization": f"Bearer {key}"}).json()
        if job["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_large_batches_run_as_a_job_with_progress_and_errors(rag):
    gw, acme, globex = rag
    documents = [{"key": f"bulk-{i}", "text": f"Bulk document {i} about topic {i % 5}.", "metadata": {"n": i}}
                 for i in range(30)]
    response = post(gw, acme, "/rag/ingest", {"documents": documents, "index_name": "bulk"})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["object"] == "rag.ingest.job" and job["status"] == "queued" and job["documents_total"] == 30
    assert response.headers["location"] == f"/v1/rag/jobs/{job['id']}"
    assert httpx.get(f"{gw.base_url}/rag/jobs/{job['id']}",
                     headers={"authorization": f"Bearer {globex}"}).status_code == 404
    done = wait_for_job(gw, acme, job["id"])
    assert done["status"] == "succeeded" and done["documents_ingested"] == 30 and done["errors"] == []
    assert done["chunks"] == 30 and done["usage"]["prompt_tokens"] > 0
    job_event = gw.show_request(job["id"])  # the job's own audit event carries its embedding tokens
    assert job_event["path"] == "/v1/rag/ingest" and job_event["prompt_tokens"] == done["usage"]["prompt_tokens"]
    found = post(gw, acme, "/rag/query", {"query": "Bulk document 7 about topic 2.", "index_name": "bulk",
                                          "filter": {"n": 7}}).json()["rag_context"]
    assert [c["key"] for c in found] == ["bulk-7"]

    # The index holds 8-dimensional vectors: a job embedding with a 1536-dimensional model fails per document.
    failing = post(gw, acme, "/rag/ingest", {"documents": documents[:2], "index_name": "bulk", "async": True,
                                             "embedding_model": "emb-mock"}).json()
    failed = wait_for_job(gw, acme, failing["id"])
    assert failed["status"] == "failed" and failed["documents_failed"] == 2
    assert [e["key"] for e in failed["errors"]] == ["bulk-0", "bulk-1"]
    assert "8-dimensional" in failed["errors"][0]["message"]
    # The same mistake in a synchronous request is a 400.
    sync = post(gw, acme, "/rag/ingest", {"documents": documents[:1], "index_name": "bulk",
                                          "embedding_model": "emb-mock"})
    assert sync.status_code == 400 and sync.json()["error"]["code"] == "dimension_mismatch"


def test_validation_errors_name_the_offending_document(rag):
    gw, acme, _ = rag
    response = post(gw, acme, "/rag/ingest", {"documents": [{"key": "a", "text": "ok"}, {"key": "b", "text": ""}]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "documents[1].text" and "key 'b'" in error["message"]
    with pytest.raises(openai.BadRequestError):
        OpenAI(base_url=gw.base_url, api_key=acme).post("/rag/query", cast_to=ChatCompletion, body={"query": ""})
    unknown = post(gw, acme, "/rag/query", {"query": "q", "model": "no-such-alias"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"


def test_ingest_and_query_are_audited_with_their_tokens(rag):
    gw, acme, _ = rag
    ingested = post(gw, acme, "/rag/ingest", {"documents": DOCS[:1]})
    queried = post(gw, acme, "/rag/query", {"query": "weighted targets"})
    ingest_event = gw.show_request(ingested.headers["x-request-id"])
    assert ingest_event["alias"] == "emb" and ingest_event["provider_model"] == "embed-fake"
    assert ingest_event["prompt_tokens"] == ingested.json()["usage"]["prompt_tokens"]
    query_event = gw.show_request(queried.headers["x-request-id"])
    assert query_event["alias"] == "chat" and query_event["provider_model"] == "gpt-fake"
    assert query_event["embedding_model"] == "embed-fake" and query_event["embedding_tokens"] == 2
    assert query_event["prompt_tokens"] == queried.json()["usage"]["prompt_tokens"]
    assert query_event["completion_tokens"] == queried.json()["usage"]["completion_tokens"]
    assert [a["endpoint"] for a in query_event["attempts"]] == ["embeddings", "chat/completions"]

import Foundation
import GatewaySchema
import Testing

@testable import GatewayCore

@Suite struct TextChunkerTests {
    let text = """
        The gateway routes requests by alias. Each alias has weighted targets. Fallbacks are tried in order.

        Keys are stored as SHA-256 hashes. A key belongs to one tenant! Quotas are counted per tenant?
        Yes, and per key too.

        \(String(repeating: "long ", count: 60))end.
        """

    @Test func chunksStayWithinTheSizeAndEndOnSentenceBoundaries() {
        let chunker = TextChunker(size: 120, overlap: 40)
        let chunks = chunker.chunks(of: text)
        #expect(chunks.count >= 4)
        for chunk in chunks { #expect(chunk.count <= 120, "\(chunk.count): \(chunk)") }
        // Every sentence of the first paragraphs appears whole in some chunk.
        for sentence in [
            "The gateway routes requests by alias.", "Keys are stored as SHA-256 hashes.",
            "A key belongs to one tenant!", "Quotas are counted per tenant?",
        ] {
            #expect(chunks.contains { $0.contains(sentence) }, "\(sentence)")
        }
        #expect(chunks[0].hasPrefix("The gateway routes requests by alias."))
        // Nothing is lost: every word of the text is in the chunks.
        let words = Set(text.split(whereSeparator: \.isWhitespace).map(String.init))
        let chunked = Set(chunks.joined(separator: " ").split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(words.isSubset(of: chunked))
    }

    @Test func overlapRepeatsWholeTrailingSentences() {
        let sentences = (1...12).map { "Sentence number \($0) is here." }
        let chunks = TextChunker(size: 100, overlap: 60).chunks(of: sentences.joined(separator: " "))
        #expect(chunks.count > 2)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            // The next chunk starts with a sentence the previous one ended with.
            let first = next.components(separatedBy: ". ").first! + "."
            #expect(previous.contains(first), "\(previous) | \(next)")
            #expect(sentences.contains { next.hasPrefix($0) })
        }
        let none = TextChunker(size: 100, overlap: 0).chunks(of: sentences.joined(separator: " "))
        #expect(none.joined(separator: " ") == sentences.joined(separator: " "))
    }

    @Test func paragraphsAreKeptApartAndWordsLongerThanAChunkAreCut() {
        let chunks = TextChunker(size: 200, overlap: 0).chunks(of: "First paragraph.\n\n\nSecond  paragraph\nwraps.")
        #expect(chunks == ["First paragraph.\n\nSecond paragraph wraps."])
        let word = String(repeating: "x", count: 250)
        #expect(TextChunker(size: 100, overlap: 10).chunks(of: word).map(\.count) == [100, 100, 50])
        #expect(TextChunker().chunks(of: "  \n\n ").isEmpty)
    }
}

@Suite struct RAGIngestRequestTests {
    func parse(_ body: JSONValue) throws -> RAGIngestRequest {
        try RAGIngestRequest(body.objectValue!, defaults: RAGDefaults())
    }

    func message(_ body: JSONValue) -> (String, String?)? {
        do {
            _ = try parse(body)
            return nil
        } catch let error as GatewayError {
            return (error.message, error.param)
        } catch {
            return ("\(error)", nil)
        }
    }

    @Test func readsDocumentsAndDefaults() throws {
        let request = try parse([
            "documents": [["key": "a", "text": "Alpha.", "metadata": ["lang": "en", "tags": ["x", 1]]]],
            "chunk_size": 500, "async": true,
        ])
        #expect(
            request.documents == [RAGDocument(key: "a", text: "Alpha.", metadata: ["lang": "en", "tags": ["x", 1]])])
        #expect(request.indexName == "default" && request.embeddingModel == "text-embedding-3-small")
        #expect(request.chunker == TextChunker(size: 500, overlap: 150) && request.async)
    }

    @Test func errorsNameTheOffendingDocument() {
        let ok: JSONValue = ["key": "ok", "text": "fine"]
        #expect(message(["documents": []])?.1 == "documents")
        #expect(message(["documents": .array(Array(repeating: ok, count: 101))])?.0.contains("1 to 100") == true)
        #expect(
            message(["documents": [ok, ["key": "b", "text": "  "]]])!
                == ("documents[1] (key 'b'): 'text' must be a non-empty string.", "documents[1].text"))
        #expect(message(["documents": [ok, ["text": "x"]]])?.1 == "documents[1].key")
        #expect(
            message(["documents": [ok, ok]])?.0
                == "documents[1] (key 'ok') repeats the key of documents[0]; each key may appear once per request.")
        #expect(
            message(["documents": [["key": "m", "text": "x", "metadata": ["_doc": 1]]]])?.1 == "documents[0].metadata")
        #expect(
            message(["documents": [["key": "m", "text": "x", "metadata": ["nested": ["a": 1]]]]])?.1
                == "documents[0].metadata.nested")
        #expect(message(["documents": [ok], "index_name": "Bad Name"])?.1 == "index_name")
        #expect(message(["documents": [ok], "chunk_size": 50])?.1 == "chunk_size")
        #expect(message(["documents": [ok], "chunk_size": 200, "chunk_overlap": 150])?.1 == "chunk_overlap")
    }
}

@Suite struct RAGQueryRequestTests {
    @Test func validatesAndBuildsAGroundedChatRequest() throws {
        let request = try RAGQueryRequest(
            [
                "query": "How are keys stored?", "model": "smart", "top_k": 3, "filter": ["lang": "en"],
                "system_prompt": "Be brief.", "temperature": 0.2, "max_tokens": 100, "stream": true,
            ], defaults: RAGDefaults())
        #expect(request.topK == 3 && request.filter == .compare(field: "lang", .eq, "en"))
        let sources = [
            VectorMatch(
                documentKey: "README.md", chunkIndex: 2, text: "Keys are hashed.", metadata: [:], distance: 0.25)
        ]
        let body = request.chatBody(sources: sources)
        #expect(body["model"] == "smart" && body["temperature"] == 0.2 && body["max_tokens"] == 100)
        #expect(body["stream_options"]?["include_usage"] == true)
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages[0]["content"]?.stringValue?.hasPrefix("Be brief.\n\nAnswer the question using only") == true)
        #expect(
            messages[1]["content"]?.stringValue
                == "Sources:\n\n[1] (README.md)\nKeys are hashed.\n\nQuestion: How are keys stored?")
        let context = try #require(GroundedPrompt.context(sources).arrayValue?.first)
        #expect(context["key"] == "README.md" && context["chunk"] == "Keys are hashed.")
        #expect(context["distance"] == .number(JSONNumber(raw: "0.25")) && context["source"] == 1)
    }

    @Test func rejectsBadParametersByName() {
        func param(_ body: JSONObject) -> String? {
            do {
                _ = try RAGQueryRequest(body, defaults: RAGDefaults())
                return nil
            } catch { return error.param }
        }
        #expect(param([:]) == "query")
        #expect(param(["query": "q", "top_k": 21]) == "top_k")
        #expect(param(["query": "q", "top_k": 0]) == "top_k")
        #expect(param(["query": "q", "filter": ["year": ["$gt": "x"]]]) == "filter.year.$gt")
        #expect(param(["query": "q", "temperature": 3]) == "temperature")
        #expect(param(["query": "q", "stream": "yes"]) == "stream")
        #expect(param(["query": "q"]) == nil)
    }
}

@Suite struct RAGJobTests {
    @Test func theJobRoundTripsThroughItsJSONAndFinishesByOutcome() throws {
        var job = RAGJob(
            id: "ragjob_1", tenant: "t", indexName: "docs", documentsTotal: 3,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        job.documentsIngested = 2
        job.documentsFailed = 1
        job.chunks = 7
        job.embeddingTokens = 40
        job.errors = [.init(key: "bad", message: "too long")]
        job.finish(at: Date(timeIntervalSince1970: 1_800_000_010))
        #expect(job.status == .completedWithErrors)
        #expect(RAGJob(json: job.json) == job)
        job.documentsIngested = 0
        job.finish(at: job.updatedAt)
        #expect(job.status == .failed)
    }
}

@Suite struct RAGCostTests {
    @Test func aQueryCostsItsEmbeddingPlusItsGeneration() {
        let event = AuditEvent(
            requestID: "r", timestamp: Date(), tenant: "t", method: "POST", path: "/v1/rag/query", alias: "fast",
            provider: "openai", providerModel: "gpt-5.4", outcome: .success, httpStatus: 200, latencyMs: 1,
            promptTokens: 1000, completionTokens: 100,
            embedding: .init(provider: "openai", model: "text-embedding-3-small", tokens: 50))
        // 1000 × 2.5 + 100 × 15 per million, plus 50 × 0.02 per million.
        #expect(PriceCatalogue.standard().cost(of: event) == .priced(USD("0.004001")!))
        var unknown = event
        unknown.embedding?.model = "mystery-embed"
        #expect(PriceCatalogue.standard().cost(of: unknown) == .unpriced(reason: "no price for openai/mystery-embed"))
    }
}

@Suite struct RAGConfigTests {
    @Test func theRagSectionSetsTheDefaultsAndRejectsNonsense() throws {
        let config = try ConfigLoader.load(
            yaml: "rag: { index_name: kb, embedding_model: emb, chat_model: smart, chunk_size: 400, chunk_overlap: 50, "
                + "top_k: 8, sync_max_documents: 5 }", fileName: "f", environment: [:])
        var expected = RAGDefaults()
        expected.indexName = "kb"
        expected.embeddingModel = "emb"
        expected.chatModel = "smart"
        expected.chunkSize = 400
        expected.chunkOverlap = 50
        expected.topK = 8
        expected.syncMaxDocuments = 5
        #expect(config.rag == expected)
        do {
            _ = try ConfigLoader.load(
                yaml: "rag: { index_name: Bad Name, chunk_size: 400, chunk_overlap: 300, top_k: 50, chunks: 1 }",
                fileName: "f", environment: [:])
            Issue.record("accepted")
        } catch {
            for part in ["rag.index_name", "rag.chunk_overlap", "rag.top_k", "rag.chunks: unknown key"] {
                #expect(error.description.contains(part), "\(part)")
            }
        }
    }
}

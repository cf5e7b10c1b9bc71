import GatewayCore
import GatewaySchema

/// Which OpenAI operation a call performs.
public enum ProviderEndpoint: String, Sendable {
    case chat = "chat/completions"
    case completions
    case embeddings
    case imageGenerations = "images/generations"
    case imageEdits = "images/edits"
    case imageVariations = "images/variations"
    case speech = "audio/speech"
    case transcriptions = "audio/transcriptions"
    case translations = "audio/translations"
}

/// One call to one upstream target. `body` is the client's request in OpenAI's shape, exactly as received
/// (unknown fields included); the provider substitutes the target's model and translates as needed.
public struct ProviderCall: Sendable {
    public var target: RouteTarget
    public var credential: String?
    public var endpoint: ProviderEndpoint
    /// The request body: the client's text when it came as one (passed on as written by providers that need not
    /// translate it), parsed when read as `body`.
    public var document: RequestDocument
    public var requestID: String
    /// The uploaded form of a transcription or translation (its text fields are also in `body`).
    public var upload: MultipartForm?

    /// The request body, parsed.
    public var body: JSONObject {
        get { document.object }
        set { document = RequestDocument(newValue) }
    }

    public init(
        target: RouteTarget, credential: String?, endpoint: ProviderEndpoint, document: RequestDocument,
        requestID: String, upload: MultipartForm? = nil
    ) {
        self.target = target
        self.credential = credential
        self.endpoint = endpoint
        self.document = document
        self.requestID = requestID
        self.upload = upload
    }

    public init(
        target: RouteTarget, credential: String?, endpoint: ProviderEndpoint, body: JSONObject, requestID: String,
        upload: MultipartForm? = nil
    ) {
        self.init(
            target: target, credential: credential, endpoint: endpoint, document: RequestDocument(body),
            requestID: requestID, upload: upload)
    }
}

/// A buffered result in the OpenAI shape of the called endpoint (`chat.completion` or `text_completion`).
public struct ProviderResult: Sendable {
    /// The answer as the upstream wrote it, when it needs no translation: passed on with only the gateway's own
    /// members replaced (`serialized(replacing:)`), never parsed and re-serialised as a whole.
    public private(set) var text: JSONObjectText?
    var parsed: JSONObject?
    public var usage: Usage?

    public init(body: JSONObject, usage: Usage?) {
        self.parsed = body
        self.usage = usage
    }

    public init(text: JSONObjectText, usage: Usage?) {
        self.text = text
        self.usage = usage
    }

    /// The answer as an object (parsed from `text` on each read when it arrived as text).
    public var body: JSONObject {
        get { parsed ?? text?.object ?? JSONObject() }
        set {
            parsed = newValue
            text = nil
        }
    }

    /// The answer's JSON with `replacements` set (in place, or added at the end).
    public func serialized(replacing replacements: [(key: String, value: JSONValue)]) -> [UInt8] {
        if let text { return text.serialized(replacing: replacements) }
        var object = body
        for (key, value) in replacements { object[key] = value }
        return JSONValue.object(object).serialized()
    }
}

/// An upstream that speaks (or is translated to) OpenAI's API.
public protocol Provider: Sendable {
    /// A buffered call. Throws `ProviderError`.
    func send(_ call: ProviderCall) async throws -> ProviderResult
    /// A streamed call: returns once the first chunk arrived (so failures before it can still fall back);
    /// the stream yields OpenAI chunk objects (`chat.completion.chunk` or `text_completion`) and ends after the
    /// upstream's last one, or throws `ProviderError` when the upstream fails midway.
    func stream(_ call: ProviderCall) async throws -> StartedStream
    /// Embeddings in OpenAI's `list` shape (`call.endpoint == .embeddings`).
    func embed(_ call: ProviderCall) async throws -> ProviderResult
    /// Image generation in OpenAI's `images.generations` shape (`data`, `created`, optional `usage`).
    func generateImages(_ call: ProviderCall) async throws -> ProviderResult
    /// Image edits of `call.upload` (OpenAI's multipart form), answered like image generation.
    func editImages(_ call: ProviderCall) async throws -> ProviderResult
    /// Variations of the image in `call.upload` (OpenAI's multipart form), answered like image generation.
    func varyImages(_ call: ProviderCall) async throws -> ProviderResult
    /// Text to speech: returns once the upstream accepted the request; the audio is then pumped chunk by chunk.
    func speech(_ call: ProviderCall) async throws -> AudioStream
    /// A transcription or translation of `call.upload` in the requested `response_format`.
    func transcribe(_ call: ProviderCall) async throws -> MediaResult
}

extension Provider {
    public func embed(_ call: ProviderCall) async throws -> ProviderResult {
        throw ProviderError(.badRequest, message: "this provider does not serve embeddings")
    }

    public func generateImages(_ call: ProviderCall) async throws -> ProviderResult {
        throw ProviderError(.badRequest, message: "this provider does not generate images")
    }

    public func editImages(_ call: ProviderCall) async throws -> ProviderResult {
        throw ProviderError(.badRequest, message: "this provider does not edit images")
    }

    public func varyImages(_ call: ProviderCall) async throws -> ProviderResult {
        throw ProviderError(.badRequest, message: "this provider does not make image variations")
    }

    public func speech(_ call: ProviderCall) async throws -> AudioStream {
        throw ProviderError(.badRequest, message: "this provider does not serve speech")
    }

    public func transcribe(_ call: ProviderCall) async throws -> MediaResult {
        throw ProviderError(.badRequest, message: "this provider does not serve transcriptions")
    }
}

/// Token usage in OpenAI's terms. `promptTokens` counts every input token, cached or not; `cachedTokens` is the
/// part read from a prompt cache and `cacheCreationTokens` the part written to one (Anthropic, Bedrock);
/// `reasoningTokens` is the part of `completionTokens` spent reasoning, where the provider reports it.
public struct Usage: Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var cachedTokens: Int?
    public var cacheCreationTokens: Int?
    public var reasoningTokens: Int?

    public init(
        promptTokens: Int, completionTokens: Int, cachedTokens: Int? = nil, cacheCreationTokens: Int? = nil,
        reasoningTokens: Int? = nil
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.reasoningTokens = reasoningTokens
    }

    /// Reads an OpenAI `usage` object.
    public init?(_ value: JSONValue?) {
        guard let object = value?.objectValue, let prompt = object["prompt_tokens"]?.intValue else { return nil }
        self.promptTokens = prompt
        self.completionTokens = object["completion_tokens"]?.intValue ?? 0
        self.cachedTokens = object["prompt_tokens_details"]?["cached_tokens"]?.intValue
        self.cacheCreationTokens = object["prompt_tokens_details"]?["cache_creation_tokens"]?.intValue
        self.reasoningTokens = object["completion_tokens_details"]?["reasoning_tokens"]?.intValue
    }

    public var totalTokens: Int { promptTokens + completionTokens }

    /// The OpenAI `usage` object; `prompt_tokens_details.cache_creation_tokens` is an addition OpenAI clients
    /// ignore.
    public var json: JSONValue {
        var object: JSONObject = [
            "prompt_tokens": .number(JSONNumber(promptTokens)),
            "completion_tokens": .number(JSONNumber(completionTokens)),
            "total_tokens": .number(JSONNumber(totalTokens)),
        ]
        if cachedTokens != nil || cacheCreationTokens != nil {
            var details: JSONObject = ["cached_tokens": .number(JSONNumber(cachedTokens ?? 0))]
            if let cacheCreationTokens { details["cache_creation_tokens"] = .number(JSONNumber(cacheCreationTokens)) }
            object["prompt_tokens_details"] = .object(details)
        }
        if let reasoningTokens {
            object["completion_tokens_details"] = ["reasoning_tokens": .number(JSONNumber(reasoningTokens))]
        }
        return .object(object)
    }
}

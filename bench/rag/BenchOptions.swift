import Foundation

/// Command-line options: `--chunks N --dims D --queries Q --chunks-per-document C`.
struct BenchOptions {
    var chunks = 100_000
    var dimensions = 1536
    var queries = 200
    var chunksPerDocument = 8
    /// Documents written concurrently (each `replaceDocument` is still its own transaction).
    var batch = 64

    static func parse(_ arguments: [String]) -> BenchOptions {
        var options = BenchOptions()
        var index = 1
        while index < arguments.count {
            let name = arguments[index]
            let value = index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
            guard let value, value > 0 else { usage("\(name) needs a positive number") }
            switch name {
            case "--chunks": options.chunks = value
            case "--dims": options.dimensions = value
            case "--queries": options.queries = value
            case "--chunks-per-document": options.chunksPerDocument = value
            case "--batch": options.batch = value
            default: usage("unknown option \(name)")
            }
            index += 2
        }
        return options
    }

    static func usage(_ problem: String) -> Never {
        print("switchboard-rag-bench: \(problem)")
        print(
            "usage: switchboard-rag-bench [--chunks N] [--dims D] [--queries Q] [--chunks-per-document C] [--batch B]")
        exit(2)
    }
}

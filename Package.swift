// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// `SWITCHBOARD_NO_KAFKA=1 swift build …` builds the service binaries without the Kafka queue, so that they do not
/// link librdkafka: the AWS Lambda artifacts (`deploy/aws/build.sh`), which never run self-hosted mode.
let withKafka = Context.environment["SWITCHBOARD_NO_KAFKA"].map { $0.isEmpty || $0 == "0" } ?? true

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["Switchboard"]),
        .executable(name: "switchboard-edge", targets: ["SwitchboardEdge"]),
        .executable(name: "switchboard-router", targets: ["SwitchboardRouter"]),
        .executable(name: "switchboard-media", targets: ["SwitchboardMedia"]),
        .executable(name: "switchboard-rag", targets: ["SwitchboardRAG"]),
        .executable(name: "switchboard-audit", targets: ["SwitchboardAudit"]),
        .executable(name: "switchboard-fake-upstream", targets: ["FakeUpstream"]),
        .executable(name: "switchboard-bare-proxy", targets: ["BareProxy"]),
        .executable(name: "switchboard-nio-proxy", targets: ["NIOProxy"]),
        .executable(name: "switchboard-instant-upstream", targets: ["InstantUpstream"]),
        .executable(name: "switchboard-rag-bench", targets: ["RAGBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // Shared: wire types, core domain, providers, backends. No Hummingbird here.
        .target(
            name: "GatewaySchema",
            path: "Sources/Shared/Schema",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GatewayCore",
            dependencies: [
                "GatewaySchema",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Shared/Core",
            swiftSettings: swiftSettings
        ),
        // AWS plumbing shared by providers and backends: SigV4, the event-stream codec, credentials.
        .target(
            name: "GatewayAWS",
            dependencies: [
                "GatewayCore", "GatewaySchema",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/AWS",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GatewayProviders",
            dependencies: [
                "GatewayCore", "GatewaySchema", "GatewayAWS",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/Providers",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GatewayBackends",
            dependencies: [
                "GatewayCore", "GatewaySchema",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Shared/Backends",
            exclude: ["AWS", "Kafka", "Postgres"],
            swiftSettings: swiftSettings
        ),
        // Port implementations on AWS services (Secrets Manager, DynamoDB, SQS, S3 Vectors); kept apart so GatewayBackends stays free of
        // AsyncHTTPClient and AWS.
        .target(
            name: "GatewayAWSBackends",
            dependencies: [
                "GatewayAWS", "GatewayCore", "GatewaySchema",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Shared/Backends/AWS",
            swiftSettings: swiftSettings
        ),
        // AWS serverless mode: our own Lambda Runtime API client and loop, and the API Gateway (REST proxy, TOKEN
        // authorizer, response streaming) and SQS event shapes. No Hummingbird.
        .target(
            name: "GatewayLambda",
            dependencies: [
                "GatewayAWS", "GatewayCore", "GatewaySchema",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared/Lambda",
            swiftSettings: swiftSettings
        ),
        // PostgreSQL backends (self-hosted mode): a separate target so nothing else links PostgresNIO.
        .target(
            name: "GatewayPostgres",
            dependencies: [
                "GatewayCore", "GatewaySchema",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Shared/Backends/Postgres",
            swiftSettings: swiftSettings
        ),
        // librdkafka (Debian: librdkafka-dev), for GatewayKafka only.
        .systemLibrary(
            name: "CRdKafka",
            path: "Sources/Shared/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // The Kafka queue (self-hosted mode): a target of its own, linked only by binaries that run self-hosted,
        // so that nothing else (the embedded binary, the Lambda artifacts) carries librdkafka.
        .target(
            name: "GatewayKafka",
            dependencies: [
                "GatewayCore", "CRdKafka",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Shared/Backends/Kafka",
            swiftSettings: swiftSettings
        ),
        // Services.
        .target(
            name: "GatewayEdge",
            dependencies: [
                "GatewayCore", "GatewaySchema",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Edge/Service",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GatewayRouter",
            dependencies: [
                "GatewayCore", "GatewaySchema", "GatewayProviders", "GatewayEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Router/Service",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GatewayWorkers",
            dependencies: [
                "GatewayCore", "GatewaySchema", "GatewayEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/Workers",
            exclude: ["Main"],
            swiftSettings: swiftSettings
        ),
        // The all-in-one composition (embedded mode) and the admin CLI.
        .target(
            name: "GatewayRAG",
            dependencies: [
                "GatewayCore", "GatewaySchema", "GatewayProviders", "GatewayEdge", "GatewayRouter",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/RAG/Service",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardApp",
            dependencies: [
                "GatewayCore", "GatewaySchema", "GatewayProviders", "GatewayBackends",
                "GatewayEdge", "GatewayRouter", "GatewayWorkers", "GatewayRAG", "GatewayAWS", "GatewayAWSBackends",
                "GatewayPostgres", "GatewayLambda",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Switchboard/App",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Switchboard",
            dependencies: [
                "SwitchboardApp", "GatewayCore", "GatewayBackends", "GatewayPostgres", "GatewayAWSBackends",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Switchboard/Main",
            swiftSettings: swiftSettings
        ),
        // Self-hosted mode: the launcher the five service binaries share (links Kafka), and the binaries.
        .target(
            name: "SwitchboardServices",
            dependencies: [
                "SwitchboardApp", "GatewayCore", "GatewayPostgres", "GatewayAWSBackends", "GatewayLambda",
                "GatewayEdge", "GatewayRouter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ] + (withKafka ? ["GatewayKafka"] : []),
            path: "Sources/Switchboard/Services",
            swiftSettings: swiftSettings + (withKafka ? [.define("SWITCHBOARD_KAFKA")] : [])
        ),
        .executableTarget(
            name: "SwitchboardEdge",
            dependencies: [
                "SwitchboardServices", "GatewayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Edge/Main", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SwitchboardRouter",
            dependencies: [
                "SwitchboardServices", "GatewayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Router/Main", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SwitchboardMedia",
            dependencies: [
                "SwitchboardServices", "GatewayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Router/MediaMain", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SwitchboardRAG",
            dependencies: [
                "SwitchboardServices", "GatewayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/RAG/Main", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SwitchboardAudit",
            dependencies: [
                "SwitchboardServices", "GatewayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Workers/Main", swiftSettings: swiftSettings),
        // A fake OpenAI-compatible upstream for tests and benchmarks (proven against the openai SDK).
        .executableTarget(
            name: "FakeUpstream",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/Support/FakeUpstream",
            swiftSettings: swiftSettings
        ),
        // The benchmark's calibration point: a bare Hummingbird + AsyncHTTPClient pass-through proxy.
        .executableTarget(
            name: "BareProxy",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Support/BareProxy",
            swiftSettings: swiftSettings
        ),
        // The benchmark's floor: a pass-through proxy on SwiftNIO's channel handlers alone.
        .executableTarget(
            name: "NIOProxy",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Support/NIOProxy",
            swiftSettings: swiftSettings
        ),
        // The benchmark's upstream: precomputed chat answers on SwiftNIO's channel handlers alone.
        .executableTarget(
            name: "InstantUpstream",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Support/InstantUpstream",
            swiftSettings: swiftSettings
        ),
        // The embedded vector index's benchmark (bench/rag/README.md).
        .executableTarget(
            name: "RAGBench",
            dependencies: [
                "GatewayBackends", "GatewayCore", "GatewaySchema",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/rag",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport", dependencies: ["GatewayCore"], path: "Tests/Support/Common",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SchemaTests", dependencies: ["GatewaySchema", "TestSupport"], path: "Tests/SchemaTests",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CoreTests", dependencies: ["GatewayCore", "GatewaySchema", "TestSupport"], path: "Tests/CoreTests",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AWSTests",
            dependencies: [
                "GatewayAWS", "GatewayCore", "GatewaySchema", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/AWSTests",
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "LambdaTests",
            dependencies: [
                "GatewayLambda", "GatewayCore", "GatewaySchema",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/LambdaTests",
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "ProvidersTests",
            dependencies: [
                "GatewayProviders", "GatewayAWS", "GatewayCore", "GatewaySchema", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/ProvidersTests", resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "BackendsTests",
            dependencies: [
                "GatewayBackends", "GatewayAWSBackends", "GatewayAWS", "GatewayPostgres", "GatewayCore",
                "GatewaySchema",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/BackendsTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "KafkaTests",
            dependencies: [
                "GatewayKafka", "GatewayCore", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/KafkaTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "SwitchboardApp", "GatewayCore", "GatewaySchema", "GatewayBackends", "GatewayRouter",
                "GatewayProviders",
                "GatewayWorkers", "GatewayEdge", "GatewayRAG", "TestSupport", "FakeUpstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/GatewayTests", swiftSettings: swiftSettings),
    ]
)

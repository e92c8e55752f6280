// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "campaignd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "campaignd", targets: ["campaignd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // The C face of libpq: a module map and a shim header, nothing else.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Calendar arithmetic shared by the API's and PostgreSQL's timestamp texts.
        .target(
            name: "CivilTime",
            swiftSettings: swiftSettings
        ),
        // The Swift face of libpq: connections, pool, queries, rows, LISTEN, errors.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                "CivilTime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A private PostgreSQL cluster under a data folder (the daemon's default and the tests').
        .target(
            name: "EmbeddedPostgres",
            dependencies: [
                "Postgres",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The plain SQL files of migrations/, applied in order under an advisory lock.
        .target(
            name: "Migrations",
            dependencies: [
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure types and state machines: no SQL, no I/O.
        .target(
            name: "Domain",
            dependencies: ["CivilTime"],
            swiftSettings: swiftSettings
        ),
        // Repositories over the central and local schemas; tokens and password checks.
        .target(
            name: "Store",
            dependencies: [
                "Domain",
                "Postgres",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The queue engine: workers, leases, retries; one handler per job kind.
        .target(
            name: "Jobs",
            dependencies: [
                "Postgres",
                "Store",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Webhook delivery: the address policy, the signature, the HTTP client, the workers' loop.
        .target(
            name: "Webhooks",
            dependencies: [
                "Domain",
                "Postgres",
                "Store",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Routes, auth, problem+json, health.
        .target(
            name: "CampaignAPI",
            dependencies: [
                "Domain",
                "Postgres",
                "Migrations",
                "Store",
                "Webhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "campaignd",
            dependencies: [
                "Domain",
                "Jobs",
                "Postgres",
                "Store",
                "CampaignAPI",
                "Webhooks",
                "EmbeddedPostgres",
                "Migrations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Postgres", "EmbeddedPostgres", "Migrations", "Store", "Domain",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "EmbeddedPostgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DomainTests",
            dependencies: ["Domain", "CivilTime"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MigrationsTests",
            dependencies: ["Migrations", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Domain", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JobsTests",
            dependencies: [
                "campaignd", "Jobs", "Store", "Domain", "Postgres", "EmbeddedPostgres", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CampaignAPITests",
            dependencies: [
                "campaignd", "CampaignAPI", "Store", "Domain", "Postgres", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CampaigndTests",
            dependencies: ["campaignd", "Postgres", "EmbeddedPostgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)

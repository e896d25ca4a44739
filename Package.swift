// swift-tools-version:6.0
import PackageDescription

// The pipeline, one module per stage; data flows down this list and nothing
// lower imports anything higher:
//   Basics (system calls, clocks, hex), CPcap (libpcap shim), CYAML (libyaml shim)
//   → Capture (sources) → Decoding (link/IP/tunnel/transport)
//   → Flows (flow table, timeouts) → Reports (JSON Lines, CSV, table, summary)
//   → Analysis (wires the stages per packet) → Cases (flows in a database)
//   → CasesPostgres (the same on PostgreSQL) → cipherscope (CLI).
// The per-packet modules skip the run-time exclusivity checks in release builds
// (every access to a class's stored property costs a thread-local lookup there);
// debug builds, and so the test suite and the sanitizer runs, keep them.
let perPacket: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "cipherscope",
    products: [
        .executable(name: "cipherscope", targets: ["cipherscope"]),
        // The pipeline stages as one library, for the libFuzzer targets in Fuzz/
        // (a separate package that depends on this one by path).
        .library(
            name: "CipherscopeCore",
            targets: ["Schema", "Capture", "Decoding", "Flows", "Dissectors", "Fingerprints", "FingerprintsFoxIO",
                      "Inspection", "Rules", "Classifier", "Reports", "Analysis"]
        ),
        // The same plus the offline libraries that need no database, web or CLI
        // package, for the AddressSanitizer test package in Sanitize/.
        .library(
            name: "CipherscopeOffline",
            targets: ["Basics", "Schema", "Capture", "Decoding", "Flows", "Dissectors", "Fingerprints", "FingerprintsFoxIO",
                      "Inspection", "Rules", "Classifier", "Reports", "Analysis", "LogInput", "Pseudonymisation", "Interop"]
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // HPACK (RFC 7541) for HTTP/2 in clear (h2c) header blocks.
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // PostgreSQL cases (CasesPostgres only): 1.33 for COPY FROM STDIN (`copyFrom`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // The POSIX glue (writes, atomic files, directory listings, clocks) and hex text, in one place.
        .target(name: "Basics"),
        // The field declarations every projection (JSON, CSV, table, rules …) reads,
        // and the closed set of application protocols. Depends on nothing.
        .target(name: "Schema"),
        .target(name: "Capture", dependencies: ["Basics", "CPcap"], swiftSettings: perPacket),
        .target(name: "Decoding", dependencies: ["Basics"], swiftSettings: perPacket),
        .target(
            name: "Flows",
            dependencies: [
                "Schema", "Decoding",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: perPacket
        ),
        // Pure functions from bytes to typed records, one file (or folder) per protocol.
        .target(
            name: "Dissectors",
            dependencies: [
                "Basics",
                "Decoding",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // JA3/JA3S and JA4 (BSD-3-Clause methods).
        .target(
            name: "Fingerprints",
            dependencies: ["Basics", "Dissectors", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // JA4S, JA4T/TS, JA4X, JA4H, JA4SSH: FoxIO License 1.1 (see its LICENSE file).
        .target(
            name: "FingerprintsFoxIO",
            dependencies: ["Basics", "Dissectors", "Fingerprints", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Per-flow dissection during a flow's first packets: evidence and fingerprints.
        .target(
            name: "Inspection",
            dependencies: [
                "Schema", "Decoding", "Flows", "Dissectors", "Fingerprints", "FingerprintsFoxIO",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: perPacket
        ),
        // Rule packs: format, loading with precise errors, signing, compiled indexes, matching.
        .target(
            name: "Rules",
            dependencies: [
                "Basics",
                "Schema",
                "CYAML",
                "Decoding",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Labels flows: rules applied to each flow's facts, cross-flow inheritance, activity.
        .target(name: "Classifier", dependencies: ["Schema", "Decoding", "Flows", "Inspection", "Rules"]),
        .target(name: "Reports", dependencies: ["Basics", "Schema", "Decoding", "Flows", "Inspection", "Classifier"]),
        .target(
            name: "Analysis", dependencies: ["Basics", "Schema", "Capture", "Decoding", "Flows", "Dissectors", "Inspection", "Classifier", "Rules", "Reports"],
            swiftSettings: perPacket),
        // Evidence extraction: the frames of selected flows, from the original files, as pcapng.
        .target(
            name: "Extraction",
            dependencies: ["Basics", "Capture", "Decoding", "Flows", "Classifier", "Reports", "Analysis",
                           .product(name: "Crypto", package: "swift-crypto")]),
        // Pseudonymised sharing: Crypto-PAn (prefix-preserving, AES-128 via swift-crypto),
        // key files, and the writer that maps every address of a flow's record.
        .target(
            name: "Pseudonymisation",
            dependencies: [
                "Basics", "Decoding", "Flows", "Reports",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Exchanging rules with other tools: Suricata, Zeek Intel, MISP, STIX 2.1, JA4+ tables (export and import).
        .target(
            name: "Interop",
            dependencies: ["Basics", "Decoding", "Schema", "Rules", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Suricata EVE and Zeek logs as input: flows rebuilt from log records, labelled by the same classifier.
        .target(name: "LogInput", dependencies: ["Basics", "Schema", "Decoding", "Flows", "Inspection", "Rules", "Classifier", "Reports"]),
        // Chain of custody: the --manifest record (SHA-256 of inputs and outputs, packs, tool commit).
        .target(
            name: "Custody",
            dependencies: ["Basics", "Reports", "Rules", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The HTML report for a working group (`cipherscope report`): flow records and custody
        // facts in, one self-contained page out (swift-mustache templates, four languages).
        .target(
            name: "HTMLReport",
            dependencies: ["Basics", "Classifier", "Custody", "Flows", "Reports",
                           .product(name: "Mustache", package: "swift-mustache")],
            exclude: ["Resources"]),
        // Cases: every flow of an investigation in a database (the engine-neutral store
        // protocol and logical schema; SQLite through GRDB).
        .target(
            name: "Cases",
            dependencies: ["Basics", "Schema", "Capture", "Decoding", "Flows", "Inspection", "Rules", "Classifier", "Reports", "Analysis", "Custody", "LogInput",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // A case on PostgreSQL 15 (PostgresNIO): the same store, COPY bulk load, the scale-out work queue.
        .target(name: "CasesPostgres", dependencies: ["Cases", "Decoding", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .executableTarget(
            name: "cipherscope",
            dependencies: [
                "Analysis", "Basics", "Capture", "Cases", "CasesPostgres", "Classifier", "Custody", "Extraction", "Flows", "HTMLReport", "Interop", "LogInput", "Pseudonymisation", "Reports", "Rules",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SchemaTests", dependencies: ["Schema"]),
        // Cases on real SQLite files: ingest against analyze, filters, kills, damage; runs the built `cipherscope`.
        .testTarget(name: "CasesTests", dependencies: ["Cases", "TestSupport", "cipherscope", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DecodingTests", dependencies: ["Decoding"]),
        // Crypto-PAn against the reference implementations' vectors; key files; the address-mapping sink.
        .testTarget(name: "PseudonymisationTests", dependencies: ["Pseudonymisation", "Reports", "Schema", "Flows", "Decoding"]),
        .testTarget(name: "FlowsTests", dependencies: ["Flows", "Decoding"]),
        // Fixtures and helpers shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // PostgreSQL cases and workers against a real server each class starts (TestSupport/PostgresServer.swift)
        // and the built `cipherscope`; skipped when PostgreSQL is not installed.
        .testTarget(name: "CasesPostgresTests", dependencies: ["Cases", "CasesPostgres", "Decoding", "TestSupport", "cipherscope"]),
        .testTarget(name: "DissectorsTests", dependencies: ["Dissectors", "Decoding", "TestSupport"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "Decoding"]),
        // The exporters, checked with the formats' own Python tools (stix2, pymisp, suricataparser) when installed.
        .testTarget(name: "InteropTests", dependencies: ["Interop", "Rules", "Schema", "Decoding"], exclude: ["Packs", "Validators"]),
        .testTarget(name: "ClassifierTests", dependencies: ["Schema", "Classifier", "Rules", "Flows", "Inspection", "Decoding"]),
        .testTarget(name: "FingerprintsTests", dependencies: ["Fingerprints", "FingerprintsFoxIO", "Dissectors", "TestSupport"]),
        // Runs the built `cipherscope` binary: exit codes, damaged inputs, signals, files.
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "cipherscope"]),
        // The report: catalogues complete in every language, embedded resources current,
        // escaping; the built `cipherscope report` opened in headless Chromium when installed.
        .testTarget(
            name: "HTMLReportTests",
            dependencies: ["HTMLReport", "Custody", "Reports", "Classifier", "Flows", "Decoding", "TestSupport", "cipherscope"],
            exclude: ["png-stats.py"]),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Schema", "Analysis", "Capture", "Decoding", "Flows", "Inspection", "Classifier", "Rules", "Reports"]
        ),
        // The writers: JSON escaping, CSV quoting, RFC 3339 times, output files, table and fingerprint lines.
        .testTarget(
            name: "ReportsTests",
            dependencies: [
                "Schema", "Reports", "Flows", "Inspection", "Classifier", "Decoding", "Dissectors", "TestSupport"]
        ),
        // The pcapng writer, read back with libpcap; rotation and ring naming.
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "CPcap"]),
        // The run-wide caches of per-flow dissection: DNS names by address, certificates.
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "Dissectors", "Decoding", "Flows", "Schema", "TestSupport"]),
        // rules import: Zeek Intel, MISP, STIX, Suricata and JA4+ tables to packs; runs the built `cipherscope` for the round trip.
        .testTarget(name: "InteropImportTests", dependencies: ["Interop", "Rules", "Schema", "Decoding", "TestSupport", "cipherscope"], exclude: ["Inputs"]),
        // Suricata and Zeek logs of the lab captures classified as analyze classifies the captures; hostile log lines.
        .testTarget(
            name: "LogInputTests",
            dependencies: ["LogInput", "Schema", "Rules", "Classifier", "Reports", "Flows", "Inspection", "Decoding"],
            exclude: ["Logs"]),
    ],
    swiftLanguageModes: [.v6]
)

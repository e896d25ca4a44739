// swift-tools-version:6.0
import PackageDescription

// The packet-path test suites of the root package, for `Scripts/sanitize.sh address`
// (AddressSanitizer): the same test files (Tests/<X>Tests, linked from Sanitize/Tests)
// against the root package's `CipherscopeOffline` library, so the instrumented build
// leaves out what these tests never reach (GRDB, PostgresNIO, swift-mustache,
// ArgumentParser, the CLI). The suites that run the `cipherscope` binary or need a
// database stay in the root package; `Scripts/sanitize.sh address --all` runs them too.
// The test files find the repository through #filePath with symlinks resolved.
let suites = ["Schema", "Decoding", "Flows", "Dissectors", "Rules", "Classifier", "Fingerprints", "Analysis",
              "Reports", "Capture", "Inspection", "LogInput", "Pseudonymisation", "Interop"]

/// Folders inside a suite that hold data, not Swift sources.
let dataFolders: [String: [String]] = ["Interop": ["Packs", "Validators"], "LogInput": ["Logs"]]

let package = Package(
    name: "cipherscope-sanitize",
    dependencies: [.package(name: "cipherscope", path: "..")],
    targets: [
        .target(name: "TestSupport", path: "Tests/TestSupport"),
    ] + suites.map { suite in
        .testTarget(
            name: "\(suite)Tests",
            dependencies: ["TestSupport", .product(name: "CipherscopeOffline", package: "cipherscope")],
            exclude: dataFolders[suite] ?? []
        )
    },
    swiftLanguageModes: [.v6]
)

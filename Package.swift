// swift-tools-version:6.0
import PackageDescription

// The pipeline, one module per stage; data flows down this list and nothing
// lower imports anything higher:
//   CPcap (libpcap shim) → Capture (sources) → Decoding (link/IP/tunnel/transport)
//   → Flows (flow table, timeouts) → Reports (JSON Lines, CSV, table, summary)
//   → Analysis (wires the stages per packet) → cipherscope (CLI).
let package = Package(
    name: "cipherscope",
    products: [
        .executable(name: "cipherscope", targets: ["cipherscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .target(name: "Capture", dependencies: ["CPcap"]),
        .target(name: "Decoding"),
        .target(
            name: "Flows",
            dependencies: [
                "Decoding",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Reports", dependencies: ["Flows"]),
        .target(name: "Analysis", dependencies: ["Capture", "Decoding", "Flows", "Reports"]),
        .executableTarget(
            name: "cipherscope",
            dependencies: [
                "Analysis", "Capture", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DecodingTests", dependencies: ["Decoding"]),
        .testTarget(name: "FlowsTests", dependencies: ["Flows", "Decoding"]),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "Capture", "Flows", "Reports"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

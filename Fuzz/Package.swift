// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for cipherscope. Build and run them with `Scripts/fuzz.sh`
// (which builds with `-sanitize=fuzzer,address -parse-as-library`); each target
// is an executable whose `main` is libFuzzer's and whose entry point is the
// exported `LLVMFuzzerTestOneInput`.
let targets = ["decoder", "tls", "quic", "dtls", "dns", "stun", "ssh", "http", "mtproto", "pipeline", "capture", "rules"]

let package = Package(
    name: "cipherscope-fuzz",
    dependencies: [
        .package(name: "cipherscope", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "CipherscopeCore", package: "cipherscope"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ] + targets.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: ["FuzzSupport", .product(name: "CipherscopeCore", package: "cipherscope")],
            path: "Sources/\(name)"
        )
    },
    swiftLanguageModes: [.v6]
)

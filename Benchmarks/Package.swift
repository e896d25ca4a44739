// swift-tools-version:6.1
import PackageDescription

// Allocation counts of the analysis (ordo-one/benchmark with its malloc
// interposer). A separate package that depends on cipherscope by path, as Fuzz/
// does, so the main package keeps its tools version, CI build and test time.
//
//   cd Benchmarks && swift package benchmark
//
// Benchmark targets live under Benchmarks/Benchmarks/ (the plugin's convention).
let package = Package(
    name: "cipherscope-benchmarks",
    dependencies: [
        .package(name: "cipherscope", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "Allocations",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "CipherscopeCore", package: "cipherscope"),
            ],
            path: "Benchmarks/Allocations",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "spanscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "spanscope", targets: ["spanscope"]),
        .executable(name: "spanscope-bench", targets: ["spanscope-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // No pkgConfig: ncursesw's pkg-config flags make SwiftPM warn on every build.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        .target(name: "TraceModel"),
        .target(name: "TraceInsights", dependencies: ["TraceModel"]),
        .target(name: "TraceSources", dependencies: ["TraceModel"]),
        .target(name: "ExplorerUI", dependencies: ["TraceModel", "TraceInsights"]),
        .target(name: "TerminalBackend", dependencies: ["ExplorerUI", "CNcursesw"]),
        .executableTarget(
            name: "spanscope",
            dependencies: [
                "TraceModel", "TraceInsights", "TraceSources", "ExplorerUI", "TerminalBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "spanscope-bench",
            dependencies: [
                "TraceModel", "TraceSources", "ExplorerUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target; `.ci/fuzz` builds it with -sanitize=fuzzer. A plain build
        // replays files through the same checks.
        .executableTarget(name: "spanscope-fuzz", dependencies: ["TraceModel", "TraceSources", "ExplorerUI"]),
        // Writes and checks the README's Reliability table for the tests that fill it.
        .target(name: "ReliabilityLedger", path: "Tests/ReliabilityLedger"),
        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel", "ReliabilityLedger"]),
        .testTarget(name: "TraceInsightsTests", dependencies: ["TraceInsights", "TraceModel", "TraceSources"], exclude: ["Golden"]),
        .testTarget(name: "TraceSourcesTests", dependencies: ["TraceSources", "TraceModel", "ReliabilityLedger"]),
        .testTarget(name: "ExplorerUITests", dependencies: ["ExplorerUI", "TraceModel", "TraceSources", "TraceInsights", "ReliabilityLedger"], exclude: ["Golden"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TraceModel", "TraceSources", "ReliabilityLedger"]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.1
// DrivePipe: a camera perception daemon. One module per stage of the data flow
// (see README.md and DESIGN notes); C libraries are `C…` system-library targets.
import PackageDescription

// Numeric kernels are unusable at -Onone; keep them optimised even in debug/test builds.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "DrivePipe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "drivepipe", targets: ["drivepipe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C shims, found through pkg-config; Debian providers named.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),

        // the message types that cross stage boundaries (the schema is the contract)
        .target(name: "Messages"),
        // decode / encode / resize / tensor / draw
        .target(name: "ImageIO", dependencies: ["CJPEG", "CPNG", "CKernels"], swiftSettings: optimised),
        // generated ONNX protobuf schema (tools/gen-onnx-proto.sh)
        .target(name: "ONNXSchema", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        // hot convolution loops in C, compiled per instruction set and chosen at run time
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // the ONNX inference engine on OpenBLAS
        .target(name: "Inference", dependencies: ["ONNXSchema", "CBLAS", "CKernels"], swiftSettings: optimised),
        // typed pipeline configuration (pipelines/*.yaml)
        .target(name: "Config", dependencies: ["Yams"]),
        // the streaming runtime: stages, bounded queues, stats
        .target(name: "Pipeline", dependencies: ["Messages", .product(name: "Logging", package: "swift-log")]),
        // frame sources: drive logs, KITTI raw, frame folders
        .target(name: "Sources", dependencies: ["Messages", "Pipeline"]),
        // model heads' decoders and preprocessing
        .target(name: "Perception", dependencies: ["Messages", "Inference", "ImageIO", "CKernels", "ONNXSchema"], swiftSettings: optimised),
        // camera model and flat-ground projection
        .target(name: "Geometry", dependencies: ["Messages"]),
        // multi-object tracker and GRU forecaster
        .target(name: "Tracking", dependencies: ["Messages", "Geometry", "Inference"]),
        // decision / control
        .target(name: "Planning", dependencies: ["Messages", "Geometry", "Tracking"]),
        // the assembled daemon: stages wired into a pipeline, NDJSON sink
        .target(name: "DrivePipe", dependencies: [
            "Messages", "ImageIO", "Inference", "Config", "Pipeline", "Sources", "Perception",
            "Geometry", "Tracking", "Planning", "CBLAS",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "drivepipe", dependencies: [
            "DrivePipe", "Inference", "Config",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // libFuzzer targets for the input parsers (tools/fuzz.sh); a plain build replays files
        .executableTarget(name: "drivepipe-fuzz", dependencies: ["ImageIO", "Inference", "Config", "Sources", "Pipeline"]),
        // decode benchmark (Benchmarks/decode/run.sh compares it with libjpeg-turbo's tjbench)
        .executableTarget(name: "decode-bench", dependencies: ["ImageIO"], path: "Benchmarks/decode/Sources/decode-bench"),

        // the image fixtures' checksum, shared by the test targets below
        .target(name: "FixtureChecksum", path: "Tests/FixtureChecksum"),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO", "FixtureChecksum"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Sources", "Config", "DrivePipe"]),
        .testTarget(name: "PerceptionTests", dependencies: ["Perception", "Messages", "Inference"]),
        .testTarget(name: "TrackingTests", dependencies: ["Tracking", "Geometry", "Inference"], exclude: ["Fixtures"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Geometry", "Tracking"], exclude: ["Fixtures"]),
        .testTarget(name: "DrivePipeTests", dependencies: ["DrivePipe", "Pipeline", "Sources", "Config", "ImageIO", "Messages", "Planning", "FixtureChecksum"]),
    ]
)

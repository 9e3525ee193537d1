// Shared helpers for the inference tests: fixture paths, comparisons, seeded random data.

import Foundation
@testable import Inference

enum TestPaths {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("fixtures/onnx")
    /// ../shared next to the repository folder (absent on a user's fresh machine).
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")
    static var teachers: URL { shared.appendingPathComponent("models/teachers") }
    static var haveTeachers: Bool {
        FileManager.default.fileExists(atPath: teachers.appendingPathComponent("reference").path)
    }

    static func fixtureCases() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: fixtures.appendingPathComponent("\($0)/model.onnx").path) }
            .sorted()
    }
}

/// Max |a - b| and the tolerance scale max(1, max |b|).
func maxAbsError(_ a: [Float], _ b: [Float]) -> (err: Float, scale: Float) {
    var err: Float = 0, scale: Float = 1
    for i in 0..<min(a.count, b.count) {
        err = max(err, abs(a[i] - b[i]))
        scale = max(scale, abs(b[i]))
    }
    if a.count != b.count { err = .infinity }
    return (err, scale)
}

/// Deterministic uniform values in [-1, 1).
func seededRandom(_ n: Int, seed: UInt64) -> [Float] {
    var s = seed &+ 0x9E3779B97F4A7C15
    return (0..<n).map { _ in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Float(s >> 40) / Float(1 << 23) - 1
    }
}

/// Inputs and expected outputs of a fixture case folder.
func loadFixture(_ name: String) throws -> (model: String, inputs: [String: Tensor], outputs: [String: Tensor]) {
    let dir = TestPaths.fixtures.appendingPathComponent(name)
    var ins: [String: Tensor] = [:], outs: [String: Tensor] = [:]
    for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".npy") {
        let t = try NPY.read(path: dir.appendingPathComponent(f).path)
        let stem = String(f.dropLast(4))
        if stem.hasPrefix("input_") { ins[String(stem.dropFirst(6))] = t }
        if stem.hasPrefix("output_") { outs[String(stem.dropFirst(7))] = t }
    }
    return (dir.appendingPathComponent("model.onnx").path, ins, outs)
}

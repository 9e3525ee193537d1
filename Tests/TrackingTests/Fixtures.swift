// Paths of committed fixtures and the shared data folder, found from this file's location.

import Foundation
import Geometry
import Messages

enum Fixtures {
    /// The package root: Tests/TrackingTests/Fixtures.swift → three levels up.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    /// ../shared next to the package root (absent on a user's machine: tests using it skip).
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    static func udacityCamera() throws -> GroundCamera {
        GroundCamera(metadata: try CalibrationFile.load(url("fixtures/calibration/udacity_1280x720.json")))
    }
}

/// Deterministic pseudo-random numbers (SplitMix64) for scripted scenarios and property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(next() >> 11) / Double(1 << 53) }
}

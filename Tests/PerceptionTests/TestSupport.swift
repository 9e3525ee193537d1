// Test helpers: fixture paths and a minimal .npy reader (float32 / uint8, C order, little-endian).

import Foundation

enum Paths {
    /// Package root (this file is Tests/PerceptionTests/TestSupport.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("fixtures")
    /// ../shared next to the repo folder; absent on a fresh machine.
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")
    static func exists(_ u: URL) -> Bool { FileManager.default.fileExists(atPath: u.path) }
}

struct NPYArray {
    var shape: [Int]
    var floats: [Float]
}

enum NPYError: Error { case bad(String) }

/// Reads float32 ('<f4') or uint8 ('|u1') arrays as Float.
func readNPY(_ url: URL) throws -> NPYArray {
    guard let d = FileManager.default.contents(atPath: url.path) else { throw NPYError.bad("cannot read \(url.path)") }
    let b = [UInt8](d)
    guard b.count > 10, b[0] == 0x93 else { throw NPYError.bad("not npy: \(url.path)") }
    let (hlen, off) = b[6] == 1 ? (Int(b[8]) | Int(b[9]) << 8, 10)
        : (Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24, 12)
    let header = String(decoding: b[off..<(off + hlen)], as: UTF8.self)
    guard !header.contains("'fortran_order': True") else { throw NPYError.bad("fortran order") }
    guard let s = header.range(of: "'shape': ("), let e = header[s.upperBound...].firstIndex(of: ")") else {
        throw NPYError.bad("no shape")
    }
    let shape = header[s.upperBound..<e].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let n = shape.reduce(1, *)
    let body = off + hlen
    if header.contains("'<f4'") {
        guard b.count >= body + 4 * n else { throw NPYError.bad("truncated") }
        let f = b[body..<(body + 4 * n)].withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
        return NPYArray(shape: shape, floats: f)
    } else if header.contains("'|u1'") {
        guard b.count >= body + n else { throw NPYError.bad("truncated") }
        return NPYArray(shape: shape, floats: b[body..<(body + n)].map { Float($0) })
    }
    throw NPYError.bad("unsupported dtype in \(header)")
}

/// Expected detections written by tools/train/make_perception_fixtures.py.
struct ExpectedDetections: Decodable {
    struct Box: Decodable { var x1: Float, y1: Float, x2: Float, y2: Float, score: Float; var `class`: String }
    var frame_width: Int
    var frame_height: Int
    var detections: [Box]
    static func load(_ url: URL) throws -> ExpectedDetections {
        try JSONDecoder().decode(ExpectedDetections.self, from: Data(contentsOf: url))
    }
}

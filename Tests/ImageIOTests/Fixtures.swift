// Test helpers: locate fixtures/images, read files, parse PPM oracles (the poly64 checksum is in FixtureChecksum).

import FixtureChecksum
import Foundation
@testable import ImageIO

enum Fixtures {
    /// Package root, from this file's path (Tests/ImageIOTests/Fixtures.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let images = root.appendingPathComponent("fixtures/images")
    /// ../shared/data beside the repository folder (absent on a user's fresh machine).
    static let sharedData = root.deletingLastPathComponent().appendingPathComponent("shared/data")
    static var sharedDataAvailable: Bool { FileManager.default.fileExists(atPath: sharedData.path) }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: images.appendingPathComponent(relative)))
    }

    static func manifest() throws -> [String: Any] {
        let data = try Data(contentsOf: images.appendingPathComponent("manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Binary PPM (P6, maxval 255) as written by djpeg and tools/gen_image_fixtures.py.
    static func ppm(_ relative: String) throws -> RGBImage {
        let data = try bytes(relative)
        var fields: [String] = []
        var i = 0
        while fields.count < 4 && i < data.count {
            while i < data.count, data[i] == 0x20 || data[i] == 0x0A || data[i] == 0x0D || data[i] == 0x09 { i += 1 }
            var field = ""
            while i < data.count, !(data[i] == 0x20 || data[i] == 0x0A || data[i] == 0x0D || data[i] == 0x09) {
                field.append(Character(UnicodeScalar(data[i])))
                i += 1
            }
            fields.append(field)
        }
        i += 1  // the single whitespace after maxval
        guard fields.count == 4, fields[0] == "P6", let w = Int(fields[1]), let h = Int(fields[2]) else {
            throw FixtureError.badPPM(relative)
        }
        return try RGBImage(width: w, height: h, pixels: Array(data[i..<(i + w * h * 3)]))
    }
}

enum FixtureError: Error { case badPPM(String) }

/// Largest per-channel difference between two same-size images (Int.max if sizes differ).
func maxAbsDiff(_ a: RGBImage, _ b: RGBImage) -> Int {
    guard a.width == b.width, a.height == b.height, a.pixels.count == b.pixels.count else { return Int.max }
    var m = 0
    for i in 0..<a.pixels.count { m = max(m, abs(Int(a.pixels[i]) - Int(b.pixels[i]))) }
    return m
}

/// A deterministic pseudo-random image (xorshift), for kernels that need no real frame.
func noiseImage(width: Int, height: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> RGBImage {
    var s = seed
    var px = [UInt8](repeating: 0, count: width * height * 3)
    for i in 0..<px.count {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17
        px[i] = UInt8(truncatingIfNeeded: s >> 24)
    }
    return RGBImage(uncheckedWidth: width, height: height, pixels: px)
}

// The hostile corpus (fixtures/images/hostile, made by tools/gen_image_fixtures.py): every file
// must give the typed error its manifest names, and never crash or decode.

import Foundation
import Testing
@testable import ImageIO

/// The case name of an error, to compare with the manifest's "error" field.
func kind(_ error: ImageIOError) -> String {
    switch error {
    case .tooShort: return "tooShort"
    case .unknownFormat: return "unknownFormat"
    case .tooManyPixels: return "tooManyPixels"
    case .invalidDimensions: return "invalidDimensions"
    case .decodeFailed: return "decodeFailed"
    case .encodeFailed: return "encodeFailed"
    case .outputSize: return "outputSize"
    case .bufferSize: return "bufferSize"
    case .invalidArgument: return "invalidArgument"
    }
}

@Suite struct HostileTests {
    @Test func everyHostileFileGivesItsTypedError() throws {
        let cases = try Fixtures.manifest()["hostile"] as? [String: [String: String]] ?? [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.images.appendingPathComponent("hostile").path)
        #expect(cases.count >= 20)
        #expect(Set(files) == Set(cases.keys), "corpus and manifest list the same files")
        for name in files.sorted() {
            let bytes = try Fixtures.bytes("hostile/" + name)
            let expected = cases[name]?["error"] ?? "?"
            for options in [DecodeOptions(), DecodeOptions(targetWidth: 40, targetHeight: 20)] {
                do {
                    let image = try decodeImage(bytes, options: options)
                    Issue.record("\(name): decoded to \(image.width)x\(image.height), expected \(expected)")
                } catch {
                    #expect(kind(error) == expected, "\(name): \(error)")
                    #expect(!error.description.isEmpty)
                }
            }
        }
    }

    /// Every prefix of a small JPEG and PNG: typed error or (only for the whole file) success.
    @Test func everyTruncationOfSmallFilesFailsCleanly() throws {
        for file in ["jpeg/udacity_test6_9x7_tiny.jpg", "png/palette2_trns.png"] {
            let bytes = try Fixtures.bytes(file)
            for cut in 0..<bytes.count {
                do {
                    let image = try decodeImage(Array(bytes[0..<cut]))
                    Issue.record("\(file) cut at \(cut) of \(bytes.count) decoded to \(image.width)x\(image.height)")
                } catch {
                    #expect(!error.description.isEmpty)
                }
            }
            #expect(try decodeImage(bytes).width > 0)
        }
    }

    /// Seeded random byte flips in a real JPEG and PNG: must never crash (errors or pixels are both fine).
    @Test func randomByteFlipsNeverCrash() throws {
        var rng = SplitMix(seed: 42)
        for file in ["jpeg/udacity_test5_160x90_444.jpg", "png/rgba8_interlaced.png"] {
            let original = try Fixtures.bytes(file)
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
                if let image = try? decodeImage(bytes) {
                    #expect(image.pixels.count == image.width * image.height * 3)
                }
            }
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// Decoding real frames to exact oracle pixels: JPEG against djpeg (same libjpeg-turbo, so exact),
// PNG of every kind against the expected RGB8 written by tools/gen_image_fixtures.py.

import FixtureChecksum
import Foundation
import Testing
@testable import ImageIO

@Suite struct JPEGDecodeTests {
    @Test func mainFrameMatchesDjpegPixelForPixel() throws {
        let bytes = try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg")
        let full = try decodeImage(bytes)
        #expect(full == (try Fixtures.ppm("jpeg/udacity_test1_320x180_q90_djpeg_1_1.ppm")))
        let half = try decodeImage(bytes, options: DecodeOptions(targetWidth: 160, targetHeight: 90))
        #expect(half == (try Fixtures.ppm("jpeg/udacity_test1_320x180_q90_djpeg_1_2.ppm")))
        // the fast integer IDCT: exactly `djpeg -dct fast`, and within a few levels of the accurate one
        let fast = try decodeImage(bytes, options: DecodeOptions(targetWidth: 160, targetHeight: 90, fastDCT: true))
        #expect(fast == (try Fixtures.ppm("jpeg/udacity_test1_320x180_q90_djpeg_fast_1_2.ppm")))
        #expect(maxAbsDiff(fast, half) <= 4)
    }

    /// Every JPEG fixture at every DCT scale: size, checksum and sampled pixels equal djpeg's.
    @Test func everyFixtureAtEveryScaleMatchesDjpeg() throws {
        let entries = try Fixtures.manifest()["jpeg"] as? [[String: Any]] ?? []
        #expect(entries.count >= 7)
        for entry in entries {
            let file = entry["file"] as? String ?? ""
            let bytes = try Fixtures.bytes(file)
            let scales = entry["scales"] as? [String: [String: Any]] ?? [:]
            for (denom, ref) in scales {
                let w = ref["width"] as? Int ?? -1, h = ref["height"] as? Int ?? -1
                let image = try decodeImage(bytes, options: DecodeOptions(targetWidth: w, targetHeight: h))
                #expect(image.width == w && image.height == h, "\(file) 1/\(denom): size")
                for s in ref["samples"] as? [[Int]] ?? [] {
                    let p = image.pixel(x: s[0], y: s[1])
                    #expect(p == RGBColor(r: UInt8(s[2]), g: UInt8(s[3]), b: UInt8(s[4])), "\(file) 1/\(denom) at \(s[0]),\(s[1])")
                }
                #expect(poly64(image.pixels) == ref["poly64"] as? String, "\(file) 1/\(denom): checksum")
            }
        }
    }

    @Test func scaleChoiceIsLargestReductionStillCoveringTarget() {
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: nil, targetHeight: nil) == 1)
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: 640, targetHeight: 360) == 2)
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: 641, targetHeight: 360) == 1)
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: 320, targetHeight: 320) == 2)
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: 320, targetHeight: 180) == 4)
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: 100, targetHeight: nil) == 8)
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: nil, targetHeight: 91) == 4)
        // ceil: 317/8 = 39.6 → 40 rows/cols still count as covering 40
        #expect(jpegScaleDenominator(width: 317, height: 179, targetWidth: 40, targetHeight: 23) == 8)
        #expect(jpegScaleDenominator(width: 1280, height: 720, targetWidth: 5000, targetHeight: 5000) == 1)
        // odd camera size against the 512x288 model input: 1/2 gives 641x360 (1/4 would be 321x180)
        #expect(jpegScaleDenominator(width: 1281, height: 719, targetWidth: 512, targetHeight: 288) == 2)
    }

    @Test func bigTargetDecodesFullSize() throws {
        let bytes = try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg")
        let image = try decodeImage(bytes, options: DecodeOptions(targetWidth: 1000, targetHeight: 1000))
        #expect(image.width == 320 && image.height == 180)
    }

    @Test func decodeIntoReusesStorage() throws {
        let bytes = try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg")
        let expected = try decodeImage(bytes)
        var image = try RGBImage(width: 180, height: 320, fill: .red)  // same byte count, other shape
        try decodeImage(bytes, into: &image)
        #expect(image == expected)
        var small = try RGBImage(width: 3, height: 3)
        try decodeImage(bytes, options: DecodeOptions(targetWidth: 160, targetHeight: 90), into: &small)
        #expect(small.width == 160 && small.height == 90)
        try decodeImage(try Fixtures.bytes("png/rgb8.png"), into: &small)
        #expect(small == (try decodeImage(try Fixtures.bytes("png/rgb8.png"))))
        #expect(throws: ImageIOError.self) { try decodeImage(try Fixtures.bytes("hostile/jpeg_truncated_50.jpg"), into: &image) }
        #expect(image.width == 320 && image.height == 180 && image.pixels.count == 320 * 180 * 3)
        #expect(throws: ImageIOError.self) { try decodeImage(Array("not an image at all".utf8), into: &image) }
    }

    @Test func headerOnlyInfo() throws {
        let info = try readJPEGInfo(try Fixtures.bytes("jpeg/udacity_test2_201x113_gray.jpg"))
        #expect(info == JPEGInfo(width: 201, height: 113, components: 1))
    }

    @Test func pixelLimitRefusesFromHeader() throws {
        let bytes = try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg")
        #expect(throws: ImageIOError.tooManyPixels(limit: 57_599, width: 320, height: 180)) {
            try decodeImage(bytes, options: DecodeOptions(maxPixels: 57_599))
        }
        #expect(try decodeImage(bytes, options: DecodeOptions(maxPixels: 57_600)).width == 320)
    }

    @Test func invalidOptionsAreTypedErrors() throws {
        let bytes = try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg")
        #expect(throws: ImageIOError.self) { try decodeImage(bytes, options: DecodeOptions(targetWidth: 0)) }
        #expect(throws: ImageIOError.self) { try decodeImage(bytes, options: DecodeOptions(maxPixels: 0)) }
    }
}

@Suite struct PNGDecodeTests {
    /// 8/16-bit, gray, gray+alpha, palette (1/2/4/8-bit, tRNS), RGB, RGBA, interlaced: exact RGB8.
    @Test func everyKindDecodesToExpectedPixels() throws {
        let cases = try Fixtures.manifest()["png"] as? [[String: Any]] ?? []
        #expect(cases.count >= 14)
        for c in cases {
            let file = c["file"] as? String ?? ""
            let image = try decodeImage(try Fixtures.bytes(file))
            let expected = try Fixtures.ppm(c["expected"] as? String ?? "")
            #expect(image.width == expected.width && image.height == expected.height, "\(file): size")
            let diff = maxAbsDiff(image, expected)
            #expect(diff == 0, "\(file): max diff \(diff)")
        }
    }

    @Test func pixelLimitRefusesFromHeader() throws {
        let bytes = try Fixtures.bytes("png/rgb8.png")
        #expect(throws: ImageIOError.tooManyPixels(limit: 100, width: 37, height: 23)) {
            try decodeImage(bytes, options: DecodeOptions(maxPixels: 100))
        }
    }

    @Test func targetSizeIsIgnoredForPNG() throws {
        let image = try decodeImage(try Fixtures.bytes("png/rgb8.png"), options: DecodeOptions(targetWidth: 5, targetHeight: 5))
        #expect(image.width == 37 && image.height == 23)
    }
}

@Suite struct SniffTests {
    @Test func magicBytesDecideNotNames() {
        #expect(sniffImageFormat([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(sniffImageFormat([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(sniffImageFormat(Array("GIF89a".utf8)) == nil)
        #expect(sniffImageFormat([]) == nil)
    }

    @Test func errorDescriptionsSayExpectedAndFound() throws {
        do {
            _ = try decodeImage(Array("GIF89a and more bytes".utf8))
            Issue.record("a GIF must not decode")
        } catch {
            #expect(error.description.contains("GIF"))
            #expect(error.description.contains("expected JPEG"))
        }
        let tooBig = ImageIOError.tooManyPixels(limit: 40_000_000, width: 100_000, height: 100_000)
        #expect(tooBig.description.contains("100000x100000") && tooBig.description.contains("40000000"))
        #expect(ImageIOError.tooShort(expectedAtLeast: 8, found: 0).description.contains("found 0"))
    }
}

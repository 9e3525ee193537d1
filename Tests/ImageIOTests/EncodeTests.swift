// Encoders: PNG round-trips losslessly; JPEG round-trips closely.

import Testing
@testable import ImageIO

@Suite struct EncodeTests {
    @Test func pngRoundTripIsLossless() throws {
        for image in [try decodeImage(try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg")),
                      noiseImage(width: 31, height: 17), try RGBImage(width: 1, height: 1, fill: .red)] {
            let png = try encodePNG(image)
            #expect(sniffImageFormat(png) == .png)
            #expect(try decodeImage(png) == image)
        }
    }

    @Test func jpegRoundTripIsClose() throws {
        let image = try decodeImage(try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg"))
        for quality in [95, 75] {
            let jpg = try encodeJPEG(image, quality: quality)
            #expect(sniffImageFormat(jpg) == .jpeg)
            let back = try decodeImage(jpg)
            #expect(back.width == image.width && back.height == image.height)
            var sum = 0
            for i in 0..<image.pixels.count { sum += abs(Int(image.pixels[i]) - Int(back.pixels[i])) }
            let mean = Double(sum) / Double(image.pixels.count)
            #expect(mean < (quality == 95 ? 2.0 : 4.0), "q\(quality): mean abs diff \(mean)")
        }
        // Higher quality gives a bigger file.
        #expect(try encodeJPEG(image, quality: 95).count > encodeJPEG(image, quality: 50).count)
    }

    @Test func encodersRejectBadInput() throws {
        let image = try RGBImage(width: 4, height: 4, fill: .blue)
        #expect(throws: ImageIOError.invalidArgument(name: "JPEG quality", expected: "1...100", found: "0")) {
            try encodeJPEG(image, quality: 0)
        }
        var broken = image
        broken.pixels.removeLast()
        #expect(throws: ImageIOError.bufferSize(expected: 48, found: 47)) { try encodePNG(broken) }
        #expect(throws: ImageIOError.bufferSize(expected: 48, found: 47)) { try encodeJPEG(broken) }
    }
}

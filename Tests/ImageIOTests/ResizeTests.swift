// Resize against OpenCV (cv2.resize INTER_LINEAR / INTER_AREA outputs committed as PPM), ±1;
// fast kernels against their reference twins; crop, letterbox and tensor conversion.

import Testing
@testable import ImageIO

@Suite struct ResizeTests {
    @Test func matchesOpenCVWithinOne() throws {
        let spec = try Fixtures.manifest()["resize"] as? [String: Any] ?? [:]
        let source = try decodeImage(try Fixtures.bytes(spec["source"] as? String ?? ""))
        let cases = spec["cases"] as? [[String: Any]] ?? []
        #expect(cases.count >= 9)
        for c in cases {
            var input = source
            if let r = c["crop"] as? [Int] {
                input = try crop(source, x: r[0], y: r[1], width: r[2], height: r[3])
            }
            let method: ResizeMethod = c["method"] as? String == "area" ? .area : .bilinear
            let w = c["width"] as? Int ?? 0, h = c["height"] as? Int ?? 0
            let out = try resize(input, width: w, height: h, method: method)
            let expected = try Fixtures.ppm(c["expected"] as? String ?? "")
            #expect(maxAbsDiff(out, expected) <= 1, "\(c["expected"] ?? ""): max diff \(maxAbsDiff(out, expected))")
        }
    }

    @Test func fastKernelsMatchReferenceTwins() throws {
        let image = noiseImage(width: 53, height: 29)
        for (w, h) in [(20, 11), (53, 29), (100, 61), (7, 3), (1, 1), (106, 29)] {
            let fast = try resize(image, width: w, height: h, method: .bilinear)
            #expect(maxAbsDiff(fast, resizeBilinearReference(image, width: w, height: h)) <= 1, "bilinear \(w)x\(h)")
        }
        for (w, h) in [(26, 14), (17, 9), (10, 10), (1, 1), (53, 7), (53, 29)] {
            let fast = try resize(image, width: w, height: h, method: .area)
            #expect(maxAbsDiff(fast, resizeAreaReference(image, width: w, height: h)) <= 1, "area \(w)x\(h)")
        }
    }

    /// Integer factors take the block-mean path; it must agree with the general area kernel.
    @Test func integerAreaFactorsMatchGeneralKernel() throws {
        let image = noiseImage(width: 48, height: 36)
        for (w, h) in [(24, 18), (12, 9), (16, 12), (48, 12), (6, 36), (1, 1)] {
            let fast = try resize(image, width: w, height: h, method: .area)
            var general = [UInt8](repeating: 0, count: w * h * 3)
            image.pixels.withUnsafeBufferPointer { src in
                general.withUnsafeMutableBufferPointer { dst in
                    resizeAreaKernel(src: src.baseAddress!, sw: 48, sh: 36, dst: dst.baseAddress!, dw: w, dh: h)
                }
            }
            #expect(maxAbsDiff(fast, RGBImage(uncheckedWidth: w, height: h, pixels: general)) <= 1, "\(w)x\(h)")
            #expect(maxAbsDiff(fast, resizeAreaReference(image, width: w, height: h)) <= 1, "\(w)x\(h) vs reference")
        }
    }

    @Test func identityAndBadSizes() throws {
        let image = noiseImage(width: 9, height: 4)
        #expect(try resize(image, width: 9, height: 4) == image)
        #expect(throws: ImageIOError.self) { try resize(image, width: 0, height: 4) }
    }

    @Test func cropCutsTheRectangle() throws {
        let image = noiseImage(width: 10, height: 8)
        let c = try crop(image, x: 3, y: 2, width: 4, height: 5)
        #expect(c.width == 4 && c.height == 5)
        #expect(c.pixel(x: 0, y: 0) == image.pixel(x: 3, y: 2))
        #expect(c.pixel(x: 3, y: 4) == image.pixel(x: 6, y: 6))
        #expect(throws: ImageIOError.self) { try crop(image, x: 8, y: 0, width: 4, height: 1) }
    }

    @Test func letterboxFitsCentresAndPads() throws {
        let image = try RGBImage(width: 1280, height: 720, fill: .red)
        let (out, box) = try letterbox(image, width: 320, height: 320)
        #expect(out.width == 320 && out.height == 320)
        #expect(box.contentWidth == 320 && box.contentHeight == 180 && box.offsetX == 0 && box.offsetY == 70)
        #expect(out.pixel(x: 0, y: 0) == .letterboxGray)
        #expect(out.pixel(x: 160, y: 69) == .letterboxGray)
        #expect(out.pixel(x: 160, y: 70) == .red)
        #expect(out.pixel(x: 319, y: 249) == .red)
        #expect(out.pixel(x: 319, y: 250) == .letterboxGray)
        let back = box.toSource(x: 160, y: 160)
        #expect(abs(back.x - 640) < 1e-9 && abs(back.y - 360) < 1e-9)
    }
}

@Suite struct TensorTests {
    @Test func nchwMatchesReferenceExactly() throws {
        let image = noiseImage(width: 13, height: 7)
        for n in [TensorNormalization(), .imagenet,
                  TensorNormalization(scale: 1, mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395], order: .bgr)] {
            let t = try toNCHW(image, normalization: n)
            #expect(t == toNCHWReference(image, normalization: n))
        }
    }

    @Test func layoutAndChannelOrder() throws {
        var image = try RGBImage(width: 2, height: 1, fill: .black)
        image.pixels = [10, 20, 30, 40, 50, 60]
        let rgb = try toNCHW(image, normalization: TensorNormalization(scale: 1))
        #expect(rgb == [10, 40, 20, 50, 30, 60])
        let bgr = try toNCHW(image, normalization: TensorNormalization(scale: 1, order: .bgr))
        #expect(bgr == [30, 60, 20, 50, 10, 40])
        let norm = try toNCHW(image, normalization: TensorNormalization(scale: 1, mean: [10, 20, 30], std: [2, 4, 5]))
        #expect(norm == [0, 15, 0, 7.5, 0, 6])
    }

    @Test func writesIntoCallerBufferAndChecksIt() throws {
        let image = noiseImage(width: 4, height: 3)
        var buffer = [Float](repeating: -1, count: 36)
        try buffer.withUnsafeMutableBufferPointer { try writeNCHW(image, into: $0) }
        #expect(buffer == (try toNCHW(image)))
        var small = [Float](repeating: 0, count: 35)
        #expect(throws: ImageIOError.bufferSize(expected: 36, found: 35)) {
            try small.withUnsafeMutableBufferPointer { try writeNCHW(image, into: $0) }
        }
        #expect(throws: ImageIOError.self) { try toNCHW(image, normalization: TensorNormalization(std: [1, 0, 1])) }
    }
}

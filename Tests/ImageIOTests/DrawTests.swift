// Overlay drawing: rectangles, masks with alpha, bitmap-font labels.

import Foundation
import Testing
@testable import ImageIO

@Suite struct DrawTests {
    @Test func rectangleOutlineInsideTheBox() throws {
        var image = try RGBImage(width: 20, height: 20, fill: .black)
        drawRectangle(on: &image, x1: 5, y1: 5, x2: 15, y2: 15, color: .red, thickness: 2)
        #expect(image.pixel(x: 5, y: 5) == .red)
        #expect(image.pixel(x: 6, y: 10) == .red)
        #expect(image.pixel(x: 14, y: 14) == .red)
        #expect(image.pixel(x: 13, y: 10) == .red)
        #expect(image.pixel(x: 7, y: 7) == .black)
        #expect(image.pixel(x: 12, y: 12) == .black)
        #expect(image.pixel(x: 15, y: 15) == .black)
        #expect(image.pixel(x: 4, y: 5) == .black)
        var count = 0
        for y in 0..<20 { for x in 0..<20 where image.pixel(x: x, y: y) == .red { count += 1 } }
        #expect(count == 100 - 36)
    }

    @Test func shapesClipAndNeverTrap() throws {
        var image = try RGBImage(width: 8, height: 6, fill: .black)
        drawRectangle(on: &image, x1: -5, y1: -5, x2: 4, y2: 3, color: .green, thickness: 1)
        #expect(image.pixel(x: 3, y: 0) == .green && image.pixel(x: 0, y: 2) == .green && image.pixel(x: 2, y: 1) == .black)
        drawRectangle(on: &image, x1: Float.nan, y1: 0, x2: 3, y2: 3, color: .red)
        drawRectangle(on: &image, x1: -1e30, y1: -1e30, x2: 1e30, y2: 1e30, color: .blue, thickness: 1)
        drawRectangle(on: &image, x1: 100, y1: 100, x2: 200, y2: 200, color: .red)
        drawText(on: &image, "far away", x: 1000, y: -1000, color: .white, background: .black)
        drawLabel(on: &image, "id 12", boxX: 7, boxY: 5, color: .yellow)
        #expect(image.pixels.count == 8 * 6 * 3)
    }

    @Test func maskBlendsWithAlphaAndScales() throws {
        var image = try RGBImage(width: 4, height: 2, fill: RGBColor(r: 100, g: 100, b: 100))
        // 2x1 mask on a 4x2 image: label 0 (no colour) left half, label 1 (red) right half.
        try blendMask(on: &image, labels: [0, 1], maskWidth: 2, maskHeight: 1, colors: [nil, .red], alpha: 0.5)
        #expect(image.pixel(x: 0, y: 0) == RGBColor(r: 100, g: 100, b: 100))
        #expect(image.pixel(x: 1, y: 1) == RGBColor(r: 100, g: 100, b: 100))
        #expect(image.pixel(x: 2, y: 0) == RGBColor(r: 178, g: 50, b: 50))
        #expect(image.pixel(x: 3, y: 1) == RGBColor(r: 178, g: 50, b: 50))
        #expect(throws: ImageIOError.bufferSize(expected: 2, found: 3)) {
            try blendMask(on: &image, labels: [0, 1, 2], maskWidth: 2, maskHeight: 1, colors: [nil, .red])
        }
        #expect(throws: ImageIOError.self) {
            try blendMask(on: &image, labels: [0, 1], maskWidth: 2, maskHeight: 1, colors: [nil, .red], alpha: 2)
        }
        // labels beyond the palette are left alone
        try blendMask(on: &image, labels: [255, 7], maskWidth: 2, maskHeight: 1, colors: [.blue], alpha: 1)
        #expect(image.pixel(x: 0, y: 0) == RGBColor(r: 100, g: 100, b: 100))
    }

    /// Every glyph drawn at scale 1 reads back as its bitmap; lowercase draws as uppercase.
    @Test func glyphsRenderTheirBitmaps() throws {
        for (ch, rows) in BitmapFont.glyphs {
            var image = try RGBImage(width: 7, height: 9, fill: .black)
            drawText(on: &image, String(ch), x: 1, y: 1, color: .white)
            for r in 0..<7 {
                for c in 0..<5 {
                    let on = rows[r] & (0b10000 >> UInt8(c)) != 0
                    #expect((image.pixel(x: 1 + c, y: 1 + r) == .white) == on, "glyph \(ch) at \(c),\(r)")
                }
            }
        }
        var lower = try RGBImage(width: 80, height: 20, fill: .black)
        var upper = lower
        drawText(on: &lower, "vehicle 0.87", x: 2, y: 2, color: .white, scale: 2)
        drawText(on: &upper, "VEHICLE 0.87", x: 2, y: 2, color: .white, scale: 2)
        #expect(lower == upper)
        #expect(textSize("vehicle 0.87").width == 71 && textSize("vehicle 0.87", scale: 2) == (142, 14))
    }

    @Test func labelSitsAboveTheBox() throws {
        var image = try RGBImage(width: 100, height: 60, fill: .black)
        drawLabel(on: &image, "id 12", boxX: 10, boxY: 40, color: .yellow, scale: 2)
        // tab: 5 chars * 6 - 1 = 29 font px = 58 px text + 4 px margins; 14 + 4 px tall above y=40
        #expect(image.pixel(x: 10, y: 39) == .yellow)
        #expect(image.pixel(x: 10, y: 22) == .yellow)
        #expect(image.pixel(x: 10, y: 21) == .black)
        #expect(image.pixel(x: 71, y: 30) == .yellow && image.pixel(x: 72, y: 30) == .black)
        #expect(image.pixel(x: 10, y: 40) == .black)
        // near the right edge the tab shifts left to stay readable
        var edge = try RGBImage(width: 100, height: 60, fill: .black)
        drawLabel(on: &edge, "id 12", boxX: 90, boxY: 40, color: .yellow, scale: 2)
        #expect(edge.pixel(x: 99, y: 39) == .yellow && edge.pixel(x: 38, y: 39) == .yellow && edge.pixel(x: 37, y: 39) == .black)
    }

    /// Draws a full overlay on a real frame; set IMAGEIO_OVERLAY_PNG=/path to look at it.
    @Test func overlayOnRealFrame() throws {
        var frame = try decodeImage(try Fixtures.bytes("jpeg/udacity_test1_320x180_q90.jpg"))
        var labels = [UInt8](repeating: 0, count: 160 * 90)
        for y in 60..<90 { for x in (80 - (y - 60))..<(80 + (y - 60)) { labels[y * 160 + x] = 1 } }
        try blendMask(on: &frame, labels: labels, maskWidth: 160, maskHeight: 90, colors: [nil, .green], alpha: 0.4)
        drawRectangle(on: &frame, x1: 250, y1: 95, x2: 310, y2: 130, color: classPalette[0], thickness: 2)
        drawLabel(on: &frame, "vehicle 0.87", boxX: 250, boxY: 95, color: classPalette[0], scale: 1)
        drawLabel(on: &frame, "id 12", boxX: 20, boxY: 20, color: .yellow, scale: 2)
        let png = try encodePNG(frame)
        #expect(try decodeImage(png) == frame)
        if let path = ProcessInfo.processInfo.environment["IMAGEIO_OVERLAY_PNG"] {
            try Data(png).write(to: URL(fileURLWithPath: path))
        }
    }
}

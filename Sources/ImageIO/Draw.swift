// Overlay drawing on RGBImage: box outlines, alpha-blended class masks, bitmap-font labels.
// Everything clips to the image: shapes partly or wholly outside are drawn partly or not at all.

/// Outlines the box [x1, x2) × [y1, y2) with lines `thickness` pixels wide, drawn inside the box.
public func drawRectangle(on image: inout RGBImage, x1: Int, y1: Int, x2: Int, y2: Int,
                          color: RGBColor, thickness: Int = 2) {
    guard x2 > x1, y2 > y1, thickness > 0 else { return }
    let t = min(thickness, (x2 - x1 + 1) / 2, (y2 - y1 + 1) / 2)
    fillRectangle(on: &image, x1: x1, y1: y1, x2: x2, y2: y1 + t, color: color)      // top
    fillRectangle(on: &image, x1: x1, y1: y2 - t, x2: x2, y2: y2, color: color)      // bottom
    fillRectangle(on: &image, x1: x1, y1: y1 + t, x2: x1 + t, y2: y2 - t, color: color)  // left
    fillRectangle(on: &image, x1: x2 - t, y1: y1 + t, x2: x2, y2: y2 - t, color: color)  // right
}

/// Same, for a box in float pixel coordinates (rounded to the nearest pixel edge).
public func drawRectangle(on image: inout RGBImage, x1: Float, y1: Float, x2: Float, y2: Float,
                          color: RGBColor, thickness: Int = 2) {
    guard x1.isFinite, y1.isFinite, x2.isFinite, y2.isFinite else { return }
    func px(_ v: Float) -> Int { Int(max(-1e6, min(1e6, v)).rounded()) }
    drawRectangle(on: &image, x1: px(x1), y1: px(y1), x2: px(x2), y2: px(y2), color: color, thickness: thickness)
}

/// Fills [x1, x2) × [y1, y2) with a solid colour (clipped).
public func fillRectangle(on image: inout RGBImage, x1: Int, y1: Int, x2: Int, y2: Int, color: RGBColor) {
    let ax = max(0, x1), bx = min(image.width, x2)
    let ay = max(0, y1), by = min(image.height, y2)
    guard ax < bx, ay < by, image.pixels.count == image.width * image.height * 3 else { return }
    let w = image.width
    image.pixels.withUnsafeMutableBufferPointer { px in
        for y in ay..<by {
            var i = (y * w + ax) * 3
            for _ in ax..<bx {
                px[i] = color.r
                px[i + 1] = color.g
                px[i + 2] = color.b
                i += 3
            }
        }
    }
}

/// Blends a class mask over the image: pixel = round(pixel * (1 - alpha) + colour * alpha) where
/// the label has a colour in `colors` (indexed by label; nil or out of range = left untouched).
/// A mask of another size is sampled nearest-neighbour (mask pixel centres onto image pixel centres).
/// Shapes: labels maskHeight×maskWidth u8, row-major.
public func blendMask(on image: inout RGBImage, labels: [UInt8], maskWidth: Int, maskHeight: Int,
                      colors: [RGBColor?], alpha: Float = 0.5) throws(ImageIOError) {
    try checkImage(image)
    guard maskWidth > 0, maskHeight > 0 else {
        throw .invalidDimensions(expected: "mask size > 0", width: maskWidth, height: maskHeight)
    }
    guard labels.count == maskWidth * maskHeight else {
        throw .bufferSize(expected: maskWidth * maskHeight, found: labels.count)
    }
    guard alpha.isFinite, (0...1).contains(alpha) else {
        throw .invalidArgument(name: "mask alpha", expected: "0...1", found: "\(alpha)")
    }
    // Per label: the colour premultiplied by alpha, so each blend is one multiply-add per channel.
    var active = [Bool](repeating: false, count: 256)
    var pre = [Float](repeating: 0, count: 256 * 3)
    for (label, c) in colors.prefix(256).enumerated() {
        guard let c else { continue }
        active[label] = true
        pre[label * 3] = Float(c.r) * alpha
        pre[label * 3 + 1] = Float(c.g) * alpha
        pre[label * 3 + 2] = Float(c.b) * alpha
    }
    let keep = 1 - alpha
    let w = image.width, h = image.height
    let mx = (0..<w).map { min(maskWidth - 1, ($0 * maskWidth * 2 + maskWidth) / (2 * w)) }
    image.pixels.withUnsafeMutableBufferPointer { px in
        for y in 0..<h {
            let my = min(maskHeight - 1, (y * maskHeight * 2 + maskHeight) / (2 * h))
            let row = my * maskWidth
            for x in 0..<w {
                let label = Int(labels[row + mx[x]])
                guard active[label] else { continue }
                let i = (y * w + x) * 3
                for c in 0..<3 {
                    px[i + c] = UInt8(clamping: Int(Float(px[i + c]) * keep + pre[label * 3 + c] + 0.5))
                }
            }
        }
    }
}

/// Size in pixels of `text` drawn at `scale` (each font pixel is scale×scale).
public func textSize(_ text: String, scale: Int = 1) -> (width: Int, height: Int) {
    let s = max(1, scale)
    let n = text.count
    return (n == 0 ? 0 : (n * BitmapFont.advance - 1) * s, BitmapFont.glyphHeight * s)
}

/// Draws `text` with its top-left corner at (x, y) in the 5x7 bitmap font, each font pixel
/// scale×scale; an optional background box with a 1-font-pixel margin goes behind it.
public func drawText(on image: inout RGBImage, _ text: String, x: Int, y: Int, color: RGBColor,
                     background: RGBColor? = nil, scale: Int = 1) {
    let s = max(1, min(scale, 64))
    if let background {
        let size = textSize(text, scale: s)
        fillRectangle(on: &image, x1: x - s, y1: y - s, x2: x + size.width + s, y2: y + size.height + s, color: background)
    }
    var penX = x
    for ch in text {
        let rows = BitmapFont.rows(ch)
        for (r, bits) in rows.enumerated() {
            for col in 0..<BitmapFont.glyphWidth where bits & (0b10000 >> UInt8(col)) != 0 {
                let px = penX + col * s, py = y + r * s
                fillRectangle(on: &image, x1: px, y1: py, x2: px + s, y2: py + s, color: color)
            }
        }
        penX += BitmapFont.advance * s
    }
}

/// A detection-style label: text on a filled tab of `color`, sitting on top of the box's top-left
/// corner (or just inside the box when there is no room above), shifted left if it would run off
/// the right edge. Text is black or white, whichever reads better on `color`.
public func drawLabel(on image: inout RGBImage, _ text: String, boxX: Int, boxY: Int, color: RGBColor, scale: Int = 2) {
    let s = max(1, scale)
    let size = textSize(text, scale: s)
    let tabHeight = size.height + 2 * s
    let top = boxY - tabHeight >= 0 ? boxY - tabHeight : boxY
    let tabWidth = size.width + 2 * s
    let left = max(0, min(boxX, image.width - tabWidth))
    let luma = 299 * Int(color.r) + 587 * Int(color.g) + 114 * Int(color.b)
    let ink: RGBColor = luma > 128_000 ? .black : .white
    fillRectangle(on: &image, x1: left, y1: top, x2: left + tabWidth, y2: top + tabHeight, color: color)
    drawText(on: &image, text, x: left + s, y: top + s, color: ink, scale: s)
}

/// Fixed distinct colours for class ids (overlays): index = class id.
public let classPalette: [RGBColor] = [
    RGBColor(r: 255, g: 56, b: 56), RGBColor(r: 255, g: 157, b: 151), RGBColor(r: 255, g: 112, b: 31),
    RGBColor(r: 255, g: 178, b: 29), RGBColor(r: 207, g: 210, b: 49), RGBColor(r: 72, g: 249, b: 10),
    RGBColor(r: 146, g: 204, b: 23), RGBColor(r: 61, g: 219, b: 134), RGBColor(r: 26, g: 147, b: 52),
    RGBColor(r: 0, g: 212, b: 187), RGBColor(r: 44, g: 153, b: 168), RGBColor(r: 0, g: 194, b: 255),
]

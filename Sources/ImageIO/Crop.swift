// Crop and letterbox: cut a rectangle out; scale to fit a canvas keeping aspect ratio and pad.

/// Cuts the rectangle [x, x+width) × [y, y+height), which must lie inside the image.
public func crop(_ image: RGBImage, x: Int, y: Int, width: Int, height: Int) throws(ImageIOError) -> RGBImage {
    try checkImage(image)
    guard width > 0, height > 0 else {
        throw .invalidDimensions(expected: "crop size > 0", width: width, height: height)
    }
    guard x >= 0, y >= 0, x + width <= image.width, y + height <= image.height else {
        throw .invalidArgument(name: "crop rectangle",
                               expected: "inside 0,0 \(image.width)x\(image.height)",
                               found: "\(x),\(y) \(width)x\(height)")
    }
    var out = [UInt8]()
    out.reserveCapacity(width * height * 3)
    for row in y..<(y + height) {
        let start = (row * image.width + x) * 3
        out.append(contentsOf: image.pixels[start..<(start + width * 3)])
    }
    return RGBImage(uncheckedWidth: width, height: height, pixels: out)
}

/// Where the scaled image sits inside a letterboxed canvas, to map results back.
public struct Letterbox: Sendable, Equatable {
    /// canvas pixels per source pixel (same in x and y)
    public var scale: Double
    /// top-left of the scaled image in the canvas
    public var offsetX: Int
    public var offsetY: Int
    /// size of the scaled image inside the canvas
    public var contentWidth: Int
    public var contentHeight: Int

    /// Canvas coordinates → source image coordinates.
    public func toSource(x: Double, y: Double) -> (x: Double, y: Double) {
        ((x - Double(offsetX)) / scale, (y - Double(offsetY)) / scale)
    }

    /// Source image coordinates → canvas coordinates.
    public func toCanvas(x: Double, y: Double) -> (x: Double, y: Double) {
        (x * scale + Double(offsetX), y * scale + Double(offsetY))
    }
}

/// Scales the image to fit width×height keeping its aspect ratio, centres it, and pads the
/// rest with `pad`. Resampling uses `method` (.auto: area averaging when shrinking ≥ 2x).
public func letterbox(_ image: RGBImage, width: Int, height: Int, pad: RGBColor = .letterboxGray,
                      method: ResizeMethod = .auto) throws(ImageIOError) -> (image: RGBImage, box: Letterbox) {
    try checkImage(image)
    guard width > 0, height > 0 else {
        throw .invalidDimensions(expected: "letterbox size > 0", width: width, height: height)
    }
    let scale = min(Double(width) / Double(image.width), Double(height) / Double(image.height))
    let cw = max(1, min(width, Int((Double(image.width) * scale).rounded())))
    let ch = max(1, min(height, Int((Double(image.height) * scale).rounded())))
    let scaled = try resize(image, width: cw, height: ch, method: method)
    let ox = (width - cw) / 2, oy = (height - ch) / 2
    var canvas = try RGBImage(width: width, height: height, fill: pad)
    canvas.pixels.withUnsafeMutableBufferPointer { dst in
        scaled.pixels.withUnsafeBufferPointer { src in
            guard let d = dst.baseAddress, let s = src.baseAddress else { return }
            for row in 0..<ch {
                (d + ((row + oy) * width + ox) * 3).update(from: s + row * cw * 3, count: cw * 3)
            }
        }
    }
    return (canvas, Letterbox(scale: scale, offsetX: ox, offsetY: oy, contentWidth: cw, contentHeight: ch))
}

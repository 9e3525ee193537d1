// RGBImage: the frame type every stage passes around.
// Shape: HWC, RGB8, rows packed (no padding): pixel (x, y) channel c is at (y * width + x) * 3 + c.

public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// HWC RGB8, `width * height * 3` bytes, top row first.
    public var pixels: [UInt8]

    /// Wraps existing pixels; throws when `pixels.count != width * height * 3` or a dimension is not positive.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(ImageIOError) {
        guard width > 0, height > 0 else {
            throw .invalidDimensions(expected: "width > 0 and height > 0", width: width, height: height)
        }
        guard pixels.count == width * height * 3 else {
            throw .bufferSize(expected: width * height * 3, found: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A solid image of one colour (dimensions must be positive).
    public init(width: Int, height: Int, fill: RGBColor = .black) throws(ImageIOError) {
        guard width > 0, height > 0 else {
            throw .invalidDimensions(expected: "width > 0 and height > 0", width: width, height: height)
        }
        let count = width * height * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
            var i = 0
            while i < count {
                buffer[i] = fill.r
                buffer[i + 1] = fill.g
                buffer[i + 2] = fill.b
                i += 3
            }
            initialised = count
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Internal: trusted constructor for buffers this module built with the right size.
    init(uncheckedWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at (x, y); nil outside the image.
    public func pixel(x: Int, y: Int) -> RGBColor? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * 3
        return RGBColor(r: pixels[i], g: pixels[i + 1], b: pixels[i + 2])
    }
}

/// An 8-bit RGB colour (overlays, padding, fills).
public struct RGBColor: Sendable, Equatable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }
    public static let black = RGBColor(r: 0, g: 0, b: 0)
    public static let white = RGBColor(r: 255, g: 255, b: 255)
    public static let red = RGBColor(r: 255, g: 0, b: 0)
    public static let green = RGBColor(r: 0, g: 255, b: 0)
    public static let blue = RGBColor(r: 0, g: 0, b: 255)
    public static let yellow = RGBColor(r: 255, g: 255, b: 0)
    /// The grey YOLO-style letterboxes pad with.
    public static let letterboxGray = RGBColor(r: 114, g: 114, b: 114)
}

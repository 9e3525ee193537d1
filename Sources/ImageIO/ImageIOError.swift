// ImageIOError: every failure of this module, typed; each case carries what was expected and what was found.

public enum ImageIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the smallest file of any supported format.
    case tooShort(expectedAtLeast: Int, found: Int)
    /// The magic bytes are neither JPEG nor PNG. `found` is the first bytes (hex) plus a guess at what it is.
    case unknownFormat(expected: String, found: String)
    /// The header claims more pixels than the configured limit; refused before allocating.
    case tooManyPixels(limit: Int, width: Int, height: Int)
    /// Width/height not acceptable (zero, negative, or over a codec's own limit).
    case invalidDimensions(expected: String, width: Int, height: Int)
    /// The codec library rejected the data (corrupt, truncated, unsupported): its own message.
    case decodeFailed(format: ImageFormat, message: String)
    /// The codec library refused to encode.
    case encodeFailed(format: ImageFormat, message: String)
    /// The decoder produced a different size than the header promised.
    case outputSize(expectedWidth: Int, expectedHeight: Int, foundWidth: Int, foundHeight: Int)
    /// A buffer (pixels, tensor, mask) does not hold the number of elements its shape needs.
    case bufferSize(expected: Int, found: Int)
    /// A parameter is out of its range.
    case invalidArgument(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .tooShort(expectedAtLeast, found):
            return "image data too short: expected at least \(expectedAtLeast) bytes, found \(found)"
        case let .unknownFormat(expected, found):
            return "unrecognised image format: expected \(expected), found \(found)"
        case let .tooManyPixels(limit, width, height):
            return "image too large: header claims \(width)x\(height) = \(width * height) pixels, limit is \(limit)"
        case let .invalidDimensions(expected, width, height):
            return "invalid image dimensions: expected \(expected), found \(width)x\(height)"
        case let .decodeFailed(format, message):
            return "\(format) decode failed: \(message)"
        case let .encodeFailed(format, message):
            return "\(format) encode failed: \(message)"
        case let .outputSize(ew, eh, fw, fh):
            return "decoder output size mismatch: expected \(ew)x\(eh), found \(fw)x\(fh)"
        case let .bufferSize(expected, found):
            return "buffer size mismatch: expected \(expected) elements, found \(found)"
        case let .invalidArgument(name, expected, found):
            return "invalid \(name): expected \(expected), found \(found)"
        }
    }
}

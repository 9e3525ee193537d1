// ImageFormat: the encoded formats we read and write, recognised by magic bytes only.

public enum ImageFormat: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case jpeg
    case png

    public var description: String { self == .jpeg ? "JPEG" : "PNG" }

    /// JPEG starts with SOI (FF D8) followed by a marker (FF).
    static let jpegMagic: [UInt8] = [0xFF, 0xD8, 0xFF]
    /// PNG's 8-byte signature.
    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}

/// The format of an encoded image, from its first bytes (the file name is never trusted).
/// Returns nil for anything that is not JPEG or PNG.
public func sniffImageFormat(_ bytes: [UInt8]) -> ImageFormat? {
    if bytes.starts(with: ImageFormat.pngMagic) { return .png }
    if bytes.starts(with: ImageFormat.jpegMagic) { return .jpeg }
    return nil
}

/// A human name for well-known formats we do not decode, to make errors clearer.
func describeForeignMagic(_ bytes: [UInt8]) -> String? {
    func has(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
    if has([0x47, 0x49, 0x46, 0x38]) { return "GIF" }
    if has([0x42, 0x4D]) { return "BMP" }
    if has([0x52, 0x49, 0x46, 0x46]), bytes.count >= 12, Array(bytes[8..<12]) == [0x57, 0x45, 0x42, 0x50] { return "WebP" }
    if has([0x49, 0x49, 0x2A, 0x00]) || has([0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF" }
    if has([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50]) || has([0xFF, 0x4F, 0xFF, 0x51]) { return "JPEG 2000" }
    if bytes.count >= 12, Array(bytes[4..<8]) == [0x66, 0x74, 0x79, 0x70] { return "ISO media (HEIF/AVIF/MP4)" }
    if has([0x50, 0x35]) || has([0x50, 0x36]) { return "PNM" }
    if has([0x25, 0x50, 0x44, 0x46]) { return "PDF" }
    if has([0xFF, 0xD8]) { return "JPEG SOI without a following marker" }
    let head = bytes.prefix(64)
    if !head.isEmpty, head.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20...0x7E).contains($0) }) {
        return "text"
    }
    return nil
}

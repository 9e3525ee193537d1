// PNG decode/encode through libpng's simplified API (png_image_*), which needs no setjmp.
// Every PNG kind (1..16-bit, gray, gray+alpha, palette, tRNS, RGBA, interlaced) comes out as RGB8:
// 16-bit samples without gAMA/sRGB are read as sRGB-encoded (scaled, not gamma-mapped), and an
// alpha channel is composited onto black (`pngBackground`).

import CPNG

/// The colour alpha images are composited onto when decoded to RGB.
public let pngBackground = RGBColor.black

/// Header of a PNG as libpng reports it.
public struct PNGInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// libpng's PNG_FORMAT_* flags of the file (alpha 1, colour 2, linear/16-bit 4, colormap 8).
    public var format: UInt32
}

/// The png_image control block lives on the heap: libpng keeps a pointer to it between
/// begin_read and finish_read (a `&local` would only be valid for one call).
final class PNGReader {
    let image: UnsafeMutablePointer<png_image>

    init() {
        image = .allocate(capacity: 1)
        image.initialize(to: png_image())
        image.pointee.version = UInt32(PNG_IMAGE_VERSION)
    }

    deinit {
        png_image_free(image)
        image.deinitialize(count: 1)
        image.deallocate()
    }

    var message: String { pngMessage(image) }
}

/// Reads only the PNG header.
public func readPNGInfo(_ bytes: [UInt8]) throws(ImageIOError) -> PNGInfo {
    let reader = PNGReader()
    let ok = bytes.withUnsafeBytes { png_image_begin_read_from_memory(reader.image, $0.baseAddress, $0.count) }
    guard ok != 0 else { throw .decodeFailed(format: .png, message: reader.message) }
    let img = reader.image.pointee
    return PNGInfo(width: Int(img.width), height: Int(img.height), format: img.format)
}

/// Decodes a PNG to RGB8 at full size (the options' target size is ignored: PNG has no cheap
/// reduced decode). The header is checked against the pixel limit before the pixels are allocated.
public func decodePNG(_ bytes: [UInt8], options: DecodeOptions = .init()) throws(ImageIOError) -> RGBImage {
    try validate(options)
    guard hasIEND(bytes) else {
        throw .decodeFailed(format: .png, message: "no IEND chunk: file truncated (expected 00 00 00 00 'IEND' AE 42 60 82 at the end)")
    }
    let result = bytes.withUnsafeBytes { decodePNG(data: $0, maxPixels: options.maxPixels) }
    return try result.get()
}

/// The decode proper, over the bytes' storage (a Result because withUnsafeBytes rethrows untyped).
func decodePNG(data: UnsafeRawBufferPointer, maxPixels: Int) -> Result<RGBImage, ImageIOError> {
    let reader = PNGReader()
    guard png_image_begin_read_from_memory(reader.image, data.baseAddress, data.count) != 0 else {
        return .failure(.decodeFailed(format: .png, message: reader.message))
    }
    let width = Int(reader.image.pointee.width)
    let height = Int(reader.image.pointee.height)
    do {
        try checkHeader(width: width, height: height, maxPixels: maxPixels)
    } catch {
        return .failure(error)
    }
    reader.image.pointee.format = UInt32(PNG_FORMAT_RGB)
    reader.image.pointee.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
    let count = width * height * 3
    var background = png_color(red: pngBackground.r, green: pngBackground.g, blue: pngBackground.b)
    var ok: Int32 = 0
    let pixels = [UInt8](unsafeUninitializedCapacity: count) { out, initialised in
        ok = png_image_finish_read(reader.image, &background, out.baseAddress, Int32(width * 3), nil)
        initialised = ok != 0 ? count : 0
    }
    guard ok != 0 else { return .failure(.decodeFailed(format: .png, message: reader.message)) }
    return .success(RGBImage(uncheckedWidth: width, height: height, pixels: pixels))
}

/// Encodes RGB8 as an 8-bit RGB PNG (lossless).
public func encodePNG(_ image: RGBImage) throws(ImageIOError) -> [UInt8] {
    guard image.width > 0, image.height > 0, image.width <= 0x7FFF_FFFF / 3, image.height <= 0x7FFF_FFFF else {
        throw .invalidDimensions(expected: "positive dimensions within PNG limits", width: image.width, height: image.height)
    }
    guard image.pixels.count == image.width * image.height * 3 else {
        throw .bufferSize(expected: image.width * image.height * 3, found: image.pixels.count)
    }
    let png = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
    png.initialize(to: png_image())
    defer {
        png_image_free(png)
        png.deinitialize(count: 1)
        png.deallocate()
    }
    png.pointee.version = UInt32(PNG_IMAGE_VERSION)
    png.pointee.width = UInt32(image.width)
    png.pointee.height = UInt32(image.height)
    png.pointee.format = UInt32(PNG_FORMAT_RGB)
    // Upper bound of the PNG stream (zlib's deflateBound plus chunk overhead), so one pass suffices.
    let raw = (image.width * 3 + 1) * image.height
    var capacity = raw + raw / 8 + raw / 64 + 4096 + 12 * (raw / 8192 + 1)
    var written = 0
    var ok: Int32 = 0
    var out = [UInt8](repeating: 0, count: capacity)
    image.pixels.withUnsafeBytes { px in
        out.withUnsafeMutableBytes { dst in
            ok = png_image_write_to_memory(png, dst.baseAddress, &capacity, 0, px.baseAddress, Int32(image.width * 3), nil)
        }
    }
    guard ok != 0 else { throw .encodeFailed(format: .png, message: pngMessage(png)) }
    written = capacity
    out.removeLast(out.count - written)
    return out
}

/// libpng stops reading once it has the image data, so a file cut after its last IDAT would
/// decode silently: require the 12-byte IEND chunk (trailing bytes after it are tolerated).
func hasIEND(_ bytes: [UInt8]) -> Bool {
    let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
    guard bytes.count >= 8 + 12 else { return false }
    var start = bytes.count - 12
    while start >= 8 {
        if bytes[start + 4] == 0x49, bytes[start..<(start + 12)].elementsEqual(iend) { return true }
        start -= 1
    }
    return false
}

func pngMessage(_ image: UnsafeMutablePointer<png_image>) -> String {
    let text = withUnsafeBytes(of: image.pointee.message) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    return text.isEmpty ? "unknown libpng error" : text
}

// PNG decode/encode through libpng. Decoding runs inside the C shim's setjmp frame
// (Sources/CPNG/shim.h: libpng 1.6.39's simplified reader mis-decodes 16-bit interlaced files,
// so the classic API is used); encoding uses the simplified png_image API, which needs no setjmp.
// Every PNG kind (1..16-bit, gray, gray+alpha, palette, tRNS, RGB, RGBA, interlaced) comes out as
// RGB8: raw samples (no gamma), 16-bit rounded to 8, alpha composited onto black (`pngBackground`).

import CPNG

/// The colour alpha images are composited onto when decoded to RGB.
public let pngBackground = RGBColor.black

/// Header of a PNG.
public struct PNGInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// bits per sample: 1, 2, 4, 8 or 16
    public var bitDepth: Int
    /// PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA
    public var colorType: Int
    public var interlaced: Bool
}

/// Reads only the PNG header (the chunks before the first IDAT).
public func readPNGInfo(_ bytes: [UInt8]) throws(ImageIOError) -> PNGInfo {
    var w: Int32 = 0, h: Int32 = 0, depth: Int32 = 0, type: Int32 = 0, interlaced: Int32 = 0
    var message = [CChar](repeating: 0, count: Int(DP_PNG_MESSAGE_LENGTH))
    let rc = bytes.withUnsafeBufferPointer { data in
        message.withUnsafeMutableBufferPointer { msg in
            dp_png_read_info(data.baseAddress, data.count, &w, &h, &depth, &type, &interlaced, msg.baseAddress)
        }
    }
    guard rc == Int32(DP_PNG_OK) else {
        throw .decodeFailed(format: .png, message: rc == Int32(DP_PNG_ERR_MEMORY) ? "out of memory" : cMessage(message))
    }
    return PNGInfo(width: Int(w), height: Int(h), bitDepth: Int(depth), colorType: Int(type), interlaced: interlaced != 0)
}

/// Decodes a PNG to RGB8 at full size (the options' target size is ignored: PNG has no cheap
/// reduced decode). The header is checked against the pixel limit before the pixels are allocated.
public func decodePNG(_ bytes: [UInt8], options: DecodeOptions = .init()) throws(ImageIOError) -> RGBImage {
    let plan = try planPNG(bytes, options: options)
    var result: Result<Void, ImageIOError> = .success(())
    let pixels = [UInt8](unsafeUninitializedCapacity: plan.byteCount) { out, initialised in
        result = runPNG(bytes, plan: plan, into: out)
        initialised = (try? result.get()) != nil ? plan.byteCount : 0
    }
    try result.get()
    return RGBImage(uncheckedWidth: plan.width, height: plan.height, pixels: pixels)
}

/// Reads the header and applies the pixel limit.
func planPNG(_ bytes: [UInt8], options: DecodeOptions) throws(ImageIOError) -> DecodePlan {
    try validate(options)
    let info = try readPNGInfo(bytes)
    try checkHeader(width: info.width, height: info.height, maxPixels: options.maxPixels)
    return DecodePlan(width: info.width, height: info.height, scaleDenominator: 1)
}

/// Decodes into `out` (plan.byteCount bytes) inside the C shim's setjmp frame.
func runPNG(_ bytes: [UInt8], plan: DecodePlan, into out: UnsafeMutableBufferPointer<UInt8>) -> Result<Void, ImageIOError> {
    var message = [CChar](repeating: 0, count: Int(DP_PNG_MESSAGE_LENGTH))
    let rc = bytes.withUnsafeBufferPointer { data in
        message.withUnsafeMutableBufferPointer { msg in
            dp_png_decode_rgb(data.baseAddress, data.count, out.baseAddress, out.count,
                              Int32(plan.width), Int32(plan.height), msg.baseAddress)
        }
    }
    switch rc {
    case Int32(DP_PNG_OK):
        return .success(())
    case Int32(DP_PNG_ERR_OUTPUT_SIZE):
        return .failure(.outputSize(expectedWidth: plan.width, expectedHeight: plan.height, foundWidth: -1, foundHeight: -1))
    case Int32(DP_PNG_ERR_MEMORY):
        return .failure(.decodeFailed(format: .png, message: "out of memory"))
    case Int32(DP_PNG_ERR_ARGUMENT):
        return .failure(.bufferSize(expected: plan.byteCount, found: out.count))
    default:
        return .failure(.decodeFailed(format: .png, message: cMessage(message)))
    }
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

func pngMessage(_ image: UnsafeMutablePointer<png_image>) -> String {
    let text = withUnsafeBytes(of: image.pointee.message) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    return text.isEmpty ? "unknown libpng error" : text
}

/// A NUL-terminated C message buffer as a String.
func cMessage(_ message: [CChar]) -> String {
    let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

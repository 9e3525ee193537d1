// JPEG decode/encode through libjpeg-turbo. All libjpeg calls run inside the C shim's
// setjmp frame (Sources/CJPEG/shim.h), so errors come back as codes plus libjpeg's message.

import CJPEG

/// DCT-domain scale denominators libjpeg-turbo decodes fast (scale 1/d). libjpeg also scales by
/// M/8 for any M, but only the power-of-two block sizes have SIMD IDCTs: on the 1280x720 clip
/// (fast IDCT, ms a frame, Benchmarks/e2e/jpeg_scales.c) 3/8 took 2.4-2.5 against 1.9-2.0 for 1/2,
/// and 5/8-7/8 took 5.3-10.3 against 2.8-3.7 for the full size: the next power of two is faster.
let jpegScaleDenominators = [8, 4, 2, 1]

/// The largest reduction 1/d (d in 1, 2, 4, 8) with ceil(w/d) >= target width and ceil(h/d) >= target height.
/// A missing target puts no constraint on that dimension; no target at all gives 1.
public func jpegScaleDenominator(width: Int, height: Int, targetWidth: Int?, targetHeight: Int?) -> Int {
    if targetWidth == nil && targetHeight == nil { return 1 }
    for d in jpegScaleDenominators {
        let w = (width + d - 1) / d
        let h = (height + d - 1) / d
        if w >= (targetWidth ?? 0) && h >= (targetHeight ?? 0) { return d }
    }
    return 1
}

/// Header of a JPEG: full size and number of components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK).
public struct JPEGInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var components: Int
}

/// Reads only the JPEG header.
public func readJPEGInfo(_ bytes: [UInt8]) throws(ImageIOError) -> JPEGInfo {
    var width: Int32 = 0, height: Int32 = 0, components: Int32 = 0
    var message = [CChar](repeating: 0, count: Int(DP_JPEG_MESSAGE_LENGTH))
    let rc = bytes.withUnsafeBufferPointer { data in
        message.withUnsafeMutableBufferPointer { msg in
            dp_jpeg_read_info(data.baseAddress, UInt(data.count), &width, &height, &components, msg.baseAddress)
        }
    }
    guard rc == Int32(DP_JPEG_OK) else {
        throw .decodeFailed(format: .jpeg, message: jpegMessage(message))
    }
    return JPEGInfo(width: Int(width), height: Int(height), components: Int(components))
}

/// Decodes a JPEG to RGB8, downscaled in the DCT domain toward the options' target size.
/// The header is read first (pixel limit, scale); the pixels are then decoded straight into
/// the result's storage.
public func decodeJPEG(_ bytes: [UInt8], options: DecodeOptions = .init()) throws(ImageIOError) -> RGBImage {
    let plan = try planJPEG(bytes, options: options)
    var result: Result<Void, ImageIOError> = .success(())
    let pixels = [UInt8](unsafeUninitializedCapacity: plan.byteCount) { out, initialised in
        result = runJPEG(bytes, plan: plan, into: out)
        // On failure the buffer may be partly written; expose nothing (UInt8 needs no deinit).
        initialised = (try? result.get()) != nil ? plan.byteCount : 0
    }
    try result.get()
    return RGBImage(uncheckedWidth: plan.width, height: plan.height, pixels: pixels)
}

/// What a decode will produce, decided from the header before any pixel memory exists.
struct DecodePlan {
    var width: Int
    var height: Int
    /// JPEG DCT scale denominator (1 for PNG)
    var scaleDenominator: Int
    /// JPEG: the fast integer IDCT (DecodeOptions.fastDCT)
    var fastDCT = false
    var byteCount: Int { width * height * 3 }
}

/// Reads the header, applies the pixel limit, picks the DCT scale.
func planJPEG(_ bytes: [UInt8], options: DecodeOptions) throws(ImageIOError) -> DecodePlan {
    try validate(options)
    let info = try readJPEGInfo(bytes)
    try checkHeader(width: info.width, height: info.height, maxPixels: options.maxPixels)
    let d = jpegScaleDenominator(width: info.width, height: info.height,
                                 targetWidth: options.targetWidth, targetHeight: options.targetHeight)
    return DecodePlan(width: (info.width + d - 1) / d, height: (info.height + d - 1) / d, scaleDenominator: d,
                      fastDCT: options.fastDCT)
}

/// Decodes into `out` (plan.byteCount bytes) inside the C shim's setjmp frame.
func runJPEG(_ bytes: [UInt8], plan: DecodePlan, into out: UnsafeMutableBufferPointer<UInt8>) -> Result<Void, ImageIOError> {
    var message = [CChar](repeating: 0, count: Int(DP_JPEG_MESSAGE_LENGTH))
    let rc = bytes.withUnsafeBufferPointer { data in
        message.withUnsafeMutableBufferPointer { msg in
            dp_jpeg_decode_rgb(data.baseAddress, UInt(data.count), Int32(plan.scaleDenominator),
                               out.baseAddress, out.count, Int32(plan.width), Int32(plan.height), plan.fastDCT ? 1 : 0,
                               msg.baseAddress)
        }
    }
    switch rc {
    case Int32(DP_JPEG_OK):
        return .success(())
    case Int32(DP_JPEG_ERR_OUTPUT_SIZE):
        return .failure(.outputSize(expectedWidth: plan.width, expectedHeight: plan.height, foundWidth: -1, foundHeight: -1))
    case Int32(DP_JPEG_ERR_ARGUMENT):
        return .failure(.invalidArgument(name: "JPEG decode", expected: "scale 1/1, 1/2, 1/4, 1/8 and a buffer of \(plan.byteCount) bytes",
                                         found: "scale 1/\(plan.scaleDenominator), \(out.count) bytes"))
    default:
        return .failure(.decodeFailed(format: .jpeg, message: jpegMessage(message)))
    }
}

/// Encodes RGB8 as a baseline 4:2:0 JPEG. `quality` is libjpeg's 1...100.
public func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws(ImageIOError) -> [UInt8] {
    guard (1...100).contains(quality) else {
        throw .invalidArgument(name: "JPEG quality", expected: "1...100", found: "\(quality)")
    }
    guard image.width > 0, image.height > 0, image.width <= 65500, image.height <= 65500 else {
        throw .invalidDimensions(expected: "1...65500 in both dimensions (JPEG limit)", width: image.width, height: image.height)
    }
    guard image.pixels.count == image.width * image.height * 3 else {
        throw .bufferSize(expected: image.width * image.height * 3, found: image.pixels.count)
    }
    var out: UnsafeMutablePointer<UInt8>? = nil
    var size: UInt = 0
    var message = [CChar](repeating: 0, count: Int(DP_JPEG_MESSAGE_LENGTH))
    let rc = image.pixels.withUnsafeBufferPointer { px in
        message.withUnsafeMutableBufferPointer { msg in
            dp_jpeg_encode_rgb(px.baseAddress, Int32(image.width), Int32(image.height), Int32(quality),
                               &out, &size, msg.baseAddress)
        }
    }
    defer { dp_jpeg_free(out) }
    guard rc == Int32(DP_JPEG_OK), let out else {
        throw .encodeFailed(format: .jpeg, message: jpegMessage(message))
    }
    return Array(UnsafeBufferPointer(start: out, count: Int(size)))
}

func jpegMessage(_ message: [CChar]) -> String {
    let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let text = String(decoding: bytes, as: UTF8.self)
    return text.isEmpty ? "unknown libjpeg error" : text
}

// decodeImage: encoded bytes in memory → RGBImage, format sniffed from the magic bytes.

/// How to decode. The pixel limit is checked against the header before anything is allocated.
public struct DecodeOptions: Sendable, Equatable {
    /// Refuse images whose header claims more than this many pixels (width * height).
    public var maxPixels: Int = 40_000_000
    /// Wanted output width: JPEG decodes at the largest DCT reduction (1/2, 1/4, 1/8) that still
    /// gives at least this width (and `targetHeight`); the caller resizes the rest. nil = full size.
    public var targetWidth: Int? = nil
    /// Wanted output height, as `targetWidth`.
    public var targetHeight: Int? = nil
    /// JPEG: libjpeg's fast integer IDCT (JDCT_IFAST) instead of the accurate one (JDCT_ISLOW).
    /// Pixels may differ by a few levels; PNG ignores it.
    public var fastDCT = false

    public init(maxPixels: Int = 40_000_000, targetWidth: Int? = nil, targetHeight: Int? = nil, fastDCT: Bool = false) {
        self.maxPixels = maxPixels
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        self.fastDCT = fastDCT
    }
}

/// Smallest input we look at: a PNG signature is 8 bytes; anything shorter cannot be an image.
let minimumImageBytes = 8

/// Decodes a JPEG or PNG held in memory into RGB8. The format comes from the magic bytes.
/// PNG ignores the target size (always full size); JPEG may come back smaller than full size,
/// never smaller than the target.
public func decodeImage(_ bytes: [UInt8], options: DecodeOptions = .init()) throws(ImageIOError) -> RGBImage {
    guard bytes.count >= minimumImageBytes else {
        throw .tooShort(expectedAtLeast: minimumImageBytes, found: bytes.count)
    }
    try validate(options)
    switch sniffImageFormat(bytes) {
    case .jpeg: return try decodeJPEG(bytes, options: options)
    case .png: return try decodePNG(bytes, options: options)
    case nil:
        let hex = bytes.prefix(8).map { hexByte($0) }.joined(separator: " ")
        let what = describeForeignMagic(bytes).map { " (looks like \($0))" } ?? ""
        throw .unknownFormat(expected: "JPEG (FF D8 FF) or PNG (89 50 4E 47 0D 0A 1A 0A) magic bytes", found: hex + what)
    }
}

/// Decodes into an existing image, reusing its pixel storage when the decoded size needs the same
/// number of bytes (frames of a stream usually do): no allocation per frame. Otherwise the image
/// gets new storage. On error `image` is left with its old size and unspecified pixel values.
public func decodeImage(_ bytes: [UInt8], options: DecodeOptions = .init(), into image: inout RGBImage) throws(ImageIOError) {
    guard bytes.count >= minimumImageBytes else {
        throw .tooShort(expectedAtLeast: minimumImageBytes, found: bytes.count)
    }
    guard let format = sniffImageFormat(bytes) else {
        _ = try decodeImage(bytes, options: options)  // throws the descriptive unknownFormat error
        return
    }
    let plan = format == .jpeg ? try planJPEG(bytes, options: options) : try planPNG(bytes, options: options)
    guard image.pixels.count == plan.byteCount else {
        image = format == .jpeg ? try decodeJPEG(bytes, options: options) : try decodePNG(bytes, options: options)
        return
    }
    let result = image.pixels.withUnsafeMutableBufferPointer { out in
        format == .jpeg ? runJPEG(bytes, plan: plan, into: out) : runPNG(bytes, plan: plan, into: out)
    }
    try result.get()
    image.width = plan.width
    image.height = plan.height
}

func validate(_ options: DecodeOptions) throws(ImageIOError) {
    guard options.maxPixels > 0 else {
        throw .invalidArgument(name: "maxPixels", expected: "> 0", found: "\(options.maxPixels)")
    }
    if let w = options.targetWidth, w <= 0 {
        throw .invalidArgument(name: "targetWidth", expected: "> 0 or nil", found: "\(w)")
    }
    if let h = options.targetHeight, h <= 0 {
        throw .invalidArgument(name: "targetHeight", expected: "> 0 or nil", found: "\(h)")
    }
}

/// Refuses a header size before allocation: non-positive dims, or more pixels than the limit.
func checkHeader(width: Int, height: Int, maxPixels: Int) throws(ImageIOError) {
    guard width > 0, height > 0 else {
        throw .invalidDimensions(expected: "width > 0 and height > 0", width: width, height: height)
    }
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    guard !overflow, pixels <= maxPixels else {
        throw .tooManyPixels(limit: maxPixels, width: width, height: height)
    }
}

func hexByte(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 0x0F)]])
}

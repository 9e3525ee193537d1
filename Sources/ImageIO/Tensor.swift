// HWC RGB8 → normalised NCHW float tensor (N = 1): out[c][y][x] = (p * scale - mean[c]) / std[c],
// where c runs over the *output* channel order (RGB or BGR) and mean/std are given in that order.

public enum ChannelOrder: Sendable, Equatable {
    case rgb
    case bgr
}

/// How pixels become network inputs. Defaults: RGB/255, no mean/std (TwinLiteNet, YOLO style).
public struct TensorNormalization: Sendable, Equatable {
    public var scale: Float
    /// per output channel, 3 values
    public var mean: [Float]
    /// per output channel, 3 values, non-zero
    public var std: [Float]
    public var order: ChannelOrder

    public init(scale: Float = 1.0 / 255.0, mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1], order: ChannelOrder = .rgb) {
        self.scale = scale
        self.mean = mean
        self.std = std
        self.order = order
    }

    /// Throws unless mean and std hold 3 values each, all finite, std non-zero.
    func validate() throws(ImageIOError) {
        guard mean.count == 3, std.count == 3 else {
            throw .invalidArgument(name: "normalization mean/std", expected: "3 values each",
                                   found: "\(mean.count) and \(std.count)")
        }
        guard std.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy(\.isFinite), scale.isFinite else {
            throw .invalidArgument(name: "normalization", expected: "finite values, std non-zero",
                                   found: "scale \(scale) mean \(mean) std \(std)")
        }
    }

    /// ImageNet statistics on RGB/255.
    public static let imagenet = TensorNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
}

/// Writes the image as a 1×3×H×W float tensor into `out` (exactly 3*H*W elements).
public func writeNCHW(_ image: RGBImage, normalization n: TensorNormalization = .init(),
                      into out: UnsafeMutableBufferPointer<Float>) throws(ImageIOError) {
    try checkImage(image)
    try n.validate()
    let plane = image.width * image.height
    guard out.count == 3 * plane, let dst = out.baseAddress else {
        throw .bufferSize(expected: 3 * plane, found: out.count)
    }
    // 256-entry table per output channel holds the exact formula's value for every byte.
    var lut = [Float](repeating: 0, count: 3 * 256)
    for c in 0..<3 {
        for v in 0..<256 { lut[c * 256 + v] = (Float(v) * n.scale - n.mean[c]) / n.std[c] }
    }
    let srcChannel = n.order == .rgb ? [0, 1, 2] : [2, 1, 0]
    image.pixels.withUnsafeBufferPointer { px in
        lut.withUnsafeBufferPointer { table in
            guard let src = px.baseAddress, let t = table.baseAddress else { return }
            nchwKernel(src: src, plane: plane, lut: t, srcChannel: (srcChannel[0], srcChannel[1], srcChannel[2]), dst: dst)
        }
    }
}

/// Kernel: src plane×3 u8 (HWC), lut 3×256 f32 (per output channel), dst 3×plane f32 (CHW).
/// Output channel c reads source channel srcChannel[c].
func nchwKernel(src: UnsafePointer<UInt8>, plane: Int, lut: UnsafePointer<Float>,
                srcChannel: (Int, Int, Int), dst: UnsafeMutablePointer<Float>) {
    let d0 = dst, d1 = dst + plane, d2 = dst + 2 * plane
    let l0 = lut, l1 = lut + 256, l2 = lut + 512
    let (s0, s1, s2) = srcChannel
    for i in 0..<plane {
        let p = src + i * 3
        d0[i] = l0[Int(p[s0])]
        d1[i] = l1[Int(p[s1])]
        d2[i] = l2[Int(p[s2])]
    }
}

/// The tensor as a new [Float] of 3*H*W elements (1×3×H×W).
public func toNCHW(_ image: RGBImage, normalization: TensorNormalization = .init()) throws(ImageIOError) -> [Float] {
    try checkImage(image)
    let count = 3 * image.width * image.height
    var result: Result<Void, ImageIOError> = .success(())
    let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
        do throws(ImageIOError) {
            try writeNCHW(image, normalization: normalization, into: buffer)
            initialised = count
        } catch {
            result = .failure(error)
            initialised = 0
        }
    }
    try result.get()
    return out
}

/// Reference twin: the formula, element by element.
func toNCHWReference(_ image: RGBImage, normalization n: TensorNormalization) -> [Float] {
    var out = [Float](repeating: 0, count: 3 * image.width * image.height)
    for c in 0..<3 {
        let sc = n.order == .rgb ? c : 2 - c
        for y in 0..<image.height {
            for x in 0..<image.width {
                let p = Float(image.pixels[(y * image.width + x) * 3 + sc])
                out[(c * image.height + y) * image.width + x] = (p * n.scale - n.mean[c]) / n.std[c]
            }
        }
    }
    return out
}

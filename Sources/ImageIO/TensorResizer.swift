// TensorResizer: a decoded RGB8 frame straight to the network's 1x3xHxW float input, bilinear
// resize + normalisation + HWC→CHW in one pass over the pixels (CKernels' ck_resize_rgb8_nchw).
// Bit-identical to `resize(_:width:height:method: .bilinear)` followed by `writeNCHW` (its
// reference twin, compared in the tests), without the intermediate RGB8 image.
import CKernels
import Foundation

/// Resizes frames of any size to one network input size. Holds the tap tables of the last
/// source size (rebuilt only when the frame size changes) and the kernel's scratch rows, so a
/// stream of same-sized frames allocates nothing. Not thread-safe: one per worker thread.
public final class TensorResizer {
    public let width: Int
    public let height: Int
    public let normalization: TensorNormalization

    /// Instruction set: the CPU's best, or lower when DRIVEPIPE_ISA (scalar, avx2) asks for it.
    static let bestISA: Int32 = ck_selected_isa()
    /// The instruction set used (tests lower it to check every path).
    var isa: Int32 = TensorResizer.bestISA

    private var sourceWidth = 0, sourceHeight = 0
    // column taps [width] (byte offsets, weights), row taps [height]
    private var xofs0: [Int32] = [], xofs1: [Int32] = [], xw0: [Int32] = [], xw1: [Int32] = []
    private var yrow0: [Int32] = [], yrow1: [Int32] = [], yw0: [Int32] = [], yw1: [Int32] = []
    private var scratch: [Int32]
    private let chanSrc: [Int32], mean: [Float], std: [Float]

    public init(width: Int, height: Int, normalization n: TensorNormalization) throws(ImageIOError) {
        guard width > 0, height > 0, width <= 1 << 20, height <= 1 << 20 else {
            throw .invalidDimensions(expected: "network input 1...2^20 in both dimensions", width: width, height: height)
        }
        try n.validate()
        self.width = width
        self.height = height
        normalization = n
        chanSrc = n.order == .rgb ? [0, 1, 2] : [2, 1, 0]
        mean = n.mean
        std = n.std
        scratch = [Int32](repeating: 0, count: 6 * width)
    }

    /// Floats of one tensor: 3 * height * width.
    public var count: Int { 3 * width * height }

    /// Writes `image` resized and normalised into `out` (exactly `count` floats, 1x3xHxW).
    public func write(_ image: RGBImage, into out: UnsafeMutableBufferPointer<Float>) throws(ImageIOError) {
        try checkImage(image)
        guard out.count == count, let dst = out.baseAddress else { throw .bufferSize(expected: count, found: out.count) }
        guard image.width < Int(Int32.max) / 3 else {
            throw .invalidDimensions(expected: "width below 2^31 / 3", width: image.width, height: image.height)
        }
        if image.width != sourceWidth || image.height != sourceHeight { buildTaps(sw: image.width, sh: image.height) }
        let isa = self.isa, n = normalization, w = Int32(width), h = Int32(height)
        image.pixels.withUnsafeBufferPointer { px in
            guard let src = px.baseAddress else { return }
            ck_resize_rgb8_nchw(isa, src, image.width * 3, xofs0, xofs1, xw0, xw1, w, yrow0, yrow1, yw0, yw1,
                                chanSrc, n.scale, mean, std, dst, width * height, 0, h, &scratch)
        }
    }

    /// The tensor as a new array (allocates; `write(_:into:)` does not).
    public func tensor(_ image: RGBImage) throws(ImageIOError) -> [Float] {
        var result: Result<Void, ImageIOError> = .success(())
        let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            do throws(ImageIOError) { try write(image, into: buffer); initialised = count }
            catch { result = .failure(error); initialised = 0 }
        }
        try result.get()
        return out
    }

    /// Tap tables for a source of sw x sh, as resizeBilinearKernel computes them.
    private func buildTaps(sw: Int, sh: Int) {
        let one: Float = 2048
        func taps(_ dstLen: Int, _ srcLen: Int, step: Int) -> ([Int32], [Int32], [Int32], [Int32]) {
            let scale = Double(srcLen) / Double(dstLen)
            var i0 = [Int32](), i1 = [Int32](), w0 = [Int32](), w1 = [Int32]()
            for d in 0..<dstLen {
                let t = bilinearTap(d, scale: scale, srcLen: srcLen)
                i0.append(Int32(t.i0 * step))
                i1.append(Int32(t.i1 * step))
                w0.append(Int32(((1 - t.w1) * one).rounded()))
                w1.append(Int32((t.w1 * one).rounded()))
            }
            return (i0, i1, w0, w1)
        }
        (xofs0, xofs1, xw0, xw1) = taps(width, sw, step: 3)
        (yrow0, yrow1, yw0, yw1) = taps(height, sh, step: 1)
        sourceWidth = sw
        sourceHeight = sh
    }
}

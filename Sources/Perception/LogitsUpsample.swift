// LogitsUpsample: when a segmentation head ends in a linear Resize of its class logits (the
// student: 3 x 56 x 96 logits scaled x4 to the input size), the pipeline runs the head only up to
// the Resize's input and resizes + argmaxes in one C pass (ck_resize_argmax): the same numbers as
// the engine's Resize followed by the argmax, without writing and re-reading the full-size logits.
import CKernels
import Foundation
import Inference
import Messages
import ONNXSchema

/// The trailing Resize of a segmentation head, read from the ONNX graph.
public struct LogitsUpsample: Sendable, Equatable {
    /// The Resize's input (the low-resolution logits).
    public let source: String
    /// Scales of the last two axes (height, width), as the Resize node gives them.
    public let scaleH: Float, scaleW: Float
    /// coordinate_transformation_mode (half_pixel, pytorch_half_pixel, align_corners, asymmetric).
    public let coordinateMode: String
    /// Output size from `sizes` (nil: floor(input * scale), as the engine computes it).
    public let sizeH: Int?, sizeW: Int?

    /// The Resize producing `logits` in the ONNX file at `modelPath`, when it is one this pass
    /// reproduces exactly (linear, rank 4, outer axes unscaled, constant scales or sizes); else nil.
    public static func find(modelPath: String, logits: String) -> LogitsUpsample? {
        guard let data = FileManager.default.contents(atPath: modelPath),
              let model = try? Onnx_ModelProto(serializedBytes: data) else { return nil }
        return find(model: model, logits: logits)
    }

    /// The same, in an already parsed model.
    public static func find(model: Onnx_ModelProto, logits: String) -> LogitsUpsample? {
        let g = model.graph
        guard let node = g.node.first(where: { $0.output.contains(logits) }),
              node.opType == "Resize", node.input.count >= 3, !node.input[0].isEmpty else { return nil }
        func attr(_ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }
        let mode = attr("mode").map { String(decoding: $0.s, as: UTF8.self) } ?? "nearest"
        let coord = attr("coordinate_transformation_mode").map { String(decoding: $0.s, as: UTF8.self) } ?? "half_pixel"
        guard mode == "linear" || mode == "bilinear",
              ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"].contains(coord),
              attr("axes") == nil else { return nil }
        // A constant tensor by name: an initializer or a Constant node's value.
        func constant(_ name: String) -> Onnx_TensorProto? {
            if name.isEmpty { return nil }
            if let t = g.initializer.first(where: { $0.name == name }) { return t }
            return g.node.first { $0.opType == "Constant" && $0.output.first == name }?
                .attribute.first { $0.name == "value" }?.t
        }
        if node.input.count >= 4, let sizes = constant(node.input[3]).flatMap({ onnxConstantValues($0)?.ints }), sizes.count == 4 {
            guard sizes[0] >= 1, sizes[1] >= 1, sizes[2] >= 1, sizes[3] >= 1 else { return nil }
            return LogitsUpsample(source: node.input[0], scaleH: 0, scaleW: 0, coordinateMode: coord,
                                  sizeH: sizes[2], sizeW: sizes[3], outerSizes: [sizes[0], sizes[1]])
        }
        guard let scales = constant(node.input[2]).flatMap(onnxConstantValues).flatMap({ $0.ints == nil ? $0.floats : nil }),
              scales.count == 4, scales[0] == 1, scales[1] == 1,
              scales[2] > 0, scales[3] > 0, scales[2] <= 65_536, scales[3] <= 65_536 else { return nil }
        return LogitsUpsample(source: node.input[0], scaleH: scales[2], scaleW: scales[3], coordinateMode: coord,
                              sizeH: nil, sizeW: nil)
    }

    /// With `sizes`, the outer sizes must equal the input's (checked when the input shape is known).
    let outerSizes: [Int]?

    init(source: String, scaleH: Float, scaleW: Float, coordinateMode: String, sizeH: Int?, sizeW: Int?,
         outerSizes: [Int]? = nil) {
        self.source = source; self.scaleH = scaleH; self.scaleW = scaleW; self.coordinateMode = coordinateMode
        self.sizeH = sizeH; self.sizeW = sizeW; self.outerSizes = outerSizes
    }

    /// Output height and width for an input of h x w (the engine's rule), nil if not rank 4 or
    /// the outer axes would change.
    public func outputSize(inputShape s: [Int]) -> (height: Int, width: Int)? {
        guard s.count == 4, s.allSatisfy({ $0 > 0 }) else { return nil }
        if let sizeH, let sizeW {
            guard outerSizes == [s[0], s[1]] else { return nil }
            return (sizeH, sizeW)
        }
        let h = Int((Float(s[2]) * scaleH).rounded(.down)), w = Int((Float(s[3]) * scaleW).rounded(.down))
        guard h >= 1, w >= 1, h <= 1 << 24, w <= 1 << 24 else { return nil }
        return (h, w)
    }

    /// Linear taps along one axis, as the engine's Resize computes them: source coordinate
    /// clamped into the input, i0 = its integer part, i1 = i0 + 1 (clamped), weight of i1.
    func taps(outSize n: Int, inSize: Int, scale given: Float) -> (i0: [Int32], i1: [Int32], w: [Float]) {
        let scale = sizeH != nil ? Float(n) / Float(inSize) : given
        var i0 = [Int32](), i1 = [Int32](), w = [Float]()
        for o in 0..<n {
            let xf = Float(o)
            var c: Float
            switch coordinateMode {
            case "half_pixel": c = (xf + 0.5) / scale - 0.5
            case "pytorch_half_pixel": c = n > 1 ? (xf + 0.5) / scale - 0.5 : 0
            case "align_corners": c = n == 1 ? 0 : xf * Float(inSize - 1) / Float(n - 1)
            default: c = xf / scale
            }
            c = min(max(c, 0), Float(inSize - 1))
            let a = min(Int(c), inSize - 1)
            i0.append(Int32(a)); i1.append(Int32(min(a + 1, inSize - 1))); w.append(c - Float(a))
        }
        return (i0, i1, w)
    }
}

/// Resize + argmax of low-resolution logits [1, C, h, w] into a mask of [H, W], for one
/// input shape. Holds the taps and scratch rows: one per worker thread.
public final class UpsampleArgmax {
    public let channels: Int, inHeight: Int, inWidth: Int, outHeight: Int, outWidth: Int
    private let xi0: [Int32], xi1: [Int32], xw: [Float], yi0: [Int32], yi1: [Int32], yw: [Float]
    private var rows: [Float]
    private let labelMap: [UInt8]?
    var isa: Int32 = argmaxISA

    /// nil when `inputShape` is not [1, C, h, w] or the Resize would not apply to it.
    public init?(_ u: LogitsUpsample, inputShape s: [Int], channelLabels: [SegmentationClass]) {
        guard let out = u.outputSize(inputShape: s), s[0] == 1, s[1] == channelLabels.count, s[1] <= 255 else { return nil }
        channels = s[1]; inHeight = s[2]; inWidth = s[3]; outHeight = out.height; outWidth = out.width
        guard channels * inHeight * outWidth <= 1 << 28 else { return nil }
        (xi0, xi1, xw) = u.taps(outSize: outWidth, inSize: inWidth, scale: u.scaleW)
        (yi0, yi1, yw) = u.taps(outSize: outHeight, inSize: inHeight, scale: u.scaleH)
        rows = [Float](repeating: 0, count: channels * inHeight * outWidth)
        let identity = channelLabels == Array(SegmentationClass.allCases.prefix(channels))
        labelMap = identity ? nil : channelLabels.map(\.rawValue)
    }

    /// The mask of `logits` (exactly channels * h * w floats).
    public func decode(_ logits: UnsafeBufferPointer<Float>) throws -> SegmentationMask {
        guard logits.count == channels * inHeight * inWidth, let src = logits.baseAddress else {
            throw PerceptionError.wrongShape(tensor: "segmentation logits", expected: [1, channels, inHeight, inWidth],
                                             found: [logits.count])
        }
        let n = outHeight * outWidth
        let labels = [UInt8](unsafeUninitializedCapacity: n) { out, initialised in
            rows.withUnsafeMutableBufferPointer { r in
                withMap { map in
                    ck_resize_argmax(isa, src, Int32(channels), Int32(inHeight), Int32(inWidth), xi0, xi1, xw, Int32(outWidth),
                                     yi0, yi1, yw, Int32(outHeight), map, out.baseAddress, r.baseAddress)
                }
            }
            initialised = n
        }
        return SegmentationMask(width: outWidth, height: outHeight, labels: labels)
    }

    private func withMap<R>(_ body: (UnsafePointer<UInt8>?) -> R) -> R {
        guard let labelMap else { return body(nil) }
        return labelMap.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// Naive twin: four neighbours per pixel per channel, in the engine's arithmetic, then argmax.
    func decodeReference(_ logits: [Float]) -> [UInt8] {
        var labels = [UInt8](repeating: 0, count: outHeight * outWidth)
        let plane = inHeight * inWidth
        for y in 0..<outHeight {
            let b = yw[y], a = 1 - b
            for x in 0..<outWidth {
                let q = xw[x], pq = 1 - q
                var best: Float = 0, arg = 0
                for c in 0..<channels {
                    let r0 = c * plane + Int(yi0[y]) * inWidth, r1 = c * plane + Int(yi1[y]) * inWidth
                    let top = logits[r0 + Int(xi0[x])] * pq + logits[r0 + Int(xi1[x])] * q
                    let bot = logits[r1 + Int(xi0[x])] * pq + logits[r1 + Int(xi1[x])] * q
                    let v = top * a + bot * b
                    if c == 0 || v > best { best = v; arg = c }
                }
                labels[y * outWidth + x] = labelMap.map { $0[arg] } ?? UInt8(arg)
            }
        }
        return labels
    }
}

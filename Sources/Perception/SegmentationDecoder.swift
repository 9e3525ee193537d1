// Segmentation decoding: per-pixel argmax over class logits -> Messages.SegmentationMask,
// at the logits' resolution or resampled (nearest) to the frame.

import CKernels
import Foundation
import Messages

/// Instruction set of the C argmax: the CPU's best, or lower when DRIVEPIPE_ISA (scalar, avx2) asks.
public let argmaxISA: Int32 = ck_selected_isa()

/// logits: C x H x W. labels[y*W+x] = first channel with the largest value (like numpy argmax);
/// `labelMap[c]` (C entries) renames the channels. Vectorised C (CKernels' ck_argmax_channels);
/// `argmaxChannelsLoop` below is its plain twin. Caller guarantees the sizes.
public func argmaxChannels(_ logits: UnsafeBufferPointer<Float>, channels: Int, height: Int, width: Int,
                           labelMap: UnsafePointer<UInt8>? = nil, into labels: UnsafeMutableBufferPointer<UInt8>,
                           isa: Int32 = argmaxISA) {
    guard let src = logits.baseAddress, let dst = labels.baseAddress else { return }
    ck_argmax_channels(isa, src, Int32(channels), height * width, labelMap, dst)
}

/// Scalar twin of `argmaxChannels` (strictly greater replaces, so ties and NaN keep the earlier channel).
public func argmaxChannelsLoop(_ logits: UnsafeBufferPointer<Float>, channels: Int, height: Int, width: Int,
                           into labels: UnsafeMutableBufferPointer<UInt8>) {
    let plane = height * width
    for i in 0..<plane {
        var best = logits[i], arg = 0
        var c = 1
        while c < channels {
            let v = logits[c * plane + i]
            if v > best { best = v; arg = c }
            c += 1
        }
        labels[i] = UInt8(arg)
    }
}

/// Reference twin of `argmaxChannels` over arrays.
public func argmaxChannelsReference(_ logits: [Float], channels: Int, height: Int, width: Int) -> [UInt8] {
    (0..<(height * width)).map { i in
        UInt8((0..<channels).max { logits[$0 * height * width + i] < logits[$1 * height * width + i] || ($0 > $1 && logits[$0 * height * width + i] == logits[$1 * height * width + i]) }!)
    }
}

public struct SegmentationDecoder: Sendable {
    /// Logit channel -> mask label (default: channel index; the student's order is background, drivable, lane line).
    public var channelLabels: [SegmentationClass] { didSet { labelMap = channelLabels.map(\.rawValue) } }
    /// channelLabels as raw label bytes, for the C kernel.
    private var labelMap: [UInt8]
    public init(channelLabels: [SegmentationClass] = SegmentationClass.allCases) {
        self.channelLabels = channelLabels
        labelMap = channelLabels.map(\.rawValue)
    }

    /// Mask at the logits' resolution (for the student: the network input, 512x288).
    public func decode(logits: UnsafeBufferPointer<Float>, height: Int, width: Int) throws -> SegmentationMask {
        let c = channelLabels.count
        guard logits.count == c * height * width, height > 0, width > 0 else {
            throw PerceptionError.wrongShape(tensor: "seg_logits", expected: [1, c, height, width], found: [logits.count])
        }
        let plane = height * width
        let identity = channelLabels == Array(SegmentationClass.allCases.prefix(c))
        let labels = [UInt8](unsafeUninitializedCapacity: plane) { out, initialised in
            labelMap.withUnsafeBufferPointer { map in
                argmaxChannels(logits, channels: c, height: height, width: width,
                               labelMap: identity ? nil : map.baseAddress, into: out)
            }
            initialised = plane
        }
        return SegmentationMask(width: width, height: height, labels: labels)
    }

    public func decode(logits: [Float], height: Int, width: Int) throws -> SegmentationMask {
        try logits.withUnsafeBufferPointer { try decode(logits: $0, height: height, width: width) }
    }

    /// TwinLiteNet-style pair of 2-class heads (`da`, `ll`: 2 x H x W): drivable where da argmax is 1,
    /// lane line where ll argmax is 1 (lane wins).
    public static func decodeTwoHeads(drivable da: UnsafeBufferPointer<Float>, lane ll: UnsafeBufferPointer<Float>,
                                      height: Int, width: Int) throws -> SegmentationMask {
        let plane = height * width
        guard da.count == 2 * plane else { throw PerceptionError.wrongShape(tensor: "da", expected: [1, 2, height, width], found: [da.count]) }
        guard ll.count == 2 * plane else { throw PerceptionError.wrongShape(tensor: "ll", expected: [1, 2, height, width], found: [ll.count]) }
        var labels = [UInt8](repeating: 0, count: plane)
        for i in 0..<plane {
            if ll[plane + i] > ll[i] { labels[i] = SegmentationClass.laneLine.rawValue }
            else if da[plane + i] > da[i] { labels[i] = SegmentationClass.drivable.rawValue }
        }
        return SegmentationMask(width: width, height: height, labels: labels)
    }
}

/// Resamples a mask in network-input pixels to frame pixels (nearest): frame pixel centre
/// (fx + 0.5) maps to input (fx + 0.5) * scale + pad, floored and clamped.
public func maskToFrame(_ m: SegmentationMask, mapping: InputMapping) -> SegmentationMask {
    let fw = mapping.frameWidth, fh = mapping.frameHeight
    let xs = (0..<fw).map { fx in min(max(Int(((Float(fx) + 0.5) * mapping.scaleX + mapping.padX).rounded(.down)), 0), m.width - 1) }
    var labels = [UInt8](repeating: 0, count: fw * fh)
    for fy in 0..<fh {
        let sy = min(max(Int(((Float(fy) + 0.5) * mapping.scaleY + mapping.padY).rounded(.down)), 0), m.height - 1)
        let row = sy * m.width
        for fx in 0..<fw { labels[fy * fw + fx] = m.labels[row + xs[fx]] }
    }
    return SegmentationMask(width: fw, height: fh, labels: labels)
}

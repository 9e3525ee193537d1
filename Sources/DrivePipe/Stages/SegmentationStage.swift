// Segmentation head stage: features → per-pixel classes (background, drivable, lane line) at the
// network's output resolution; argmax over the logits. When the head ends in a linear Resize of
// its logits (LogitsUpsample), the session stops before it and the resize and the argmax run as
// one C pass (same numbers, no full-size logits written).
import ImageIO
import Inference
import Messages
import Perception

/// The mask of one frame (mask pixels cover the frame as the input mapping says) and the frame
/// image when overlays are on.
public struct SegmentationResult: Sendable {
    public var mask: SegmentationMask
    public var mapping: InputMapping
    public var image: RGBImage?
}

public final class SegmentationStage {
    let session: InferenceSession
    let decoder = SegmentationDecoder()
    let spec: ModelCard.Segmentation
    /// The session's output: the logits, or the low-resolution logits before the trailing Resize.
    let output: String
    let outputShape: [Int]
    /// Resize + argmax in one pass (nil: plain argmax of the logits).
    let upsample: UpsampleArgmax?

    /// `fuseUpsample: false` runs the whole head (the reference the tests compare against).
    public init(model: PerceptionModel, fuseUpsample: Bool = true) throws {
        spec = model.card.heads.segmentation
        if fuseUpsample, let file = try? model.loadedModel(model.segmentationPath),
           let u = LogitsUpsample.find(model: file.proto, logits: spec.logits),
           let s = try? model.session("segmentation", model.segmentationPath, inputs: spec.inputs, outputs: [u.source]),
           let shape = s.outputs.first?.shape, let fused = UpsampleArgmax(u, inputShape: shape, channelLabels: decoder.channelLabels) {
            session = s; output = u.source; outputShape = shape; upsample = fused
        } else {
            session = try model.session("segmentation", model.segmentationPath, inputs: spec.inputs, outputs: [spec.logits])
            output = spec.logits
            upsample = nil
            guard let shape = session.outputs.first?.shape, shape.count == 4 else {
                throw PerceptionModelError.session(stage: "segmentation", path: model.segmentationPath,
                                                   reason: "logits \(spec.logits): expected shape [1, C, H, W], found \(session.outputs.map(\.shape))")
            }
            outputShape = shape
        }
    }

    public func callAsFunction(_ f: Features, _ info: FrameInfo) throws -> SegmentationResult {
        let mask = try withInputs(f.tensors, names: spec.inputs) { inputs in
            try session.run(reading: inputs) { out in
                guard let logits = out[output] else { throw InferenceError.unknownTensor(name: output, known: out.keys.sorted()) }
                if let upsample { return try upsample.decode(logits) }
                return try decoder.decode(logits: logits, height: outputShape[2], width: outputShape[3])
            }
        }
        // A letterboxed input pads the frame: resample to frame pixels so the mask covers only the frame.
        let framed = f.mapping.padX == 0 && f.mapping.padY == 0 ? mask : maskToFrame(mask, mapping: f.mapping)
        return SegmentationResult(mask: framed, mapping: f.mapping, image: f.image)
    }
}

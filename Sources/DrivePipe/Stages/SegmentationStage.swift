// Segmentation head stage: features → per-pixel classes (background, drivable, lane line) at the
// network's output resolution; argmax over the logits.
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

    public init(model: PerceptionModel) throws {
        spec = model.card.heads.segmentation
        session = try model.session("segmentation", model.segmentationPath, inputs: spec.inputs, outputs: [spec.logits])
    }

    public func callAsFunction(_ f: Features, _ info: FrameInfo) throws -> SegmentationResult {
        let mask = try withInputs(f.tensors, names: spec.inputs) { inputs in
            try session.run(inputs: inputs) { out in
                let shape = session.outputs.first { $0.name == spec.logits }!.shape
                return try decoder.decode(logits: out[spec.logits]!, height: shape[2], width: shape[3])
            }
        }
        // A letterboxed input pads the frame: resample to frame pixels so the mask covers only the frame.
        let framed = f.mapping.padX == 0 && f.mapping.padY == 0 ? mask : maskToFrame(mask, mapping: f.mapping)
        return SegmentationResult(mask: framed, mapping: f.mapping, image: f.image)
    }
}

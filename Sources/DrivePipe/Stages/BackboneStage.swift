// Backbone stage: the network input tensor → the shared feature maps (HydraNet trunk). Runs the
// backbone sub-graph of the model on its own thread. The session reads the input tensor where
// the preprocess stage left it and writes the feature maps straight into new arrays handed to
// both heads (no copy in or out of the session's memory).
import ImageIO
import Inference
import Messages
import Perception

/// Named feature maps of one frame plus how the frame maps into the network input.
public struct Features: Sendable {
    public var tensors: [String: Tensor]
    public var mapping: InputMapping
    /// The decoded frame, carried only when overlays are written.
    public var image: RGBImage?
}

public final class BackboneStage {
    let session: InferenceSession
    let inputName: String
    let keepImage: Bool

    public init(model: PerceptionModel, keepImage: Bool) throws(PerceptionModelError) {
        session = try model.session("backbone", model.backbonePath, inputs: model.card.backbone.inputs,
                                    outputs: model.card.backbone.outputs)
        inputName = model.card.backbone.inputs.first ?? model.card.input.name
        self.keepImage = keepImage
    }

    public func callAsFunction(_ input: NetworkInput, _ info: FrameInfo) throws -> Features {
        let outs = session.outputs
        let arrays = try input.tensor.withUnsafeBufferPointer { t in
            try uninitializedArrays(counts: outs.map { $0.shape.reduce(1, *) }) { buffers in
                let targets = Dictionary(uniqueKeysWithValues: zip(outs.map(\.name), buffers))
                try session.run(reading: [inputName: t], writing: targets) { _ in }
            }
        }
        let tensors = Dictionary(uniqueKeysWithValues: zip(outs, arrays).map { ($0.0.name, Tensor(shape: $0.0.shape, data: $0.1)) })
        return Features(tensors: tensors, mapping: input.mapping, image: keepImage ? input.image : nil)
    }
}

/// New float arrays of `counts` elements, filled by `fill` through their buffers: no zeroing and no
/// copy. If `fill` throws, nothing is returned.
func uninitializedArrays(counts: [Int], _ fill: ([UnsafeMutableBufferPointer<Float>]) throws -> Void) throws -> [[Float]] {
    func go(_ i: Int, _ buffers: [UnsafeMutableBufferPointer<Float>]) throws -> [[Float]] {
        if i == counts.count { try fill(buffers); return [] }
        var rest: [[Float]] = []
        let first = try [Float](unsafeUninitializedCapacity: counts[i]) { b, initialised in
            rest = try go(i + 1, buffers + [b])
            initialised = counts[i]   // only reached when fill returned: every element written
        }
        return [first] + rest
    }
    return try go(0, [])
}

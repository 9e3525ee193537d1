// Backbone stage: the network input tensor → the shared feature maps (HydraNet trunk). Runs the
// backbone sub-graph of the model on its own thread; copies the features out of the session's
// memory (the next frame reuses it) to hand them to both heads.
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
        let outputs = try input.tensor.withUnsafeBufferPointer { t in
            try session.run(inputs: [inputName: t]) { views in
                Dictionary(uniqueKeysWithValues: session.outputs.map { o in
                    (o.name, Tensor(shape: o.shape, data: Array(views[o.name]!)))
                })
            }
        }
        return Features(tensors: outputs, mapping: input.mapping, image: keepImage ? input.image : nil)
    }
}

// Preprocess stage: RGB image → the network's input tensor, 1x3xHxW float32 (NCHW), resized
// (stretch or letterbox) and normalised as the pipeline config says.
import Config
import ImageIO
import Messages

/// The network input of one frame, and the size of the decoded image it came from (a JPEG may
/// decode below full size), to map outputs back.
public struct NetworkInput: Sendable {
    /// 1x3xHxW, channel order and normalisation per config.
    public var tensor: [Float]
    public var width: Int
    public var height: Int
    public var imageWidth: Int
    public var imageHeight: Int
    /// Set when letterboxed: how canvas coordinates map back to the frame.
    public var letterbox: Letterbox?
}

public struct PreprocessStage {
    let width: Int, height: Int
    let mode: PipelineConfig.Input.Resize
    let normalization: TensorNormalization

    public init(config: PipelineConfig) {
        width = config.input.width
        height = config.input.height
        mode = config.input.resize
        normalization = TensorNormalization(scale: Float(config.input.scale), mean: config.input.mean.map(Float.init),
                                            std: config.input.std.map(Float.init), order: config.input.order == .rgb ? .rgb : .bgr)
    }

    public func callAsFunction(_ image: RGBImage, _ info: FrameInfo) throws -> NetworkInput {
        // The frame size as recorded: a JPEG decoded at reduced size is smaller than the frame.
        var canvas = image
        var box: Letterbox? = nil
        switch mode {
        case .stretch:
            if image.width != width || image.height != height { canvas = try resize(image, width: width, height: height) }
        case .letterbox:
            let r = try letterbox(image, width: width, height: height)
            canvas = r.image
            box = r.box
        }
        let tensor = try toNCHW(canvas, normalization: normalization)
        return NetworkInput(tensor: tensor, width: width, height: height, imageWidth: image.width, imageHeight: image.height, letterbox: box)
    }
}

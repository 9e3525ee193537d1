// Preprocess stage: decoded frame → the network's input tensor, 1x3xHxW float32 (NCHW), resized
// (stretch or letterbox) and normalised as the pipeline config says, with the mapping from
// network-input pixels back to frame pixels.
import Config
import ImageIO
import Messages
import Perception

/// The network input of one frame.
public struct NetworkInput: Sendable {
    /// 1x3xHxW, channel order and normalisation per config.
    public var tensor: [Float]
    public var width: Int
    public var height: Int
    /// input pixel = frame pixel * scale + pad (frame = the full recorded frame).
    public var mapping: InputMapping
    /// The decoded frame at full resolution, kept only when overlays are written.
    public var image: RGBImage?
}

/// One per worker thread (the stretch path's resizer keeps tap tables and scratch rows).
public struct PreprocessStage {
    let width: Int, height: Int
    let mode: PipelineConfig.Input.Resize
    let normalization: TensorNormalization
    let keepImage: Bool
    /// Stretch: resize + normalise + layout in one pass (bit-identical to resize, then toNCHW).
    let resizer: TensorResizer?

    public init(config: PipelineConfig, keepImage: Bool = false) {
        width = config.input.width
        height = config.input.height
        mode = config.input.resize
        normalization = TensorNormalization(scale: Float(config.input.scale), mean: config.input.mean.map(Float.init),
                                            std: config.input.std.map(Float.init), order: config.input.order == .rgb ? .rgb : .bgr)
        self.keepImage = keepImage
        // A bad size or normalisation leaves it nil: the two-pass path then reports the error per frame.
        resizer = mode == .stretch ? try? TensorResizer(width: width, height: height, normalization: normalization) : nil
    }

    public func callAsFunction(_ frame: DecodedFrame, _ info: FrameInfo) throws -> NetworkInput {
        let image = frame.image
        var canvas = image
        let mapping: InputMapping
        switch mode {
        case .stretch:
            mapping = .stretch(frameWidth: frame.frameWidth, frameHeight: frame.frameHeight, inputWidth: width, inputHeight: height)
            if let resizer {
                return NetworkInput(tensor: try resizer.tensor(image), width: width, height: height, mapping: mapping,
                                    image: keepImage ? frame.bestImage : nil)
            }
            if image.width != width || image.height != height { canvas = try resize(image, width: width, height: height) }
        case .letterbox:
            let fit = try letterbox(image, width: width, height: height)
            canvas = fit.image
            // input = image * s + offset, image = frame * r (r < 1 after a reduced JPEG decode)
            let s = Float(fit.box.scale), r = Float(image.width) / Float(frame.frameWidth)
            mapping = InputMapping(frameWidth: frame.frameWidth, frameHeight: frame.frameHeight, inputWidth: width, inputHeight: height,
                                   scaleX: s * r, scaleY: s * r, padX: Float(fit.box.offsetX), padY: Float(fit.box.offsetY))
        }
        let tensor = try toNCHW(canvas, normalization: normalization)
        return NetworkInput(tensor: tensor, width: width, height: height, mapping: mapping, image: keepImage ? frame.bestImage : nil)
    }
}

// Decode stage: encoded frame bytes → RGB8 image (ImageIO: libjpeg-turbo / libpng). When the
// network input is at most half the frame, JPEG decodes at reduced size in the DCT domain.
import Config
import ImageIO
import Messages
import Sources

public struct DecodeStage {
    public let options: DecodeOptions

    public init(config: PipelineConfig) {
        var o = DecodeOptions(maxPixels: config.decode.maxPixels)
        if config.decode.reducedSize {
            o.targetWidth = config.input.width
            o.targetHeight = config.input.height
        }
        options = o
    }

    public func callAsFunction(_ frame: SourceFrame, _ info: FrameInfo) throws -> RGBImage {
        try decodeImage(frame.bytes, options: options)
    }
}

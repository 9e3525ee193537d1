// Decode stage: encoded frame bytes → RGB8 image (ImageIO: libjpeg-turbo / libpng). When the
// network input is at most half the frame, JPEG decodes at reduced size in the DCT domain; the
// full frame size is kept so later stages report boxes in frame pixels.
import Config
import ImageIO
import Messages
import Sources

/// A decoded frame: the image (maybe reduced in the DCT domain) and the frame's full size.
public struct DecodedFrame: Sendable {
    public var image: RGBImage
    public var frameWidth: Int
    public var frameHeight: Int
}

public struct DecodeStage {
    public let options: DecodeOptions

    public init(config: PipelineConfig) {
        var o = DecodeOptions(maxPixels: config.decode.maxPixels, fastDCT: config.decode.fastDCT)
        if config.decode.reducedSize {
            o.targetWidth = config.input.width
            o.targetHeight = config.input.height
        }
        options = o
    }

    public func callAsFunction(_ frame: SourceFrame, _ info: FrameInfo) throws -> DecodedFrame {
        let image = try decodeImage(frame.bytes, options: options)
        // A reduced JPEG decode: the header has the full size (PNG always decodes at full size).
        if sniffImageFormat(frame.bytes) == .jpeg, let h = try? readJPEGInfo(frame.bytes), h.width != image.width {
            return DecodedFrame(image: image, frameWidth: h.width, frameHeight: h.height)
        }
        return DecodedFrame(image: image, frameWidth: image.width, frameHeight: image.height)
    }
}

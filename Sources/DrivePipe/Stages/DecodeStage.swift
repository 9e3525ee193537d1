// Decode stage: encoded frame bytes → RGB8 image (ImageIO: libjpeg-turbo / libpng). When the
// network input is at most half the frame, JPEG decodes at reduced size in the DCT domain
// (`decode.reduced_size`): the smallest libjpeg scale (1/2, 1/4, 1/8) still at least the input in
// both dimensions, 1280x720 → 640x360 for a 512x288 input. The full frame size is kept, so later
// stages report boxes, masks and geometry in frame pixels. Overlays need full-resolution pixels:
// with `keepFullImage` the frame is decoded once more at full size for them, so the network's
// input (and every decision) is the same with and without overlays.
import Config
import ImageIO
import Messages
import Sources

/// A decoded frame: the image (maybe reduced in the DCT domain) and the frame's full size.
public struct DecodedFrame: Sendable {
    /// What the network input is made from (reduced or full size).
    public var image: RGBImage
    public var frameWidth: Int
    public var frameHeight: Int
    /// The frame at full size when `image` is reduced and full pixels were asked for (overlays).
    public var fullImage: RGBImage? = nil

    /// The frame at full resolution when it was decoded, else the (reduced) image.
    public var bestImage: RGBImage { fullImage ?? image }
}

public struct DecodeStage {
    public let options: DecodeOptions
    /// Also decode a reduced frame at full size (for overlays).
    public let keepFullImage: Bool

    public init(config: PipelineConfig, keepFullImage: Bool = false) {
        var o = DecodeOptions(maxPixels: config.decode.maxPixels, fastDCT: config.decode.fastDCT)
        if config.decode.reducedSize {
            o.targetWidth = config.input.width
            o.targetHeight = config.input.height
        }
        options = o
        self.keepFullImage = keepFullImage
    }

    public func callAsFunction(_ frame: SourceFrame, _ info: FrameInfo) throws -> DecodedFrame {
        let image = try decodeImage(frame.bytes, options: options)
        // A reduced JPEG decode: the header has the full size (PNG always decodes at full size).
        if sniffImageFormat(frame.bytes) == .jpeg, let h = try? readJPEGInfo(frame.bytes), h.width != image.width || h.height != image.height {
            var full: RGBImage? = nil
            if keepFullImage {
                var o = options
                o.targetWidth = nil
                o.targetHeight = nil
                full = try decodeImage(frame.bytes, options: o)
            }
            return DecodedFrame(image: image, frameWidth: h.width, frameHeight: h.height, fullImage: full)
        }
        return DecodedFrame(image: image, frameWidth: image.width, frameHeight: image.height)
    }
}

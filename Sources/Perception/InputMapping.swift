// InputMapping: how a frame was placed into the network input, so decoders can map network-input
// pixels back to frame pixels: input = frame * scale + pad (per axis).

import Messages

public struct InputMapping: Sendable, Equatable, Codable {
    public var frameWidth: Int, frameHeight: Int
    public var inputWidth: Int, inputHeight: Int
    public var scaleX: Float, scaleY: Float
    public var padX: Float, padY: Float

    public init(frameWidth: Int, frameHeight: Int, inputWidth: Int, inputHeight: Int,
                scaleX: Float, scaleY: Float, padX: Float = 0, padY: Float = 0) {
        self.frameWidth = frameWidth; self.frameHeight = frameHeight
        self.inputWidth = inputWidth; self.inputHeight = inputHeight
        self.scaleX = scaleX; self.scaleY = scaleY; self.padX = padX; self.padY = padY
    }

    /// Whole frame stretched to the input (what the student and both teachers are trained with).
    public static func stretch(frameWidth: Int, frameHeight: Int, inputWidth: Int, inputHeight: Int) -> InputMapping {
        InputMapping(frameWidth: frameWidth, frameHeight: frameHeight, inputWidth: inputWidth, inputHeight: inputHeight,
                     scaleX: Float(inputWidth) / Float(frameWidth), scaleY: Float(inputHeight) / Float(frameHeight))
    }

    /// Aspect-preserving fit, centred, padding the rest.
    public static func letterbox(frameWidth: Int, frameHeight: Int, inputWidth: Int, inputHeight: Int) -> InputMapping {
        let s = min(Float(inputWidth) / Float(frameWidth), Float(inputHeight) / Float(frameHeight))
        return InputMapping(frameWidth: frameWidth, frameHeight: frameHeight, inputWidth: inputWidth, inputHeight: inputHeight,
                            scaleX: s, scaleY: s,
                            padX: (Float(inputWidth) - Float(frameWidth) * s) / 2,
                            padY: (Float(inputHeight) - Float(frameHeight) * s) / 2)
    }

    /// Input-pixel box -> frame-pixel box, clipped to the frame.
    public func toFrame(x1: Float, y1: Float, x2: Float, y2: Float) -> BoundingBox {
        let fw = Float(frameWidth), fh = Float(frameHeight)
        return BoundingBox(x1: min(max((x1 - padX) / scaleX, 0), fw), y1: min(max((y1 - padY) / scaleY, 0), fh),
                          x2: min(max((x2 - padX) / scaleX, 0), fw), y2: min(max((y2 - padY) / scaleY, 0), fh))
    }
}

// SourceFrame / FrameReader: what every source yields. Frames are read as bytes here; decoding is
// its own pipeline stage.
import Messages
import Pipeline

/// One frame's identity (index, file name, capture time, vehicle signals) and its encoded bytes.
public struct SourceFrame: Sendable {
    public var info: FrameInfo
    public var bytes: [UInt8]
    public init(info: FrameInfo, bytes: [UInt8]) { self.info = info; self.bytes = bytes }
}

/// A frame the source could not produce: its identity as far as known, and why.
public struct FrameReadFailure: Error, Sendable {
    public var info: FrameInfo
    public var error: SourceError
    public init(info: FrameInfo, error: SourceError) { self.info = info; self.error = error }
}

/// A sequential reader of frames. `next` returns nil at the end of input; it may wait (pacing,
/// following a folder) but returns soon after `stop` is requested. Used by one thread.
public protocol FrameReader: AnyObject {
    /// Short name of the source for logs (folder name).
    var name: String { get }
    /// The camera, when the source records it.
    var camera: CameraMetadata? { get }
    func next(stop: StopToken) -> Result<SourceFrame, FrameReadFailure>?
}

// PacedReader: releases frames at a fixed rate (`--rate HZ`) or at the pace they were recorded
// (`--realtime`: capture-time differences), using the pipeline clock so tests run in virtual time.
// Frames are released no earlier than scheduled; a slow pipeline simply falls behind schedule
// (live edges then drop per their policy).
import Messages
import Pipeline

public final class PacedReader: FrameReader {
    public enum Pace: Sendable, Equatable { case rate(hz: Double), realtime }
    private let inner: any FrameReader
    private let pace: Pace
    private let clock: any PipelineClock
    private var startNs: UInt64? = nil
    private var firstCaptureNs: Int64? = nil
    private var released = 0

    public var name: String { inner.name }
    public var camera: CameraMetadata? { inner.camera }

    public init(_ inner: any FrameReader, pace: Pace, clock: any PipelineClock = SystemClock()) {
        self.inner = inner; self.pace = pace; self.clock = clock
    }

    public func next(stop: StopToken) -> Result<SourceFrame, FrameReadFailure>? {
        guard let r = inner.next(stop: stop) else { return nil }
        let info: FrameInfo
        switch r { case .success(let f): info = f.info; case .failure(let e): info = e.info }
        let start = startNs ?? clock.nowNs()
        startNs = start
        let offsetNs: UInt64
        switch pace {
        case .rate(let hz):
            offsetNs = UInt64(Double(released) * 1e9 / max(hz, 1e-6))
        case .realtime:
            let first = firstCaptureNs ?? info.captureTimeNs
            firstCaptureNs = first
            offsetNs = UInt64(max(0, info.captureTimeNs - first))
        }
        released += 1
        _ = clock.sleep(untilNs: start + offsetNs, stop: stop)   // a stop still releases this frame
        return r
    }
}

// ReaderSource: a `FrameReader` (Sources module) as the pipeline's source stage. The reader's
// per-frame failures become `error` records from stage "source".
import Messages
import Pipeline
import Sources

public final class ReaderSource: PipelineSource {
    public typealias Output = SourceFrame
    private let reader: any FrameReader

    public init(_ reader: any FrameReader) { self.reader = reader }

    public func next(stop: StopToken) -> (FrameInfo, Result<SourceFrame, StageFailure>)? {
        guard let r = reader.next(stop: stop) else { return nil }
        switch r {
        case .success(let f): return (f.info, .success(f))
        case .failure(let e): return (e.info, .failure(StageFailure(stage: "source", message: e.error.description)))
        }
    }
}

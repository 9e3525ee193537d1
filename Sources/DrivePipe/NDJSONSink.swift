// NDJSONSink: the end of the pipeline. Exactly one line per input frame on stdout, in input order:
//   {"type":"decision","frame":N,"source":"<file>","t_ns":T, <decision fields>}
//   {"type":"error","frame":N,"source":"<file>","t_ns":T,"stage":"<stage>","error":"<message>"}
//   {"type":"drop","frame":N,"source":"<file>","t_ns":T,"edge":"<a->b>","reason":"<policy>"}
// Key order is fixed and floats use a fixed format, so replays are byte-identical. Timing fields
// (`latency_ms`, from source acceptance to the sink; `emitted_ms`, when the sink wrote the line, from
// the sink's creation) are opt-in because they differ run to run.
import Foundation
import Logging
import Messages
import Pipeline

/// The decision a pipeline produces for one frame, as fields of its output line.
public protocol DecisionRecord: Sendable {
    /// Append `steering_angle_rad`, `acceleration_mps2`, `mode`, then any further fields,
    /// always in the same order.
    func writeFields(into line: inout JSONLine)
}

/// What the sink saw, for the end-of-run summary and tests.
public struct SinkTally: Sendable, Equatable {
    public var decisions = 0
    public var errors = 0
    public var drops = 0
    /// Frames whose index was not the previous one + 1 (must stay 0: the runtime keeps order).
    public var outOfOrder = 0
    public var lines: Int { decisions + errors + drops }
    public init() {}
}

public final class NDJSONSink<Decision: DecisionRecord>: PipelineSink {
    public typealias Input = Decision
    private let writer: OutputWriter
    private let timing: Bool
    private let decimals: Int
    private let clock: any PipelineClock
    private let createdAtNs: UInt64
    private let logger: Logger
    private var lastIndex = -1
    private let onFinish: @Sendable (SinkTally, String?) -> Void
    public private(set) var tally = SinkTally()

    public init(writer: OutputWriter, timing: Bool = false, decimals: Int = 6, clock: any PipelineClock = SystemClock(),
                logger: Logger = Logger(label: "drivepipe.sink"), onFinish: @escaping @Sendable (SinkTally, String?) -> Void = { _, _ in }) {
        self.writer = writer; self.timing = timing; self.decimals = decimals; self.clock = clock
        self.createdAtNs = clock.nowNs()
        self.logger = logger; self.onFinish = onFinish
    }

    public func consume(_ envelope: Envelope<Decision>) {
        let info = envelope.info
        if info.index != lastIndex + 1 {
            tally.outOfOrder += 1
            logger.error("frame order: expected \(lastIndex + 1), found \(info.index)")
        }
        lastIndex = info.index
        var line = JSONLine(decimals: decimals)
        switch envelope.payload {
        case .value(let d):
            line.add("type", "decision")
            header(&line, info)
            d.writeFields(into: &line)
            tally.decisions += 1
        case .failed(let f):
            line.add("type", "error")
            header(&line, info)
            line.add("stage", f.stage)
            line.add("error", f.message)
            tally.errors += 1
            logger.warning("frame \(info.index) (\(info.source)): \(f.stage): \(f.message)")
        case .dropped(let d):
            line.add("type", "drop")
            header(&line, info)
            line.add("edge", d.edge)
            line.add("reason", d.reason)
            tally.drops += 1
        }
        if timing {
            let now = clock.nowNs()
            line.add("latency_ms", Double(now &- envelope.acceptedAtNs) / 1e6)
            line.add("emitted_ms", Double(now &- createdAtNs) / 1e6)
        }
        writer.write(line.line())
    }

    private func header(_ line: inout JSONLine, _ info: FrameInfo) {
        line.add("frame", info.index)
        line.add("source", info.source)
        line.add("t_ns", info.captureTimeNs)
    }

    public func idle() { writer.flush() }

    public func finish() {
        writer.flush()
        onFinish(tally, writer.failure)
    }
}

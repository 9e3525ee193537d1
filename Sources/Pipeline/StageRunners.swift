// The stage runners: each stage runs on its own dedicated thread(s), pulling envelopes from its
// input edge(s), so CPU-heavy work never blocks Swift's cooperative pool and a blocked queue
// blocks only its own stage.
//
//   source  ─ next() ─▶ Port ─▶ edges
//   map     ─ pop ─▶ body(value) ─▶ Port          (workers > 1: ordered by ticket, reorder buffer)
//   join    ─ pop a, pop b (same frame index) ─▶ body(a, b) ─▶ Port
//   sink    ─ pop ─▶ consume(envelope); idle() when the input runs dry; finish() at the end
import Foundation
import Messages

/// Something the pipeline runs on `threadCount` dedicated threads.
protocol StageRunner: AnyObject, Sendable {
    var stats: StageStats { get }
    var threadCount: Int { get }
    func runWorker(_ worker: Int)
}

/// A frame source as the runtime sees it. Called only from the source's own thread.
public protocol PipelineSource<Output>: AnyObject {
    associatedtype Output: Sendable
    /// The next frame and its payload (a value, or the source's failure on that frame);
    /// nil at the end of input. May wait (pacing, following a folder) but must return soon
    /// after `stop` is requested.
    func next(stop: StopToken) -> (FrameInfo, Result<Output, StageFailure>)?
}

/// The end of a pipeline. Called only from the sink's own thread.
public protocol PipelineSink<Input>: AnyObject {
    associatedtype Input: Sendable
    /// One frame's outcome, in input order.
    func consume(_ envelope: Envelope<Input>)
    /// The input queue is momentarily empty (flush buffered output now).
    func idle()
    /// End of stream: every frame has been consumed.
    func finish()
}

extension StageFailure {
    /// A thrown error as a failure record; the error's description is the message.
    init(stage: String, error: any Error) {
        if let f = error as? StageFailure { self = f; return }
        self.init(stage: stage, message: String(describing: error))
    }
}

final class SourceRunner<S: PipelineSource>: StageRunner, @unchecked Sendable {
    // Invariant: `source` is used only by the single source thread.
    let stats: StageStats
    let threadCount = 1
    private let source: ThreadOwned<S>
    private let output: Port<S.Output>
    private let clock: any PipelineClock
    private let stop: StopToken

    init(name: String, source: S, output: Port<S.Output>, clock: any PipelineClock, stop: StopToken) {
        self.stats = StageStats(name: name, kind: "source", workers: 1)
        self.source = ThreadOwned(source); self.output = output; self.clock = clock; self.stop = stop
    }

    func runWorker(_ worker: Int) {
        defer { output.close() }
        while !stop.isStopped {
            let t0 = clock.nowNs()
            guard let (info, result) = source.value.next(stop: stop) else { break }
            let t1 = clock.nowNs()
            let payload: Payload<S.Output>
            switch result {
            case .success(let v): payload = .value(v)
            case .failure(let f): payload = .failed(f)
            }
            stats.recordProcessed(ns: t1 &- t0, failed: { if case .failed = payload { return true }; return false }())
            output.emit(Envelope(info: info, acceptedAtNs: t1, payload: payload))
        }
    }
}

final class MapRunner<A: Sendable, B: Sendable>: StageRunner, @unchecked Sendable {
    // Invariants: bodies[i] is called only by worker thread i; `window` and tickets under
    // `takeLock`; `nextEmit`, `pending` and emission under `order`.
    let stats: StageStats
    let threadCount: Int
    private let name: String
    private let input: BoundedQueue<A>
    private let output: Port<B>
    private let bodies: [ThreadOwned<(A, StageContext) throws -> B>]
    private let clock: any PipelineClock
    private let budgetNs: UInt64?
    private let takeLock = NSLock()
    private var window: FrameWindow
    private let order = NSCondition()
    private var nextTicket = 0
    private var nextEmit = 0
    /// Results finished before an earlier ticket's: emitted by whoever finishes that one, so a
    /// worker goes on to the next frame instead of waiting its turn (with two workers a frame
    /// whose thread the host pauses used to stall the other worker too).
    private var pending: [Int: Envelope<B>] = [:]
    /// How far past the next emission a worker may start a frame (bounds `pending`).
    private let maxAhead: Int
    private var running: Int

    init(name: String, input: BoundedQueue<A>, output: Port<B>, bodies: [(A, StageContext) throws -> B],
         budgetNs: UInt64?, windowSize: Int, clock: any PipelineClock) {
        self.name = name; self.input = input; self.output = output; self.clock = clock; self.budgetNs = budgetNs
        self.bodies = bodies.map { ThreadOwned($0) }
        self.threadCount = bodies.count
        self.running = bodies.count
        self.maxAhead = 2 * max(1, bodies.count)
        self.window = FrameWindow(capacity: windowSize)
        self.stats = StageStats(name: name, kind: "map", workers: bodies.count)
    }

    func runWorker(_ worker: Int) {
        let body = bodies[worker].value
        while true {
            // Take the next envelope, its ticket and the window atomically: all follow input order.
            takeLock.lock()
            // Bounded reorder buffer: no ticket more than `maxAhead` past the next emission (frames
            // in this stage, in progress or finished early, stay <= maxAhead). The ticket at
            // `nextEmit` is already taken, so its worker finishes and wakes this one.
            order.lock()
            while nextTicket - nextEmit >= maxAhead { order.wait() }
            order.unlock()
            guard let e = input.pop() else { takeLock.unlock(); break }
            let ticket = nextTicket
            nextTicket += 1
            window.record(dropped: { if case .dropped = e.payload { return true }; return false }(),
                          failed: { if case .failed = e.payload { return true }; return false }(),
                          overBudget: e.overBudget > 0)
            let recent = window
            takeLock.unlock()

            var out: Envelope<B>
            if case .value(let a) = e.payload {
                let t0 = clock.nowNs()
                let ctx = StageContext(info: e.info, acceptedAtNs: e.acceptedAtNs, nowNs: t0, overBudget: e.overBudget, window: recent)
                do {
                    out = e.with(.value(try body(a, ctx)))
                } catch {
                    out = e.with(.failed(StageFailure(stage: name, error: error)))
                }
                let dt = clock.nowNs() &- t0
                stats.recordProcessed(ns: dt, failed: { if case .failed = out.payload { return true }; return false }())
                if let budgetNs, dt > budgetNs {
                    out.overBudget += 1
                    stats.recordOverBudget()
                }
            } else {
                out = e.with(e.payload.passThrough()!)
                stats.recordPassThrough()
            }

            // Emit in ticket order: an early result waits in `pending`; the in-order one is
            // emitted with every result queued behind it (always the case with one worker).
            order.lock()
            if ticket != nextEmit {
                pending[ticket] = out
                order.unlock()
                continue
            }
            output.emit(out)
            nextEmit += 1
            while let next = pending.removeValue(forKey: nextEmit) {
                output.emit(next)
                nextEmit += 1
            }
            order.broadcast()
            order.unlock()
        }
        order.lock()
        running -= 1
        let last = running == 0
        order.unlock()
        if last { output.close() }
    }
}

final class JoinRunner<A: Sendable, B: Sendable, C: Sendable>: StageRunner, @unchecked Sendable {
    // Invariant: `body` is called only by the join's single thread.
    let stats: StageStats
    let threadCount = 1
    private let name: String
    private let left: BoundedQueue<A>
    private let right: BoundedQueue<B>
    private let output: Port<C>
    private let body: ThreadOwned<(A, B, FrameInfo) throws -> C>
    private let clock: any PipelineClock

    init(name: String, left: BoundedQueue<A>, right: BoundedQueue<B>, output: Port<C>,
         body: @escaping (A, B, FrameInfo) throws -> C, clock: any PipelineClock) {
        self.name = name; self.left = left; self.right = right; self.output = output
        self.body = ThreadOwned(body); self.clock = clock
        self.stats = StageStats(name: name, kind: "join", workers: 1)
    }

    /// Both branches carry every frame index in order (drops as tombstones), so the join pairs
    /// the heads of its two inputs; a mismatch would be a runtime bug and becomes a failure record.
    func runWorker(_ worker: Int) {
        defer { output.close() }
        while true {
            let a = left.pop(), b = right.pop()
            guard let a, let b else {
                // One branch ended: drain the other so its producer never stays blocked.
                if a != nil { while left.pop() != nil {} }
                if b != nil { while right.pop() != nil {} }
                return
            }
            let out: Envelope<C>
            switch (a.payload, b.payload) {
            case _ where a.info.index != b.info.index:
                out = a.with(.failed(StageFailure(stage: name, message:
                    "join mismatch: expected frame \(a.info.index) on both inputs, found \(b.info.index)")))
            case (.value(let va), .value(let vb)):
                let t0 = clock.nowNs()
                do {
                    out = a.with(.value(try body.value(va, vb, a.info)))
                    stats.recordProcessed(ns: clock.nowNs() &- t0, failed: false)
                } catch {
                    out = a.with(.failed(StageFailure(stage: name, error: error)))
                    stats.recordProcessed(ns: clock.nowNs() &- t0, failed: true)
                }
            case (.value, _):
                out = b.with(b.payload.passThrough()!)
                stats.recordPassThrough()
            default:
                out = a.with(a.payload.passThrough()!)
                stats.recordPassThrough()
            }
            var joined = out
            joined.overBudget = max(a.overBudget, b.overBudget)   // shared upstream stages count once
            output.emit(joined)
        }
    }
}

final class SinkRunner<S: PipelineSink>: StageRunner, @unchecked Sendable {
    // Invariant: `sink` is used only by the sink's single thread.
    let stats: StageStats
    let threadCount = 1
    private let input: BoundedQueue<S.Input>
    private let sink: ThreadOwned<S>
    private let clock: any PipelineClock

    init(name: String, input: BoundedQueue<S.Input>, sink: S, clock: any PipelineClock) {
        self.input = input; self.sink = ThreadOwned(sink); self.clock = clock
        self.stats = StageStats(name: name, kind: "sink", workers: 1)
    }

    func runWorker(_ worker: Int) {
        let sink = self.sink.value
        while true {
            var next: Envelope<S.Input>
            switch input.poll() {
            case .item(let e): next = e
            case .finished: sink.finish(); return
            case .empty:
                sink.idle()
                guard let e = input.pop() else { sink.finish(); return }
                next = e
            }
            let t0 = clock.nowNs()
            sink.consume(next)
            stats.recordProcessed(ns: clock.nowNs() &- t0, failed: false)
        }
    }
}

// Deterministic test harness for the runtime: scripted sources and stages, gates that hold a
// stage until the test lets it go, and a collecting sink. Tests synchronise on these (and on
// queue state) instead of sleeping, so outcomes are exact, not timing-dependent.
import Foundation
import Messages
import Pipeline

/// A counting gate: `pass()` blocks until a permit is available; `release(n)` adds permits.
final class Gate: @unchecked Sendable {
    // Invariant: `permits`/`waiting` accessed with `cond` locked.
    private let cond = NSCondition()
    private var permits: Int
    private(set) var waiting = 0
    init(permits: Int = 0) { self.permits = permits }

    func pass() {
        cond.lock()
        waiting += 1
        cond.broadcast()
        while permits == 0 { cond.wait() }
        permits -= 1
        waiting -= 1
        cond.unlock()
    }
    func release(_ n: Int = 1) { cond.lock(); permits += n; cond.broadcast(); cond.unlock() }
    func open() { release(1 << 40) }
    /// Wait until at least `n` threads are blocked in `pass()`.
    func waitForWaiters(_ n: Int = 1) {
        cond.lock()
        while waiting < n { cond.wait() }
        cond.unlock()
    }
}

/// A flag/counter the test can wait on.
final class Counter: @unchecked Sendable {
    private let cond = NSCondition()
    private var n = 0
    func increment() { cond.lock(); n += 1; cond.broadcast(); cond.unlock() }
    var value: Int { cond.lock(); defer { cond.unlock() }; return n }
    func wait(atLeast k: Int) { cond.lock(); while n < k { cond.wait() }; cond.unlock() }
}

func frameInfo(_ i: Int) -> FrameInfo { FrameInfo(index: i, source: String(format: "%06d.jpg", i), captureTimeNs: Int64(i) * 40_000_000) }

/// Emits frames 0..<count (nil count: until stopped) with `make(i)` as payload; optionally passes
/// `gate` before each frame; counts emitted frames in `emitted`.
final class ScriptedSource<T: Sendable>: PipelineSource {
    let count: Int?
    let make: (Int) -> Result<T, StageFailure>
    let gate: Gate?
    let emitted = Counter()
    private var i = 0
    init(count: Int?, gate: Gate? = nil, make: @escaping (Int) -> Result<T, StageFailure>) {
        self.count = count; self.gate = gate; self.make = make
    }
    func next(stop: StopToken) -> (FrameInfo, Result<T, StageFailure>)? {
        if let count, i >= count { return nil }
        gate?.pass()
        defer { i += 1; emitted.increment() }
        return (frameInfo(i), make(i))
    }
}

/// What reached the sink for one frame.
enum Outcome: Equatable {
    case value(String)
    case failed(stage: String)
    case dropped(edge: String)
}

/// Records every envelope (index and outcome, value rendered by `render`); `gate` slows it down.
final class CollectingSink<T: Sendable>: PipelineSink, @unchecked Sendable {
    typealias Input = T
    // Invariant: `items` accessed with `lock` held.
    private let lock = NSLock()
    private var items: [(Int, Outcome)] = []
    let gate: Gate?
    let render: (T) -> String
    let consumed = Counter()
    let finished = Counter()
    init(gate: Gate? = nil, render: @escaping (T) -> String = { "\($0)" }) { self.gate = gate; self.render = render }

    func consume(_ e: Envelope<T>) {
        gate?.pass()
        let o: Outcome
        switch e.payload {
        case .value(let v): o = .value(render(v))
        case .failed(let f): o = .failed(stage: f.stage)
        case .dropped(let d): o = .dropped(edge: d.edge)
        }
        lock.lock(); items.append((e.info.index, o)); lock.unlock()
        consumed.increment()
    }
    func idle() {}
    func finish() { finished.increment() }

    var indices: [Int] { lock.lock(); defer { lock.unlock() }; return items.map(\.0) }
    var outcomes: [Outcome] { lock.lock(); defer { lock.unlock() }; return items.map(\.1) }
}

/// A payload whose live instances are counted: the bounded-memory tests assert on the peak.
final class Blob: Sendable {
    static let tracker = LiveTracker()
    let bytes: [UInt8]
    init(size: Int) { bytes = [UInt8](repeating: 7, count: size); Blob.tracker.add() }
    deinit { Blob.tracker.remove() }
}

final class LiveTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var live = 0
    private(set) var peak = 0
    func add() { lock.lock(); live += 1; peak = max(peak, live); lock.unlock() }
    func remove() { lock.lock(); live -= 1; lock.unlock() }
    func reset() { lock.lock(); peak = live; lock.unlock() }
    var current: Int { lock.lock(); defer { lock.unlock() }; return live }
}

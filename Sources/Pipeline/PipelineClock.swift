// Clocks: the runtime reads time only through `PipelineClock`, so tests substitute `ManualClock`
// (virtual time: sleeping advances it instantly) and pacing, idle timeouts and latency histograms
// are tested without real sleeps.
import Foundation

public protocol PipelineClock: Sendable {
    /// Monotonic time in nanoseconds.
    func nowNs() -> UInt64
    /// Sleep until `deadlineNs` (monotonic) or until `stop` is requested.
    /// Returns false when woken by the stop request.
    func sleep(untilNs deadlineNs: UInt64, stop: StopToken) -> Bool
}

/// The real monotonic clock (CLOCK_MONOTONIC); sleeps are interruptible by the stop token.
public struct SystemClock: PipelineClock {
    public init() {}
    public func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
    public func sleep(untilNs deadlineNs: UInt64, stop: StopToken) -> Bool {
        let now = nowNs()
        if deadlineNs <= now { return !stop.isStopped }
        return !stop.wait(timeoutNs: deadlineNs - now)
    }
}

/// Virtual time for tests: `sleep` jumps the clock to the deadline (never blocks); `advance` moves
/// it by hand (scripted stages "cost" time this way). `onSleep` lets a test act at a virtual
/// instant, e.g. drop a new file into a followed folder.
public final class ManualClock: PipelineClock, @unchecked Sendable {
    // Invariant: `now` and `hook` are only accessed with `lock` held.
    private let lock = NSLock()
    private var now: UInt64
    private var hook: (@Sendable (UInt64) -> Void)?
    public private(set) var sleeps = 0

    public init(startNs: UInt64 = 1_000_000_000) { now = startNs }

    public func nowNs() -> UInt64 { lock.lock(); defer { lock.unlock() }; return now }

    public func advance(byNs delta: UInt64) { lock.lock(); now += delta; lock.unlock() }

    public func onSleep(_ hook: @escaping @Sendable (UInt64) -> Void) {
        lock.lock(); self.hook = hook; lock.unlock()
    }

    public func sleep(untilNs deadlineNs: UInt64, stop: StopToken) -> Bool {
        lock.lock()
        if deadlineNs > now { now = deadlineNs }
        sleeps += 1
        let h = hook, t = now
        lock.unlock()
        h?(t)
        return !stop.isStopped
    }
}

/// A one-way stop request shared by the source, pacing and follow loops (set by SIGINT/SIGTERM or
/// the end of a run). Waiting on it is how long sleeps stay interruptible.
public final class StopToken: @unchecked Sendable {
    // Invariant: `stopped` only accessed with `condition` locked.
    private let condition = NSCondition()
    private var stopped = false
    public private(set) var reason: String?

    public init() {}

    public var isStopped: Bool { condition.lock(); defer { condition.unlock() }; return stopped }

    public func stop(reason: String) {
        condition.lock()
        if !stopped { stopped = true; self.reason = reason }
        condition.broadcast()
        condition.unlock()
    }

    /// Wait up to `timeoutNs`; true if stopped (now or during the wait).
    public func wait(timeoutNs: UInt64) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeoutNs) / 1e9)
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return stopped
    }
}

// WorkerPool: persistent worker threads for the engine's parallel regions (see Parallel).
// Starting a region costs about a microsecond when the workers are awake, against tens of
// microseconds for waking threads through Dispatch, so small layers can use both cores.
//
// A region is `pieces` independent pieces of work. The calling thread publishes it in one
// atomic word and then runs pieces itself from the front; idle workers claim pieces from the
// back (compare-and-swap on the word's two counters), so every piece runs exactly once, each
// thread runs a contiguous run of them, and a piece whose worker is slow to wake is simply
// taken by the caller. The caller returns when every
// piece has finished.
// Idle workers spin on the word (a few `pause` steps, then `sched_yield`, which hands the
// core to any other runnable thread) for `spinMicros`, then park on a condition variable: back-to-back regions (the layers of one inference) start at once, and an idle pool
// costs no CPU. Workers flush denormals while they run pieces, like the calling thread.
// No allocation per region. Deinit stops and joins the threads.
// A region started while the pool is busy (a nested call from inside a piece, or another
// thread's region) runs all its pieces inline on the calling thread: same pieces, same results.

import CBLAS
import CKernels
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class WorkerPool: @unchecked Sendable {
    // Invariant: `core` is shared with the worker threads (see Core); `threads` is touched
    // only by init and deinit.
    let workers: Int
    let core: Core
    private var threads: [pthread_t] = []

    /// The process-wide pool used by `Parallel`: one worker per other core (at least one).
    /// Created on the first region that asks for two or more threads.
    static let shared = WorkerPool(workers: max(1, min(ProcessInfoCores.count, 64) - 1),
                                   spinMicros: Parallel.spinMicros)

    init(workers: Int, spinMicros: Int = 100) {
        self.workers = max(0, min(workers, 254))
        core = Core(spinNanos: UInt64(max(0, spinMicros)) * 1000)
        for i in 0..<self.workers {
            let arg = Unmanaged.passRetained(WorkerArg(core: core, index: i + 1)).toOpaque()
            #if canImport(Glibc)
            var tid = pthread_t()
            #else
            var tid: pthread_t? = nil
            #endif
            let rc = pthread_create(&tid, nil, { raw in
                guard let raw else { return nil }
                let a = Unmanaged<WorkerArg>.fromOpaque(raw).takeRetainedValue()
                a.core.workerLoop(index: a.index)
                return nil
            }, arg)
            if rc != 0 {
                Unmanaged<WorkerArg>.fromOpaque(arg).release()
                break   // fewer workers: the caller runs the pieces nobody claims
            }
            #if canImport(Glibc)
            threads.append(tid)
            #else
            if let tid { threads.append(tid) }
            #endif
        }
    }

    deinit {
        core.shutdown()
        for t in threads { pthread_join(t, nil) }
    }

    /// Marks the start of a burst of regions (an inference run): until the matching `endHot`
    /// (plus `hotGraceNanos`), idle workers keep spinning instead of parking, so every layer's
    /// region starts at once; parked workers are woken now, while the caller does serial work.
    /// Waking a parked worker costs tens of microseconds on a VM (the idle vCPU is halted), about
    /// a layer's worth of time at two threads.
    func beginHot() {
        if threads.isEmpty { return }
        core.hot.add(1, ordering: .sequentiallyConsistent)
        if core.sleepers.load(ordering: .sequentiallyConsistent) > 0 { core.wakeAll() }
    }

    /// Ends a burst started by `beginHot`: workers spin `hotGraceNanos` more (the next run of
    /// a benchmark loop or a pipeline that is already waiting), then go back to parking.
    func endHot() {
        if threads.isEmpty { return }
        core.hotUntil.store(monotonicNanos() &+ Core.hotGraceNanos, ordering: .relaxed)
        core.hot.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Runs `body(piece)` for every piece in 0..<pieces, each exactly once, on the calling
    /// thread and up to `maxThreads - 1` workers; returns when all have finished. Pieces must
    /// touch disjoint memory.
    func run(pieces: Int, maxThreads: Int, _ body: (Int) -> Void) {
        if pieces <= 0 { return }
        guard pieces > 1, maxThreads > 1, !threads.isEmpty, pieces <= Core.maxPieces, core.tryAcquire() else {
            for k in 0..<pieces { body(k) }
            return
        }
        withoutActuallyEscaping(body) { fn in core.runRegion(pieces: pieces, maxThreads: maxThreads, fn) }
        core.release()
    }

    /// State shared by the owner and the worker threads.
    final class Core: @unchecked Sendable {
        // Invariant: `job` is written only by the thread holding `busy`, before it publishes
        // a region (release) and after every piece has finished (acquire on `done`); workers
        // read it only after claiming a piece of the current region.

        /// The region word: generation (bits 56-63) | thread limit (48-55) | pieces (32-47) |
        /// pieces claimed from the front (16-31) | from the back (0-15). The caller claims from
        /// the front and workers from the back, so each thread runs one contiguous run of
        /// pieces (the top or the bottom of an image, layer after layer: the rows a thread
        /// writes are mostly the rows it reads next, in its own core's cache). The generation
        /// wraps at 256: a worker descheduled for exactly 256 regions misses one (its pieces
        /// are run by the caller).
        let word = Atomic<UInt64>(0)
        /// Pieces of the current region that have finished.
        let done = Atomic<Int>(0)
        /// Workers parked (or about to) on `cond`.
        let sleepers = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        /// Held by the thread running a region.
        let busy = Atomic<Bool>(false)
        /// Worker threads inside `workerLoop` (for tests: zero after the pool's deinit).
        let live = Atomic<Int>(0)
        /// Open hot bursts (see `beginHot`), and when the last one's grace ends.
        let hot = Atomic<Int>(0)
        let hotUntil = Atomic<UInt64>(0)
        var job: ((Int) -> Void)? = nil
        let mutex: UnsafeMutablePointer<pthread_mutex_t>
        let cond: UnsafeMutablePointer<pthread_cond_t>
        let spinNanos: UInt64

        static let maxPieces = 0xffff
        /// Pause steps (about 2-5 us) before a waiting thread starts yielding its core.
        static let pauseSpins = 128
        /// Spinning after a hot burst ends.
        static let hotGraceNanos: UInt64 = 2_000_000
        /// Longest a worker spins without a region even while hot (a long serial step, or a
        /// burst that never ends): then it parks, and the next region wakes it.
        static let hotSpinLimitNanos: UInt64 = 20_000_000

        init(spinNanos: UInt64) {
            self.spinNanos = spinNanos
            mutex = .allocate(capacity: 1)
            cond = .allocate(capacity: 1)
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(cond, nil)
        }

        deinit {
            pthread_cond_destroy(cond)
            pthread_mutex_destroy(mutex)
            cond.deallocate()
            mutex.deallocate()
        }

        func tryAcquire() -> Bool {
            busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        }

        func release() { busy.store(false, ordering: .releasing) }

        func runRegion(pieces: Int, maxThreads: Int, _ fn: @escaping (Int) -> Void) {
            job = fn
            done.store(0, ordering: .relaxed)
            if PoolStats.enabled { firstClaim.store(0, ordering: .relaxed); workerPieces.store(0, ordering: .relaxed) }
            let gen = ((word.load(ordering: .relaxed) >> 56) &+ 1) & 0xff
            let w = gen << 56 | UInt64(min(maxThreads, 255)) << 48 | UInt64(pieces) << 32
            // sequentially consistent with the `sleepers` load below and the parking worker's
            // increment-then-check: either it sees this region or we see it parked
            let t0 = PoolStats.enabled ? monotonicNanos() : 0
            word.store(w, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(cond)
                pthread_mutex_unlock(mutex)
            }
            claimPieces(index: 0)
            let tCallerDone = PoolStats.enabled ? monotonicNanos() : 0
            // wait for the pieces workers are still running: spin briefly, then yield the
            // core (a descheduled worker may need it on a loaded host)
            var spins = 0
            while done.load(ordering: .acquiring) < pieces {
                spins += 1
                if spins < Core.pauseSpins { ck_cpu_relax() } else { sched_yield() }
            }
            job = nil
            if PoolStats.enabled {
                PoolStats.record(pieces: pieces, t0: t0, first: firstClaim.load(ordering: .relaxed),
                                 callerDone: tCallerDone, end: monotonicNanos(),
                                 workerPieces: workerPieces.load(ordering: .relaxed),
                                 callerBusy: callerBusy.exchange(0, ordering: .relaxed),
                                 workerBusy: workerBusy.exchange(0, ordering: .relaxed))
            }
        }
        let firstClaim = Atomic<UInt64>(0)
        /// Time spent running pieces by the caller and the workers (stats only).
        let callerBusy = Atomic<UInt64>(0), workerBusy = Atomic<UInt64>(0)
        let workerPieces = Atomic<Int>(0)

        /// Claims and runs pieces of the current region until none is left (or this
        /// participant is past the region's thread limit).
        func claimPieces(index: Int) {
            while true {
                let w = word.load(ordering: .acquiring)
                let limit = Int((w >> 48) & 0xff), pieces = Int((w >> 32) & 0xffff)
                let front = Int((w >> 16) & 0xffff), back = Int(w & 0xffff)
                if front + back >= pieces || index >= limit { return }
                let next = index == 0 ? front : pieces - 1 - back
                if word.compareExchange(expected: w, desired: index == 0 ? w + (1 << 16) : w + 1,
                                        ordering: .acquiringAndReleasing).exchanged {
                    if PoolStats.enabled && index > 0 {
                        if workerPieces.add(1, ordering: .relaxed).oldValue == 0 { firstClaim.store(monotonicNanos(), ordering: .relaxed) }
                    }
                    if PoolStats.enabled {
                        let t = monotonicNanos()
                        runPiece(next)
                        if index == 0 { callerBusy.add(monotonicNanos() &- t, ordering: .relaxed) }
                        else { workerBusy.add(monotonicNanos() &- t, ordering: .relaxed) }
                    } else {
                        runPiece(next)
                    }
                    done.add(1, ordering: .releasing)
                }
            }
        }

        /// One claimed piece (a separate frame: every use of `job` ends before `done` moves).
        @inline(never)
        func runPiece(_ k: Int) {
            if let job { job(k) }
        }

        func workerLoop(index: Int) {
            live.add(1, ordering: .relaxed)
            defer { live.subtract(1, ordering: .releasing) }
            // denormals flushed for the thread's life: it only runs engine pieces (see
            // InferenceSession.execute)
            _ = drivepipe_fp_flush_denormals_begin()
            var seen = word.load(ordering: .acquiring) >> 56
            while true {
                var spins = 0
                var t0: UInt64 = 0
                while true {
                    let g = word.load(ordering: .acquiring) >> 56
                    if g != seen { seen = g; break }
                    if stopping.load(ordering: .relaxed) { return }
                    // a few pause steps, then sched_yield: on a host whose cores are busy
                    // with other processes a spinning worker would take the CPU time the
                    // calling thread (or anyone else) needs
                    spins += 1
                    if spins < Core.pauseSpins { ck_cpu_relax() } else { sched_yield() }
                    if spins & 15 == 0 {
                        let now = monotonicNanos()
                        // while a burst is hot the limit is far longer than the spin time
                        let hotNow = hot.load(ordering: .relaxed) > 0 || now < hotUntil.load(ordering: .relaxed)
                        let limit = hotNow ? Core.hotSpinLimitNanos : spinNanos
                        if t0 == 0 {
                            t0 = now
                        } else if now &- t0 >= limit {
                            park(seen)
                            t0 = 0
                            spins = 0
                        }
                    }
                }
                claimPieces(index: index)
            }
        }

        /// Sleeps until the generation moves past `gen`, a hot burst starts (see `beginHot`)
        /// or the pool stops. A burst that is already hot does not keep it awake (the worker
        /// spun past `hotSpinLimitNanos`); only a new `beginHot` wakes it.
        private func park(_ gen: UInt64) {
            pthread_mutex_lock(mutex)
            let bursts = hotStarts.load(ordering: .sequentiallyConsistent)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            while word.load(ordering: .sequentiallyConsistent) >> 56 == gen
                    && hotStarts.load(ordering: .sequentiallyConsistent) == bursts
                    && !stopping.load(ordering: .sequentiallyConsistent) {
                pthread_cond_wait(cond, mutex)
            }
            sleepers.subtract(1, ordering: .relaxed)
            pthread_mutex_unlock(mutex)
        }

        /// Counts `wakeAll` calls: a parked worker wakes when it moves.
        let hotStarts = Atomic<Int>(0)

        /// Wakes every parked worker (they go back to spinning).
        func wakeAll() {
            pthread_mutex_lock(mutex)
            hotStarts.add(1, ordering: .sequentiallyConsistent)
            pthread_cond_broadcast(cond)
            pthread_mutex_unlock(mutex)
        }

        func shutdown() {
            stopping.store(true, ordering: .sequentiallyConsistent)
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(cond)
            pthread_mutex_unlock(mutex)
        }
    }

    /// What a new worker thread receives.
    private final class WorkerArg {
        let core: Core
        let index: Int
        init(core: Core, index: Int) { self.core = core; self.index = index }
    }
}

/// CLOCK_MONOTONIC in nanoseconds (vDSO, no system call).
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Online cores, read once.
enum ProcessInfoCores {
    static let count: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// DRIVEPIPE_POOL_STATS=1: per-region timing of the pool, printed to stderr at exit (debug aid).
enum PoolStats {
    static let enabled: Bool = ["1", "2"].contains(ProcessInfo.processInfo.environment["DRIVEPIPE_POOL_STATS"] ?? "")
    static let dump: Bool = ProcessInfo.processInfo.environment["DRIVEPIPE_POOL_STATS"] == "2"
    nonisolated(unsafe) static var rows: [String] = []
    nonisolated(unsafe) static var regions = 0
    nonisolated(unsafe) static var workerJoined = 0
    nonisolated(unsafe) static var delays: [UInt64] = []
    nonisolated(unsafe) static var pieceShare: [Double] = []
    nonisolated(unsafe) static var tailWait: [UInt64] = []
    nonisolated(unsafe) static var lengths: [UInt64] = []
    nonisolated(unsafe) static var registered = false
    nonisolated(unsafe) static var busy: (UInt64, UInt64) = (0, 0)
    static func record(pieces: Int, t0: UInt64, first: UInt64, callerDone: UInt64, end: UInt64, workerPieces: Int,
                       callerBusy: UInt64, workerBusy: UInt64) {
        if !registered { registered = true; atexit { PoolStats.report() } }
        busy.0 += callerBusy; busy.1 += workerBusy
        if dump {
            rows.append("\(pieces) \(workerPieces) \(workerPieces > 0 ? Int(first &- t0) : -1) \(callerDone &- t0) \(end &- t0) \(callerBusy) \(workerBusy)")
        }
        regions += 1
        lengths.append(end &- t0)
        tailWait.append(end &- callerDone)
        pieceShare.append(Double(workerPieces) / Double(pieces))
        if workerPieces > 0 { workerJoined += 1; delays.append(first &- t0) }
    }
    static func report() {
        func pct(_ a: [UInt64], _ q: Double) -> Double {
            if a.isEmpty { return 0 }
            let s = a.sorted(); return Double(s[min(s.count - 1, Int(Double(s.count) * q))]) / 1000
        }
        let share = pieceShare.isEmpty ? 0 : pieceShare.reduce(0, +) / Double(pieceShare.count)
        let msg = String(format: "pool stats: %d regions, worker joined %d; join delay us p10 %.1f p50 %.1f p90 %.1f p99 %.1f; region us p50 %.1f p90 %.1f sum %.1f ms; caller tail wait us p50 %.1f p90 %.1f sum %.1f ms; worker piece share mean %.2f; busy in pieces: caller %.1f ms, workers %.1f ms\n",
                         regions, workerJoined, pct(delays, 0.1), pct(delays, 0.5), pct(delays, 0.9), pct(delays, 0.99),
                         pct(lengths, 0.5), pct(lengths, 0.9), Double(lengths.reduce(0, +)) / 1e6,
                         pct(tailWait, 0.5), pct(tailWait, 0.9), Double(tailWait.reduce(0, +)) / 1e6, share,
                         Double(busy.0) / 1e6, Double(busy.1) / 1e6)
        FileHandle.standardError.write(msg.data(using: .utf8)!)
        if dump { try? (rows.joined(separator: "\n") + "\n").write(toFile: "/tmp/drivepipe-pool-regions.txt", atomically: true, encoding: .utf8) }
    }
}

// Parallel: splits work into contiguous chunks run on up to `threads` threads (the calling
// thread and the workers of `WorkerPool.shared`). Work units are defined by the problem
// (never by the thread count), and each unit's arithmetic is the same whichever thread runs
// it, so results are bit-identical for any thread count.

import CBLAS
import Dispatch
import Foundation

enum Parallel {
    /// DRIVEPIPE_POOL=0 runs regions through Dispatch's concurrentPerform (the engine's
    /// earlier scheme) instead of the worker pool: A/B benchmarking.
    static let usePool: Bool = ProcessInfo.processInfo.environment["DRIVEPIPE_POOL"] != "0"

    /// How long an idle pool worker spins before parking (DRIVEPIPE_POOL_SPIN_US, default 50).
    static let spinMicros: Int = Int(ProcessInfo.processInfo.environment["DRIVEPIPE_POOL_SPIN_US"] ?? "") ?? 50

    /// DRIVEPIPE_POOL_HOT=0 lets workers park between the regions of a run (A/B; see `burst`).
    static let hotRuns: Bool = ProcessInfo.processInfo.environment["DRIVEPIPE_POOL_HOT"] != "0"

    /// Runs `body` (one inference: many regions back to back) with the pool's workers kept
    /// spinning between its regions instead of parking (WorkerPool.beginHot).
    static func burst(threads: Int, _ body: () -> Void) {
        guard threads > 1, usePool, hotRuns else { body(); return }
        let pool = WorkerPool.shared
        pool.beginHot()
        defer { pool.endHot() }
        body()
    }

    /// Chunks per thread for `chunks` (DRIVEPIPE_CHUNKS_PER_THREAD overrides it, for A/B): a
    /// thread that starts late (a core busy with another process) leaves its later chunks to
    /// the others, and where the caller's run (from the front) meets the workers' (from the
    /// back) the last chunk is short: 16 per thread left the caller waiting 0.2 ms per conv-net
    /// run for the worker's last chunk, against 0.75 ms with 4.
    static let chunksPerThread = max(1, Int(ProcessInfo.processInfo.environment["DRIVEPIPE_CHUNKS_PER_THREAD"] ?? "") ?? 16)

    /// Calls `body(lo, hi)` on disjoint chunks covering 0..<count, each of at least `minChunk`
    /// units (unless count is smaller), on up to `threads` threads.
    @inline(__always)
    static func chunks(_ count: Int, threads: Int, minChunk: Int = 1, _ body: (Int, Int) -> Void) {
        let most = max(1, count / max(minChunk, 1))
        let t = min(threads, most)
        if t <= 1 || count <= 1 {
            body(0, count)
            return
        }
        let pieces = usePool ? min(most, t * chunksPerThread) : t
        region(pieces, threads: t) { k in
            let lo = count * k / pieces, hi = count * (k + 1) / pieces
            if lo < hi { body(lo, hi) }
        }
    }

    /// Calls `body(worker, lo, hi)` on `t` = min(threads, count / minChunk) contiguous chunks
    /// covering 0..<count; `worker` (the chunk index, 0..<t) selects per-thread scratch: no two
    /// calls with the same index run at once.
    @inline(__always)
    static func tasks(_ count: Int, threads: Int, minChunk: Int = 1, _ body: (Int, Int, Int) -> Void) {
        let t = min(threads, max(1, count / max(minChunk, 1)))
        if t <= 1 || count <= 1 {
            body(0, 0, count)
            return
        }
        region(t, threads: t) { k in
            let lo = count * k / t, hi = count * (k + 1) / t
            if lo < hi { body(k, lo, hi) }
        }
    }

    /// Runs `piece(k)` for k in 0..<pieces on up to `threads` threads; returns when all are done.
    @inline(__always)
    static func region(_ pieces: Int, threads: Int, _ piece: (Int) -> Void) {
        if usePool {
            WorkerPool.shared.run(pieces: pieces, maxThreads: threads, piece)
            return
        }
        withoutActuallyEscaping(piece) { fn in
            let box = UncheckedSendable(fn)
            DispatchQueue.concurrentPerform(iterations: pieces) { k in
                // worker threads flush denormals too (see InferenceSession.execute)
                let fp = drivepipe_fp_flush_denormals_begin()
                box.value(k)
                drivepipe_fp_flush_denormals_end(fp)
            }
        }
    }
}

/// Carries a value into a `@Sendable` closure. Invariant: the chunks handed to the worker
/// closures touch disjoint memory, and the call returns only after all of them finish.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

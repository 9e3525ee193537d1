// Parallel: splits work into contiguous chunks over `threads` threads. Work units are
// defined by the problem (never by the thread count), and each unit's arithmetic is the same
// whichever thread runs it, so results are bit-identical for any thread count.

import CBLAS
import Dispatch

enum Parallel {
    /// Calls `body(lo, hi)` on disjoint chunks covering 0..<count, on up to `threads` threads.
    @inline(__always)
    static func chunks(_ count: Int, threads: Int, minChunk: Int = 1, _ body: (Int, Int) -> Void) {
        tasks(count, threads: threads, minChunk: minChunk) { _, lo, hi in body(lo, hi) }
    }

    /// Like `chunks`, also passing the worker index (0..<threads) for per-thread scratch.
    @inline(__always)
    static func tasks(_ count: Int, threads: Int, minChunk: Int = 1, _ body: (Int, Int, Int) -> Void) {
        let t = min(threads, max(1, count / max(minChunk, 1)))
        if t <= 1 || count <= 1 {
            body(0, 0, count)
            return
        }
        withoutActuallyEscaping(body) { fn in
            let box = UncheckedSendable(fn)
            DispatchQueue.concurrentPerform(iterations: t) { k in
                let lo = count * k / t
                let hi = count * (k + 1) / t
                if lo < hi {
                    // worker threads flush denormals too (see InferenceSession.execute)
                    let fp = drivepipe_fp_flush_denormals_begin()
                    box.value(k, lo, hi)
                    drivepipe_fp_flush_denormals_end(fp)
                }
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

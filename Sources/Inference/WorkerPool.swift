// WorkerPool: persistent worker threads for the engine's parallel regions (see Parallel).
// Starting a region costs about a microsecond when the workers are awake, against tens of
// microseconds for waking threads through Dispatch, so small layers can use both cores.
//
// A region is `pieces` independent pieces of work. The calling thread publishes it in one
// atomic word and then runs pieces itself; idle workers claim pieces from the same word
// (compare-and-swap on a "next piece" counter), so every piece runs exactly once, and a piece
// whose worker is slow to wake is simply taken by the caller. The caller returns when every
// piece has finished.
// Idle workers spin on the word (a few `pause` steps, then `sched_yield`, which hands the
// core to any other runnable thread) for `spinMicros`, then park on a condition variable: back-to-back regions (the layers of one inference) start at once, and an idle pool
// costs no CPU. Workers flush denormals while they run pieces, like the calling thread.
// No allocation per region. Deinit stops and joins the threads.
// A region started while the pool is busy (a nested call from inside a piece, or another
// thread's region) runs all its pieces inline on the calling thread: same pieces, same results.

import CBLAS
import CKernels
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

        /// The region word: generation (bits 40-63) | thread limit (32-39) | pieces (16-31) |
        /// next unclaimed piece (0-15).
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
        var job: ((Int) -> Void)? = nil
        let mutex: UnsafeMutablePointer<pthread_mutex_t>
        let cond: UnsafeMutablePointer<pthread_cond_t>
        let spinNanos: UInt64

        static let maxPieces = 0xffff
        /// Pause steps (about 2-5 us) before a waiting thread starts yielding its core.
        static let pauseSpins = 128

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
            let gen = ((word.load(ordering: .relaxed) >> 40) &+ 1) & 0xff_ffff
            let w = gen << 40 | UInt64(min(maxThreads, 255)) << 32 | UInt64(pieces) << 16
            // sequentially consistent with the `sleepers` load below and the parking worker's
            // increment-then-check: either it sees this region or we see it parked
            word.store(w, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(cond)
                pthread_mutex_unlock(mutex)
            }
            claimPieces(index: 0)
            // wait for the pieces workers are still running: spin briefly, then yield the
            // core (a descheduled worker may need it on a loaded host)
            var spins = 0
            while done.load(ordering: .acquiring) < pieces {
                spins += 1
                if spins < Core.pauseSpins { ck_cpu_relax() } else { sched_yield() }
            }
            job = nil
        }

        /// Claims and runs pieces of the current region until none is left (or this
        /// participant is past the region's thread limit).
        func claimPieces(index: Int) {
            while true {
                let w = word.load(ordering: .acquiring)
                let limit = Int((w >> 32) & 0xff), pieces = Int((w >> 16) & 0xffff), next = Int(w & 0xffff)
                if next >= pieces || index >= limit { return }
                if word.compareExchange(expected: w, desired: w + 1, ordering: .acquiringAndReleasing).exchanged {
                    runPiece(next)
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
            var seen = word.load(ordering: .acquiring) >> 40
            while true {
                var spins = 0
                var t0: UInt64 = 0
                while true {
                    let g = word.load(ordering: .acquiring) >> 40
                    if g != seen { seen = g; break }
                    if stopping.load(ordering: .relaxed) { return }
                    // a few pause steps, then sched_yield: on a host whose cores are busy
                    // with other processes a spinning worker would take the CPU time the
                    // calling thread (or anyone else) needs
                    spins += 1
                    if spins < Core.pauseSpins { ck_cpu_relax() } else { sched_yield() }
                    if spins & 15 == 0 {
                        let now = monotonicNanos()
                        if t0 == 0 {
                            t0 = now
                        } else if now &- t0 >= spinNanos {
                            park(seen)
                            t0 = 0
                        }
                    }
                }
                claimPieces(index: index)
            }
        }

        /// Sleeps until the generation moves past `gen` or the pool stops.
        private func park(_ gen: UInt64) {
            pthread_mutex_lock(mutex)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            while word.load(ordering: .sequentiallyConsistent) >> 40 == gen
                    && !stopping.load(ordering: .sequentiallyConsistent) {
                pthread_cond_wait(cond, mutex)
            }
            sleepers.subtract(1, ordering: .relaxed)
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

// IdleBLASPool: OpenBLAS's worker threads, which this process never uses. OpenBLAS (pthread build)
// starts one per extra core when it is loaded, and a new worker spins in sched_yield for about
// 0.1 s before it sleeps. The engine runs OpenBLAS single-threaded and splits the work itself, so
// on 2 cores that spin was pure loss: 1.1-1.5% of all CPU samples of a replay (`perf record`), all
// in the first 0.1 s, competing with building the model sessions. The daemon stops the pool at
// start; the engine's first run sets OpenBLAS to one thread, which (OpenBLAS 0.3.21) re-creates a
// stopped pool, so it is stopped once more after the first backbone frame. One core: no pool.
import CBLAS

enum IdleBLASPool {
    /// Stop OpenBLAS's workers now.
    static func stop() { _ = blas_thread_shutdown_() }

    /// Once per process, after the engine's first run (later calls do nothing).
    static func stopAfterFirstRun() { _ = stoppedAfterFirstRun }
    private static let stoppedAfterFirstRun: Void = stop()
}

// ThreadScheduling: how the stage threads ask the kernel to schedule them.
//
// `batch` (Linux SCHED_BATCH, no privilege needed) tells the scheduler the thread is CPU-bound and
// not interactive: a thread it wakes (a stage whose queue just got a frame) no longer preempts the
// running one, it waits for that thread to block or for its time slice to end. On one core a
// replay used to switch threads about 20 times a frame, the backbone preempted mid-convolution by
// every push and pop; with `batch` about 13 (measured with `perf record -e context-switches`).
// Threads a stage thread creates (the engine's worker pool, OpenBLAS) inherit the policy.
// `normal` is the default scheduling (SCHED_OTHER): what a live stream wants, where a woken stage
// should run at once.
#if canImport(Glibc)
import Glibc
#endif

public enum ThreadScheduling: String, Sendable, Equatable, CaseIterable {
    case normal, batch

    /// Linux's SCHED_BATCH (<linux/sched.h>; glibc declares it only under _GNU_SOURCE, which the
    /// Swift importer does not see).
    static let linuxSchedBatch: Int32 = 3

    /// Apply to the calling thread. A hint: where the policy is unavailable nothing changes.
    /// Returns whether the thread now runs under this policy.
    @discardableResult
    public func applyToCurrentThread() -> Bool {
        #if os(Linux)
        var param = sched_param()
        param.sched_priority = 0
        let policy = self == .batch ? Self.linuxSchedBatch : Int32(SCHED_OTHER)
        return pthread_setschedparam(pthread_self(), policy, &param) == 0
        #else
        return self == .normal
        #endif
    }

    /// The calling thread's policy (nil where it is neither of these two or unknown).
    public static func ofCurrentThread() -> ThreadScheduling? {
        #if os(Linux)
        var policy: Int32 = 0
        var param = sched_param()
        guard pthread_getschedparam(pthread_self(), &policy, &param) == 0 else { return nil }
        switch policy {
        case Self.linuxSchedBatch: return .batch
        case Int32(SCHED_OTHER): return .normal
        default: return nil
        }
        #else
        return nil
        #endif
    }
}

// The engine's worker pool: every piece of a region runs exactly once, back-to-back regions,
// nested and concurrent regions (run inline), the thread limit, parking when idle, hot bursts
// (workers woken at the start, parked again after), and clean
// shutdown in deinit. Also Parallel.chunks/tasks coverage on the shared pool.

import CKernels
import Foundation
import Synchronization
import Testing
@testable import Inference

@Suite struct WorkerPoolTests {
    /// Runs a region of `pieces` on `pool`, returning how many times each piece ran.
    private func counts(_ pool: WorkerPool, pieces: Int, maxThreads: Int) -> [Int] {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(1, pieces))
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: max(1, pieces))
        pool.run(pieces: pieces, maxThreads: maxThreads) { k in hits[k] += 1 }
        return Array(UnsafeBufferPointer(start: hits, count: pieces))
    }

    @Test func everyPieceRunsExactlyOnce() {
        for workers in [1, 3] {
            let pool = WorkerPool(workers: workers, spinMicros: 100)
            for pieces in [0, 1, 2, 3, 7, 64, 1000] {
                for maxThreads in [1, 2, 4] {
                    let c = counts(pool, pieces: pieces, maxThreads: maxThreads)
                    #expect(c.allSatisfy { $0 == 1 }, "workers \(workers) pieces \(pieces) threads \(maxThreads)")
                }
            }
        }
    }

    @Test func manyBackToBackRegions() {
        let pool = WorkerPool(workers: 1, spinMicros: 100)
        let n = 16
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: n)
        let regions = 20_000
        for r in 0..<regions {
            pool.run(pieces: 2 + r % (n - 1), maxThreads: 2) { k in hits[k] += 1 }
        }
        // piece k ran in every region with more than k pieces
        for k in 0..<n {
            let expected = (0..<regions).filter { 2 + $0 % (n - 1) > k }.count
            #expect(hits[k] == expected, "piece \(k)")
        }
    }

    @Test func regionsAfterParkingStillRun() throws {
        let pool = WorkerPool(workers: 2, spinMicros: 50)
        #expect(counts(pool, pieces: 8, maxThreads: 3).allSatisfy { $0 == 1 })
        // idle workers park after the spin: they wait on the condition variable, burning no CPU
        var parked = false
        for _ in 0..<200 where !parked {
            Thread.sleep(forTimeInterval: 0.005)
            parked = pool.core.sleepers.load(ordering: .relaxed) == 2
        }
        #expect(parked)
        for _ in 0..<50 {
            #expect(counts(pool, pieces: 5, maxThreads: 3).allSatisfy { $0 == 1 })
            Thread.sleep(forTimeInterval: 0.0002)   // around the spin time: some wake from parking
        }
    }

    @Test func hotBurstWakesParkedWorkersAndParksAfter() {
        let pool = WorkerPool(workers: 2, spinMicros: 50)
        func waitFor(_ cond: () -> Bool) -> Bool {
            for _ in 0..<400 { if cond() { return true }; Thread.sleep(forTimeInterval: 0.005) }
            return cond()
        }
        #expect(counts(pool, pieces: 8, maxThreads: 3).allSatisfy { $0 == 1 })
        #expect(waitFor { pool.core.sleepers.load(ordering: .relaxed) == 2 })
        // a burst wakes the parked workers before its first region
        pool.beginHot()
        #expect(waitFor { pool.core.sleepers.load(ordering: .relaxed) == 0 })
        for _ in 0..<200 {
            #expect(counts(pool, pieces: 5, maxThreads: 3).allSatisfy { $0 == 1 })
        }
        pool.endHot()
        // after the grace time they park again
        #expect(waitFor { pool.core.sleepers.load(ordering: .relaxed) == 2 })
        #expect(counts(pool, pieces: 7, maxThreads: 3).allSatisfy { $0 == 1 })
    }

    @Test func threadLimitIsRespected() {
        let pool = WorkerPool(workers: 3, spinMicros: 1000)
        let pieces = 256
        let who = UnsafeMutablePointer<UInt>.allocate(capacity: pieces)
        defer { who.deallocate() }
        for _ in 0..<20 {
            who.initialize(repeating: 0, count: pieces)
            pool.run(pieces: pieces, maxThreads: 2) { k in
                who[k] = UInt(pthread_self())
                for _ in 0..<2000 { ck_cpu_relax() }   // a little work so workers get a chance
            }
            #expect(Set(UnsafeBufferPointer(start: who, count: pieces)).count <= 2)
        }
    }

    @Test func nestedRegionsRunInline() {
        let pool = WorkerPool(workers: 1, spinMicros: 100)
        let outer = 4, inner = 6
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: outer * inner)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: outer * inner)
        pool.run(pieces: outer, maxThreads: 2) { o in
            pool.run(pieces: inner, maxThreads: 2) { i in hits[o * inner + i] += 1 }
        }
        #expect(UnsafeBufferPointer(start: hits, count: outer * inner).allSatisfy { $0 == 1 })
    }

    @Test func concurrentCallersBothFinish() {
        let pool = WorkerPool(workers: 1, spinMicros: 100)
        let n = 64, callers = 4, rounds = 300
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: n * callers)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: n * callers)
        let box = UncheckedSendable((pool, hits))
        DispatchQueue.concurrentPerform(iterations: callers) { c in
            let (pool, hits) = box.value
            for _ in 0..<rounds {
                pool.run(pieces: n, maxThreads: 2) { k in hits[c * n + k] += 1 }
            }
        }
        #expect(UnsafeBufferPointer(start: hits, count: n * callers).allSatisfy { $0 == rounds })
    }

    @Test func deinitStopsAndJoinsWorkers() {
        weak var weakCore: WorkerPool.Core?
        var core: WorkerPool.Core?
        do {
            let pool = WorkerPool(workers: 3, spinMicros: 100_000)   // spinning, not parked
            #expect(counts(pool, pieces: 9, maxThreads: 4).allSatisfy { $0 == 1 })
            var started = false
            for _ in 0..<400 where !started {
                started = pool.core.live.load(ordering: .acquiring) == 3
                if !started { Thread.sleep(forTimeInterval: 0.005) }
            }
            #expect(started)
            core = pool.core
            weakCore = pool.core
        }
        // the pool's deinit joined its threads: none is left inside the worker loop
        #expect(core?.live.load(ordering: .acquiring) == 0)
        core = nil
        #expect(weakCore == nil)   // the threads released their reference on exit
    }

    @Test func parallelChunksAndTasksCoverEveryUnit() {
        for count in [1, 2, 5, 17, 1000] {
            for threads in [1, 2, 3] {
                for minChunk in [1, 3, 100] {
                    let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                    hits.initialize(repeating: 0, count: count)
                    // bodies run on worker threads: record violations, check them here
                    let bad = Atomic<Int>(0)
                    Parallel.chunks(count, threads: threads, minChunk: minChunk) { lo, hi in
                        if hi - lo < min(minChunk, count) { bad.add(1, ordering: .relaxed) }
                        for i in lo..<hi { hits[i] += 1 }
                    }
                    Parallel.tasks(count, threads: threads, minChunk: minChunk) { worker, lo, hi in
                        if worker < 0 || worker >= threads { bad.add(1, ordering: .relaxed) }
                        for i in lo..<hi { hits[i] += 1 }
                    }
                    #expect(bad.load(ordering: .relaxed) == 0)
                    #expect(UnsafeBufferPointer(start: hits, count: count).allSatisfy { $0 == 2 },
                            "count \(count) threads \(threads) minChunk \(minChunk)")
                    hits.deallocate()
                }
            }
        }
    }
}

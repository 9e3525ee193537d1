// The assignment kernel against its brute-force twin on random rectangular matrices.

import Testing
@testable import Tracking

@Test func hungarianMatchesBruteForce() {
    var rng = SplitMix64(seed: 7)
    for trial in 0..<300 {
        let rows = Int(rng.next() % 6), cols = Int(rng.next() % 6)
        var cost = (0..<(rows * cols)).map { _ in (rng.uniform(0, 10)).rounded() / 2 }  // ties on purpose
        if trial % 5 == 0 { for i in cost.indices where rng.next() % 3 == 0 { cost[i] = 1e6 } }
        let h = Assignment.hungarian(cost: cost, rows: rows, cols: cols)
        let b = Assignment.bruteForce(cost: cost, rows: rows, cols: cols)
        #expect(abs(Assignment.total(h, cost: cost, cols: cols) - Assignment.total(b, cost: cost, cols: cols)) < 1e-9,
                "trial \(trial) \(rows)x\(cols)")
        #expect(h.compactMap { $0 }.count == min(rows, cols))
        #expect(Set(h.compactMap { $0 }).count == min(rows, cols))
        // deterministic
        #expect(h == Assignment.hungarian(cost: cost, rows: rows, cols: cols))
    }
}

@Test func kalmanTracksConstantVelocity() {
    var k = KalmanCV(position: 0, positionVariance: 1, velocityVariance: 100)
    for i in 1...50 {
        k.predict(dt: 0.1, q: 0.1)
        k.update(measurement: 2.0 * Double(i) * 0.1, r: 0.01)
    }
    #expect(abs(k.velocity - 2.0) < 0.05)
    #expect(abs(k.position - 10.0) < 0.05)
}

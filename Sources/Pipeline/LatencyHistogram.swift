// LatencyHistogram: fixed-size log-bucketed histogram (HDR style) of per-frame stage latencies.
// Constant memory whatever the run length; quantiles accurate to the bucket ratio (about 2.5%).

public struct LatencyHistogram: Sendable, Equatable {
    /// Bucket i covers [base * ratio^i, base * ratio^(i+1)) ns; bucket 0 also takes everything below.
    static let baseNs = 1_000.0          // 1 µs
    static let ratio = 1.05
    static let bucketCount = 480         // up to 1 µs * 1.05^480 ≈ 1.5e10 ns = 15 s; above clamps

    private var buckets = [UInt32](repeating: 0, count: LatencyHistogram.bucketCount)
    public private(set) var count = 0
    public private(set) var maxNs: UInt64 = 0
    public private(set) var totalNs: UInt64 = 0

    public init() {}

    public mutating func record(ns: UInt64) {
        count += 1
        totalNs &+= ns
        maxNs = max(maxNs, ns)
        buckets[Self.bucket(for: ns)] &+= 1
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<buckets.count { buckets[i] &+= other.buckets[i] }
        count += other.count
        totalNs &+= other.totalNs
        maxNs = max(maxNs, other.maxNs)
    }

    static func bucket(for ns: UInt64) -> Int {
        let x = Double(ns)
        guard x > baseNs else { return 0 }
        let i = Int((x / baseNs).logarithm(base: ratio))
        return min(max(i, 0), bucketCount - 1)
    }

    /// Upper bound of the bucket holding quantile q (0...1), capped by the true maximum; 0 if empty.
    public func quantileNs(_ q: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (i, c) in buckets.enumerated() {
            seen += Int(c)
            if seen >= rank {
                let upper = Self.baseNs * pow(Self.ratio, Double(i + 1))
                return min(UInt64(upper), maxNs)
            }
        }
        return maxNs
    }
}

private extension Double {
    func logarithm(base: Double) -> Double { Foundation.log(self) / Foundation.log(base) }
}

import Foundation

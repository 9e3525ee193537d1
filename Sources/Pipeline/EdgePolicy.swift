// EdgePolicy: what a bounded queue does when it is full.

/// The declared behaviour of one edge (a bounded queue between two stages).
///  - `block(capacity:lowWatermark:)`: lossless. The producer waits once `capacity` frames are
///    queued (high watermark) and resumes when the consumer has brought the depth down to
///    `lowWatermark` (hysteresis: fewer wake-ups than resuming at capacity-1).
///  - `dropOldest(capacity)`: the producer never waits; when full, the oldest queued frame is
///    evicted and reported as a drop.
///  - `latestOnly`: `dropOldest(1)`: the consumer always gets the newest frame (live streams).
public enum EdgePolicy: Sendable, Equatable, CustomStringConvertible {
    case block(capacity: Int, lowWatermark: Int)
    case dropOldest(Int)
    case latestOnly

    /// `block` with the low watermark at half the capacity.
    public static func block(_ capacity: Int) -> EdgePolicy {
        .block(capacity: max(1, capacity), lowWatermark: max(0, capacity / 2))
    }

    /// Frames queued before the policy acts (waits or evicts).
    public var capacity: Int {
        switch self {
        case .block(let c, _): return max(1, c)
        case .dropOldest(let n): return max(1, n)
        case .latestOnly: return 1
        }
    }

    public var isLossless: Bool { if case .block = self { return true } else { return false } }

    /// Short name used in drop records and the stats table.
    public var reasonName: String {
        switch self {
        case .block: return "block"
        case .dropOldest: return "drop_oldest"
        case .latestOnly: return "latest_only"
        }
    }

    public var description: String {
        switch self {
        case .block(let c, let low): return "block(\(c), low \(low))"
        case .dropOldest(let n): return "dropOldest(\(n))"
        case .latestOnly: return "latestOnly"
        }
    }
}

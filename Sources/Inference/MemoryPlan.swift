// MemoryPlan: offsets of every runtime value in one arena, planned once. A value lives from
// the step that writes it to the last step that reads it; values whose lifetimes do not
// overlap share memory (first fit by offset). Inputs and outputs of a step never share.

struct MemoryPlan {
    struct Interval { var size: Int; var start: Int; var end: Int }
    private(set) var offsets: [Int] = []
    private(set) var total = 0

    /// Offsets aligned to 16 floats (64 bytes) for vector loads.
    static func align(_ n: Int) -> Int { (n + 15) & ~15 }

    init(_ values: [Interval]) {
        offsets = [Int](repeating: 0, count: values.count)
        // place larger values first among those alive at the same time: order by size desc
        let order = values.indices.sorted { values[$0].size > values[$1].size || (values[$0].size == values[$1].size && $0 < $1) }
        var placed: [(offset: Int, size: Int, start: Int, end: Int)] = []
        for i in order {
            let v = values[i]
            let size = MemoryPlan.align(max(v.size, 1))
            let live = placed.filter { $0.start <= v.end && v.start <= $0.end }.sorted { $0.offset < $1.offset }
            var off = 0
            for b in live {
                if off + size <= b.offset { break }
                off = max(off, b.offset + b.size)
            }
            offsets[i] = off
            placed.append((off, size, v.start, v.end))
            total = max(total, off + size)
        }
    }
}

// Minimum-cost assignment (Hungarian / Kuhn–Munkres with potentials, O(n²m)) and its brute-force
// reference twin. Shapes: `cost` is rows×cols, row-major, rows = tracks, cols = detections.
// Result: for each row, the assigned column or nil. Rectangular inputs are fine: with rows <= cols
// every row gets a column; with rows > cols every column gets a row.
// Determinism: the scans use strict `<`, so among equal-cost choices the lowest index wins; the
// result depends only on the matrix (callers order rows by track id and columns by detection order).

public enum Assignment {
    /// Optimal assignment minimising the total cost.
    public static func hungarian(cost: [Double], rows: Int, cols: Int) -> [Int?] {
        precondition(cost.count == rows * cols, "cost is rows*cols")
        if rows == 0 { return [] }
        if cols == 0 { return Array(repeating: nil, count: rows) }
        if rows > cols {
            // Solve the transpose (the algorithm needs n <= m) and invert the answer.
            var t = [Double](repeating: 0, count: rows * cols)
            for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = cost[r * cols + c] } }
            let colToRow = hungarian(cost: t, rows: cols, cols: rows)
            var out = [Int?](repeating: nil, count: rows)
            for (c, r) in colToRow.enumerated() { if let r { out[r] = c } }
            return out
        }
        let n = rows, m = cols
        // 1-based arrays as in the classic formulation; p[j] = row matched to column j.
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: m + 1)
        var p = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: m + 1)
            var used = [Bool](repeating: false, count: m + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...m where !used[j] {
                    let cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j]
                    if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...m {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var out = [Int?](repeating: nil, count: n)
        for j in 1...m where p[j] != 0 { out[p[j] - 1] = j - 1 }
        return out
    }

    /// Reference twin: tries every assignment (exponential; for tests on small matrices only).
    /// Among equal totals the lexicographically first assignment found wins.
    public static func bruteForce(cost: [Double], rows: Int, cols: Int) -> [Int?] {
        var best: [Int?] = Array(repeating: nil, count: rows)
        var bestCost = Double.infinity
        var cur: [Int?] = Array(repeating: nil, count: rows)
        var usedCols = [Bool](repeating: false, count: cols)
        let k = min(rows, cols)
        func rec(_ r: Int, _ assigned: Int, _ total: Double) {
            if r == rows {
                if assigned == k && total < bestCost - 1e-12 { bestCost = total; best = cur }
                return
            }
            // rows left must still be able to fill k assignments
            for c in 0..<cols where !usedCols[c] {
                usedCols[c] = true; cur[r] = c
                rec(r + 1, assigned + 1, total + cost[r * cols + c])
                usedCols[c] = false; cur[r] = nil
            }
            if rows - r - 1 >= k - assigned { rec(r + 1, assigned, total) }
        }
        rec(0, 0, 0)
        return best
    }

    /// Total cost of an assignment.
    public static func total(_ a: [Int?], cost: [Double], cols: Int) -> Double {
        a.enumerated().reduce(0) { acc, e in e.element.map { acc + cost[e.offset * cols + $0] } ?? acc }
    }
}

// Stand-in stages: REAL but simple computations on the network input that occupy the backbone,
// head, fusion and planner slots until the model, tracker and planner stages land. They exist so
// `drivepipe run` exercises the whole runtime (fan-out to two heads, join, planner slot) on real
// frames; they never pretend to be perception or control.
//
//   backbone slot      ImageGridStage      1x3xHxW tensor → 3 x 9 x 16 grid of cell means
//   detection slot     ChannelMeansStage   grid → mean per channel
//   segmentation slot  LowerContrastStage  grid → std of luma over the grid's lower half (road area)
//   tracker slot       join                (means, contrast) → ImageStats
//   planner slot       NoPlannerStage      ImageStats → decision: zeros, mode "no_planner"
import Messages

/// A coarse grid of per-cell channel means: the stand-in "features" (channels x rows x cols).
public struct ImageGrid: Sendable, Equatable {
    public static let rows = 9, cols = 16
    /// [c][row][col], row-major, 3 * rows * cols values.
    public var cells: [Float]
}

public struct ImageGridStage {
    public init() {}
    /// tensor: 1x3xHxW (NCHW). Each cell averages a block of about H/9 x W/16 pixels.
    public func callAsFunction(_ input: NetworkInput, _ info: FrameInfo) throws -> ImageGrid {
        let h = input.height, w = input.width, rows = ImageGrid.rows, cols = ImageGrid.cols
        var cells = [Float](repeating: 0, count: 3 * rows * cols)
        var counts = [Int](repeating: 0, count: rows * cols)
        input.tensor.withUnsafeBufferPointer { t in
            for c in 0..<3 {
                for y in 0..<h {
                    let r = y * rows / h
                    let rowBase = (c * h + y) * w
                    for x in 0..<w {
                        cells[(c * rows + r) * cols + x * cols / w] += t[rowBase + x]
                    }
                }
            }
        }
        for y in 0..<h { for x in 0..<w { counts[(y * rows / h) * cols + x * cols / w] += 1 } }
        for c in 0..<3 { for i in 0..<(rows * cols) { cells[c * rows * cols + i] /= Float(max(1, counts[i])) } }
        return ImageGrid(cells: cells)
    }
}

public struct ChannelMeansStage {
    public init() {}
    public func callAsFunction(_ grid: ImageGrid, _ info: FrameInfo) throws -> [Double] {
        let n = ImageGrid.rows * ImageGrid.cols
        return (0..<3).map { c in grid.cells[(c * n)..<((c + 1) * n)].reduce(0.0) { $0 + Double($1) } / Double(n) }
    }
}

public struct LowerContrastStage {
    public init() {}
    /// Std of the luma (BT.601 weights on the tensor channels) over the lower half of the grid.
    public func callAsFunction(_ grid: ImageGrid, _ info: FrameInfo) throws -> Double {
        let n = ImageGrid.rows * ImageGrid.cols
        var values: [Double] = []
        for r in (ImageGrid.rows / 2)..<ImageGrid.rows {
            for col in 0..<ImageGrid.cols {
                let i = r * ImageGrid.cols + col
                values.append(0.299 * Double(grid.cells[i]) + 0.587 * Double(grid.cells[n + i]) + 0.114 * Double(grid.cells[2 * n + i]))
            }
        }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }
}

/// What the stand-in perception measured on one frame (tensor units, after normalisation).
public struct ImageStats: Sendable, Equatable {
    public var meanPerChannel: [Double]
    public var lowerHalfLumaStd: Double
}

/// The decision while no planner exists: no steering, no acceleration, mode "no_planner", plus
/// the stand-in measurements so the output shows the frame was really processed.
public struct NoPlannerDecision: DecisionRecord, Equatable {
    public var stats: ImageStats
    public func writeFields(into line: inout JSONLine) {
        line.add("steering_angle_rad", 0.0)
        line.add("acceleration_mps2", 0.0)
        line.add("mode", "no_planner")
        line.add("image_stats") { o in
            o.add("mean_per_channel", stats.meanPerChannel)
            o.add("lower_half_luma_std", stats.lowerHalfLumaStd)
        }
    }
}

public struct NoPlannerStage {
    public init() {}
    public func callAsFunction(_ stats: ImageStats, _ info: FrameInfo) throws -> NoPlannerDecision {
        NoPlannerDecision(stats: stats)
    }
}

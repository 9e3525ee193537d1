// Geometry's typed errors: each case says what was expected and what was found.

public enum GeometryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A pixel whose viewing ray does not meet the ground ahead (at or above the horizon).
    case aboveHorizon(expectedRowBelow: Double, foundRow: Double)
    /// A vehicle-frame point at or behind the camera plane, which has no image.
    case behindCamera(expectedDepthAbove: Double, foundDepth: Double)
    /// A calibration file that is missing a field or has a wrong value.
    case badCalibration(expected: String, found: String)

    public var description: String {
        switch self {
        case let .aboveHorizon(row, found):
            return "pixel does not see the ground: expected a row below the horizon (\(row)), found row \(found)"
        case let .behindCamera(depth, found):
            return "point has no image: expected a depth above \(depth) m in front of the camera, found \(found) m"
        case let .badCalibration(expected, found):
            return "bad calibration: expected \(expected), found \(found)"
        }
    }
}

// Tracking's typed errors: each case says what was expected and what was found.

public enum TrackingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The forecaster model's inputs or outputs do not have the expected shape or name.
    case modelMismatch(expected: String, found: String)
    /// The forecaster model could not be loaded or run.
    case engine(expected: String, found: String)

    public var description: String {
        switch self {
        case let .modelMismatch(e, f): return "forecaster model mismatch: expected \(e), found \(f)"
        case let .engine(e, f): return "forecaster engine error: expected \(e), found \(f)"
        }
    }
}

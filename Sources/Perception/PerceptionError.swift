// PerceptionError: what can go wrong turning head outputs into messages; each case says expected vs found.

public enum PerceptionError: Error, Equatable, CustomStringConvertible {
    /// A head output has the wrong element count or shape.
    case wrongShape(tensor: String, expected: [Int], found: [Int])
    /// A required head output or sidecar field is missing.
    case missingTensor(name: String, available: [String])
    /// A decoder parameter is out of range (threshold, stride, top-K...).
    case invalidParameter(name: String, expected: String, found: String)
    /// A sidecar / model card could not be read or parsed.
    case badSidecar(path: String, reason: String)

    public var description: String {
        switch self {
        case let .wrongShape(t, e, f): return "tensor \(t): expected shape \(e), found \(f)"
        case let .missingTensor(n, a): return "tensor \(n) missing; available: \(a)"
        case let .invalidParameter(n, e, f): return "parameter \(n): expected \(e), found \(f)"
        case let .badSidecar(p, r): return "sidecar \(p): \(r)"
        }
    }
}

// ConfigError: every way a pipeline file can be wrong, naming the key path (e.g.
// `edges.backbone.capacity`), what was expected and what was found.

public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case yaml(message: String)
    case unknownKey(path: String, expected: [String])
    case badValue(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "\(p): cannot read (\(r))"
        case .yaml(let m): return "invalid YAML: \(m)"
        case .unknownKey(let p, let e): return "unknown key \"\(p)\": expected one of \(e.joined(separator: ", "))"
        case .badValue(let p, let e, let f): return "\(p): expected \(e), found \(f)"
        }
    }
}

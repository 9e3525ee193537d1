// JSONLine: builds one NDJSON line with keys in the order they are added and floats in a fixed
// format, so the same values always give the same bytes (deterministic replay output).
import Foundation

public struct JSONLine {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true
    /// Decimal places for every float (fixed notation; NaN and infinities become null).
    public let decimals: Int

    public init(decimals: Int = 6) { self.decimals = decimals }

    private mutating func key(_ k: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        JSONLine.appendString(k, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func add(_ k: String, _ v: String) { key(k); JSONLine.appendString(v, to: &bytes) }
    public mutating func add(_ k: String, _ v: Int) { key(k); bytes.append(contentsOf: Array(String(v).utf8)) }
    public mutating func add(_ k: String, _ v: Int64) { key(k); bytes.append(contentsOf: Array(String(v).utf8)) }
    public mutating func add(_ k: String, _ v: UInt64) { key(k); bytes.append(contentsOf: Array(String(v).utf8)) }
    public mutating func add(_ k: String, _ v: Bool) { key(k); bytes.append(contentsOf: Array((v ? "true" : "false").utf8)) }
    public mutating func add(_ k: String, _ v: Double) { key(k); appendDouble(v) }
    public mutating func add(_ k: String, _ v: Float) { add(k, Double(v)) }
    public mutating func addNull(_ k: String) { key(k); bytes.append(contentsOf: Array("null".utf8)) }
    public mutating func add(_ k: String, _ v: [Double]) {
        key(k)
        bytes.append(UInt8(ascii: "["))
        for (i, x) in v.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            appendDouble(x)
        }
        bytes.append(UInt8(ascii: "]"))
    }
    /// A nested object built with the same float format.
    public mutating func add(_ k: String, object build: (inout JSONLine) -> Void) {
        var inner = JSONLine(decimals: decimals)
        build(&inner)
        key(k)
        bytes.append(contentsOf: inner.finishedObject())
    }
    /// A nested array of objects.
    public mutating func add(_ k: String, objects count: Int, build: (Int, inout JSONLine) -> Void) {
        key(k)
        bytes.append(UInt8(ascii: "["))
        for i in 0..<count {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            var inner = JSONLine(decimals: decimals)
            build(i, &inner)
            bytes.append(contentsOf: inner.finishedObject())
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private func finishedObject() -> [UInt8] { bytes + [UInt8(ascii: "}")] }

    /// The finished line including the trailing newline.
    public func line() -> [UInt8] { bytes + [UInt8(ascii: "}"), 0x0a] }

    public var string: String { String(decoding: finishedObject(), as: UTF8.self) }

    private mutating func appendDouble(_ v: Double) {
        bytes.append(contentsOf: Array(JSONLine.format(v, decimals: decimals).utf8))
    }

    /// Fixed notation, `decimals` places (0...12), "-0.000" normalised to "0.000"; non-finite → "null".
    /// C's `%.*f` straight into a stack buffer: the digits `String(format:)` (its reference twin,
    /// compared in the tests) gives, without Foundation's format parsing (a few per output line).
    public static func format(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return "null" }
        let places = Int32(min(max(decimals, 0), 12))
        // |v| < 1.8e308: at most 309 integer digits, sign, point, 12 places and the terminator.
        var s = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 336) { buf -> String in
            let n = withVaList([places, v]) { vsnprintf(buf.baseAddress, buf.count, "%.*f", $0) }
            return n > 0 && Int(n) < buf.count ? String(cString: buf.baseAddress!) : String(format: "%.\(places)f", v)
        }
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
        return s
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array(String(format: "\\u%04x", Int(b)).utf8))
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
